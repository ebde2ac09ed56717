// Exporting a bundle (bundle.h): the lock's archives, objects and index entries, gathered as sync
// prepares them, written as one deterministic tar.zst beside the destination, then renamed.
#include "reel/workspace/bundle.h"

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "bundle_layout.h"
#include "reel/engine/index.h"
#include "reel/engine/names.h"
#include "reel/storage/tar_stream.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/install.h"

namespace reel {
namespace {

// Passes a stream through, hashing what it reads.
class HashingStream : public InputStream {
 public:
  explicit HashingStream(InputStream& in) : in_(in) {}
  Result<std::size_t> read(void* buffer, std::size_t size) override {
    auto n = in_.read(buffer, size);
    if (n && *n > 0) hasher_.update(buffer, *n);
    return n;
  }
  Digest digest() { return hasher_.finish(); }

 private:
  InputStream& in_;
  Sha256 hasher_;
};

// One member to write: bytes in memory, or a cache object streamed from disk.
struct Member {
  std::string path;
  std::string data;              // when !object
  std::optional<Digest> object;  // a content object of the cache
  std::uint64_t size = 0;        // the object's size
  std::string what;              // "Table 1.0.0: model.obj", for messages about the object
};

Member bytes_member(std::string path, std::string data) {
  Member m;
  m.path = std::move(path);
  m.data = std::move(data);
  return m;
}

Member object_member(const Digest& digest, std::uint64_t size, std::string what) {
  Member m;
  m.path = bundle::object_member(digest);
  m.object = digest;
  m.size = size;
  m.what = std::move(what);
  return m;
}

// Gathers one locked package: its archive (verified against the lock) and its objects in the
// cache (fetched when missing), and its index entry from its repo.
Status gather_package(Workspace& ws, const LockedPackage& locked, std::vector<Member>& members,
                      std::map<Digest, Member>& objects, SyncReport& fetched) {
  const std::string what = locked.name + " " + locked.version.to_string();
  auto package = locked_package(ws, locked);
  if (!package) return tl::unexpected(package.error());
  if (lower_name(package->manifest.name) != lower_name(locked.name) ||
      !(package->manifest.version == locked.version)) {
    return make_error(ErrorCode::kCorruption, what + ": its archive " + locked.archive.prefixed() +
                                                  " holds " + package->manifest.name + " " +
                                                  package->manifest.version.to_string());
  }
  REEL_TRY(prepare_objects(ws, locked, *package, fetched));
  auto found = locked_index_entry(ws, locked);
  if (!found) return tl::unexpected(found.error());
  IndexEntry mine = found->entry;
  mine.archive = ArchiveRef{bundle::archive_member(package->manifest.name, locked.version),
                            locked.archive, package->archive_bytes.size()};
  PackageIndex one{found->name, {mine}};
  members.push_back(bytes_member(bundle::index_member(one.name), serialize_index(one)));
  members.push_back(bytes_member(mine.archive.path, std::move(package->archive_bytes)));
  for (const auto& f : package->files) {
    if (f.symlink || objects.count(f.sha256)) continue;
    objects.emplace(f.sha256, object_member(f.sha256, f.size, what + ": " + f.path));
  }
  return ok();
}

// Writes `members` (sorted) into a temp file beside `dest`, then renames it over `dest`.
Status write_bundle(Context& ctx, const std::vector<Member>& members, const fs::path& dest,
                    int zstd_level, std::uint64_t object_bytes) {
  FileSystem& fs = ctx.fs;
  fs::path dir = dest.has_parent_path() ? dest.parent_path() : fs::path(".");
  auto out = fs.create_temp(dir);
  if (!out) return tl::unexpected(out.error());
  auto writer = TarWriter::open(**out, zstd_level);
  if (!writer) return tl::unexpected(writer.error());
  const std::string label = "bundling " + dest.filename().string();
  TransferStatus status;
  status.what = label;
  status.bytes_total = object_bytes;
  for (const auto& m : members) {
    if (m.object) ++status.files_total;
  }
  for (const auto& m : members) {
    if (!m.object) {
      REEL_TRY((*writer)->add(m.path, m.data));
      continue;
    }
    fs::path path = ctx.cache.objects().object_path(*m.object);
    auto in = fs.open_read(path);
    if (!in) return tl::unexpected(in.error().with_context(m.what));
    HashingStream hashing(**in);
    if (auto st = (*writer)->add_stream(m.path, m.size, hashing); !st) {
      if (st.error().code != ErrorCode::kCorruption) return st;
      return make_error(ErrorCode::kCorruption, "cache object " + m.object->prefixed() + " (" +
                                                    m.what + ") is damaged: " + st.error().message);
    }
    if (hashing.digest() != *m.object) {
      return make_error(ErrorCode::kCorruption,
                        "cache object " + m.object->prefixed() + " (" + m.what +
                            ") does not match its name; delete it (`reel verify --cache` lists "
                            "damaged objects) and export again: it is fetched again");
    }
    status.bytes += m.size;
    ++status.files;
    ctx.reporter.progress(status);
  }
  REEL_TRY((*writer)->close());
  writer->reset();
  status.finished = true;
  ctx.reporter.progress(status);
  REEL_TRY((*out)->sync());
  REEL_TRY((*out)->commit(dest));
  return fs.sync_directory(dir);
}

Result<BundleReport> export_to(Workspace& ws, const fs::path& dest,
                               const ExportBundleOptions& options) {
  Context& ctx = ws.context();
  FileSystem& fs = ctx.fs;
  // The lock is read once, as bytes: the bundle holds exactly the text its closure comes from.
  auto lock_st = fs.stat(ws.lock_path());
  if (!lock_st) return tl::unexpected(lock_st.error());
  if (lock_st->type == FileType::kMissing) {
    return make_error(ErrorCode::kNotFound,
                      ws.lock_path().string() + " does not exist (run `reel lock`)");
  }
  auto lock_text = fs.read_file(ws.lock_path());
  if (!lock_text) return tl::unexpected(lock_text.error());
  auto lock = parse_lock_file(*lock_text, ws.lock_path().string());
  if (!lock) return tl::unexpected(lock.error());
  auto config_text = fs.read_file(ws.config_path());
  if (!config_text) return tl::unexpected(config_text.error());
  // gc waits while the objects are fetched and read.
  auto hold = hold_cache(ctx);
  if (!hold) return tl::unexpected(hold.error().with_context("using the cache"));

  std::vector<Member> members;
  std::map<Digest, Member> objects;
  SyncReport fetched;
  for (const auto& locked : lock->packages) {
    REEL_TRY(gather_package(ws, locked, members, objects, fetched));
  }
  BundleReport report;
  report.packages = lock->packages.size();
  report.objects_fetched = fetched.objects_fetched;
  for (auto& [digest, m] : objects) {
    ++report.objects;
    report.object_bytes += m.size;
    members.push_back(std::move(m));
  }
  members.push_back(
      bytes_member(std::string(bundle::kRepoJson),
                   "{\"format\":1,\"name\":\"" + std::string(kBundleRepoName) + "\"}\n"));
  members.push_back(bytes_member(kBundleLockPath, std::move(*lock_text)));
  members.push_back(bytes_member(kBundleConfigPath, std::move(*config_text)));
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.path < b.path; });
  REEL_TRY(write_bundle(ctx, members, dest, options.zstd_level, report.object_bytes));
  auto st = fs.stat(dest);
  if (!st) return tl::unexpected(st.error());
  report.bundle_bytes = st->size;
  return report;
}

}  // namespace

Result<BundleReport> export_bundle(Workspace& ws, const fs::path& dest,
                                   const ExportBundleOptions& options) {
  auto report = export_to(ws, dest, options);
  if (!report) return tl::unexpected(report.error().with_context("exporting " + dest.string()));
  return report;
}

}  // namespace reel
