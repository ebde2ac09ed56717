// Digests of files and folders in an asset (tree_digest.h).
#include "tree_digest.h"

#include <algorithm>
#include <functional>

#include "reel/engine/steps_lock.h"
#include "reel/storage/path_rules.h"

namespace reel {

Result<std::vector<std::pair<std::string, fs::path>>> list_tree(FileSystem& fs,
                                                                const fs::path& dir) {
  std::vector<std::pair<std::string, fs::path>> out;
  std::function<Status(const fs::path&, const std::string&)> walk =
      [&](const fs::path& d, const std::string& rel) -> Status {
    auto entries = fs.list_dir(d);
    if (!entries) return tl::unexpected(entries.error());
    for (const auto& e : *entries) {
      if (is_reserved_component(e.name)) continue;
      std::string path = rel.empty() ? e.name : rel + "/" + e.name;
      if (e.type == FileType::kDirectory) {
        REEL_TRY(walk(d / e.name, path));
      } else if (e.type == FileType::kRegular || e.type == FileType::kSymlink) {
        out.emplace_back(path, d / e.name);
      } else {
        return make_error(ErrorCode::kInvalidArgument,
                          (d / e.name).string() + ": not a regular file, folder or symlink");
      }
    }
    return ok();
  };
  REEL_TRY(walk(dir, ""));
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

Result<PathDigest> digest_one(FileSystem& fs, const fs::path& path, const FileStat& st) {
  PathDigest d;
  d.type = st.type;
  d.newest_mtime_ns = st.mtime_ns;
  if (st.type == FileType::kSymlink) {
    auto target = fs.read_symlink(path);
    if (!target) return tl::unexpected(target.error());
    d.sha256 = sha256_bytes("symlink:" + target->string());
    return d;
  }
  if (st.type != FileType::kRegular) {
    return make_error(ErrorCode::kInvalidArgument,
                      path.string() + ": not a regular file, folder or symlink");
  }
  auto digest = sha256_file(fs, path);
  if (!digest) return tl::unexpected(digest.error());
  d.sha256 = *digest;
  d.size = st.size;
  return d;
}

}  // namespace

Result<PathDigest> digest_path(FileSystem& fs, const fs::path& path) {
  auto st = fs.stat(path);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return PathDigest{};
  if (st->type != FileType::kDirectory) return digest_one(fs, path, *st);
  auto files = list_tree(fs, path);
  if (!files) return tl::unexpected(files.error());
  PathDigest out;
  out.type = FileType::kDirectory;
  out.newest_mtime_ns = st->mtime_ns;
  std::vector<std::pair<std::string, Digest>> digests;
  for (const auto& [rel, full] : *files) {
    auto fst = fs.stat(full);
    if (!fst) return tl::unexpected(fst.error());
    auto one = digest_one(fs, full, *fst);
    if (!one) return tl::unexpected(one.error());
    digests.emplace_back(rel, one->sha256);
    out.size += one->size;
    out.newest_mtime_ns = std::max(out.newest_mtime_ns, one->newest_mtime_ns);
  }
  out.files = digests.size();
  out.sha256 = folder_digest(digests);
  return out;
}

}  // namespace reel
