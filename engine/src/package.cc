// Building package archives from asset folders, and reading them back (DESIGN §2).
#include "reel/engine/package.h"

#include <algorithm>

#include "asset_paths.h"
#include "reel/engine/names.h"
#include "reel/storage/archive.h"

namespace reel {
namespace {

bool included(const AssetManifest& m, const std::string& path) {
  auto match = [&](const std::string& g) { return glob_match(g, path); };
  return std::any_of(m.include.begin(), m.include.end(), match) &&
         !std::any_of(m.exclude.begin(), m.exclude.end(), match);
}

// A content path must be valid UTF-8 without any control character (newlines would break the
// line-based listings, and TOML/JSON consumers).
Status check_file_name(std::string_view path, const fs::path& full) {
  bool bad = !check_text(path, full.string());
  for (char c : path) bad = bad || static_cast<unsigned char>(c) < 0x20;
  if (!bad) return ok();
  return make_error(ErrorCode::kInvalidArgument,
                    full.string() + ": file names must be valid UTF-8 without control characters");
}

Result<FileEntry> snapshot_file(FileSystem& fs, ObjectStore& objects, const fs::path& full,
                                const std::string& path) {
  auto before = fs.stat(full);
  if (!before) return tl::unexpected(before.error());
  auto digest = objects.put_file(full);
  if (!digest) return tl::unexpected(digest.error());
  auto after = fs.stat(full);
  if (!after) return tl::unexpected(after.error());
  if (after->size != before->size || after->mtime_ns != before->mtime_ns) {
    return make_error(ErrorCode::kConflict, full.string() + ": changed while it was being read");
  }
  FileEntry f;
  f.path = path;
  f.sha256 = *digest;
  f.size = after->size;
  f.executable = (after->mode & 0111) != 0;
  return f;
}

Status walk(FileSystem& fs, ObjectStore& objects, const fs::path& root, const std::string& rel,
            const AssetManifest& m, std::vector<FileEntry>& out) {
  auto entries = fs.list_dir(rel.empty() ? root : root / rel);
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    if (rel.empty() && (e.name == ".git" || e.name == ".reel" || e.name == "asset.toml")) continue;
    std::string path = rel.empty() ? e.name : rel + "/" + e.name;
    fs::path full = root / path;
    if (e.type == FileType::kDirectory) {
      REEL_TRY(walk(fs, objects, root, path, m, out));
      continue;
    }
    if (!included(m, path)) continue;
    REEL_TRY(check_file_name(path, full));  // every component of an included path
    if (e.type == FileType::kSymlink) {
      auto target = fs.read_symlink(full);
      if (!target) return tl::unexpected(target.error());
      std::string t = target->string();
      if (!symlink_stays_inside(path, t)) {
        return make_error(ErrorCode::kInvalidArgument,
                          full.string() + ": symlink to '" + t + "' leaves the asset");
      }
      FileEntry f;
      f.path = path;
      f.symlink = t;
      out.push_back(std::move(f));
      continue;
    }
    if (e.type != FileType::kRegular) {
      return make_error(ErrorCode::kInvalidArgument,
                        full.string() + ": not a regular file, folder or symlink");
    }
    auto f = snapshot_file(fs, objects, full, path);
    if (!f) return tl::unexpected(f.error());
    out.push_back(std::move(*f));
  }
  return ok();
}

}  // namespace

Result<BuiltPackage> build_package(FileSystem& fs, ObjectStore& objects,
                                   const fs::path& asset_dir) {
  fs::path manifest_path = asset_dir / "asset.toml";
  auto text = fs.read_file(manifest_path);
  if (!text) return tl::unexpected(text.error());
  auto manifest = parse_manifest(*text, manifest_path.string());
  if (!manifest) return tl::unexpected(manifest.error());
  BuiltPackage p;
  p.manifest = std::move(*manifest);
  p.manifest_text = std::move(*text);
  REEL_TRY(walk(fs, objects, asset_dir, "", p.manifest, p.files));
  // Byte order (std::string compares as unsigned char), as files.json requires.
  std::sort(p.files.begin(), p.files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  for (const auto& f : p.files) p.total_size += f.size;
  auto archive = write_archive(
      {{"asset.toml", p.manifest_text}, {"files.json", serialize_files_json(p.files)}});
  if (!archive) return tl::unexpected(archive.error());
  p.archive_bytes = std::move(*archive);
  p.archive_digest = sha256_bytes(p.archive_bytes);
  return p;
}

Result<BuiltPackage> read_package(std::string_view archive_bytes, std::string_view what) {
  auto members = read_archive(archive_bytes);
  if (!members) return tl::unexpected(members.error().with_context(what));
  const ArchiveMember* manifest = nullptr;
  const ArchiveMember* files = nullptr;
  for (const auto& m : *members) {
    if (m.path == "asset.toml") manifest = &m;
    if (m.path == "files.json") files = &m;
  }
  if (!manifest || !files) {
    return make_error(ErrorCode::kCorruption, std::string(what) + ": archive lacks " +
                                                  (manifest ? "files.json" : "asset.toml"));
  }
  auto parsed = parse_manifest(manifest->data, std::string(what) + ":asset.toml");
  if (!parsed) return tl::unexpected(Error{ErrorCode::kCorruption, parsed.error().message});
  auto list = parse_files_json(files->data, std::string(what) + ":files.json");
  if (!list) return tl::unexpected(list.error());
  BuiltPackage p;
  p.manifest = std::move(*parsed);
  p.manifest_text = manifest->data;
  p.files = std::move(*list);
  for (const auto& f : p.files) p.total_size += f.size;
  p.archive_bytes = std::string(archive_bytes);
  p.archive_digest = sha256_bytes(archive_bytes);
  return p;
}

}  // namespace reel
