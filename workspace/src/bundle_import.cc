// Importing a bundle (bundle.h): one pass over the tar.zst streaming objects into the cache
// (verified on entry), then the small members checked against each other and the lock, archives
// stored, and the optional folder repo and workspace written.
#include <unistd.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <vector>

#include "bundle_layout.h"
#include "reel/engine/index.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/lock_file.h"
#include "reel/engine/names.h"
#include "reel/engine/package.h"
#include "reel/engine/repo.h"
#include "reel/storage/path_rules.h"
#include "reel/storage/tar_stream.h"
#include "reel/workspace/bundle.h"
#include "reel/workspace/config.h"
#include "reel/workspace/gc.h"

namespace reel {
namespace {

constexpr std::uint64_t kMaxSmallMember = std::uint64_t{64} << 20;  // index files, archives
constexpr std::size_t kBufferSize = std::size_t{1} << 20;

tl::unexpected<Error> refuse(const std::string& message) {
  return make_error(ErrorCode::kCorruption, message);
}

// A reader's error: libarchive's kCorruption says the bytes are not a (complete) tar.zst.
Error tar_error(const Error& e, const std::string& path) {
  std::string where = path.empty() ? "" : " (in entry '" + path + "')";
  if (e.code != ErrorCode::kCorruption) return e.with_context("reading" + where);
  return Error{e.code, "not a complete tar.zst" + where + ": " + e.message};
}

// The checked kind of a member, or the reason it is refused.
Result<bundle::MemberPath> check_member(const TarMember& m) {
  const std::string entry = "entry '" + m.path + "'";
  if (auto problem = path_problem(m.path)) return refuse(entry + " has an unsafe path: it " + *problem);
  if (m.type != TarMemberType::kRegular) return refuse(entry + " is not a regular file");
  auto kind = bundle::classify_member(m.path);
  if (!kind) return refuse(entry + " is not part of a bundle's layout");
  return *kind;
}

// What one pass over the bundle collected.
struct Read {
  std::map<std::string, std::string> small;  // path -> bytes, every member but the objects
  // Objects the cache lacked, verified and staged under `staging` (named by their hex) until the
  // whole bundle is checked: a bundle refused late leaves the cache as it was.
  fs::path staging;
  std::map<Digest, std::uint64_t> staged;  // digest -> size
  BundleReport report;
};

// Streams an object member into the cache's object store, installed only if its bytes hash to
// its name. An object the cache already holds (right size) is hashed but not written again; one
// of the wrong size is replaced.
Status import_object(Context& ctx, TarReader& reader, const TarMember& m, const Digest& digest,
                     std::string& buffer, Read& read) {
  BundleReport& report = read.report;
  ObjectStore& store = ctx.cache.objects();
  fs::path path = store.object_path(digest);
  auto st = ctx.fs.stat(path);
  if (!st) return tl::unexpected(st.error());
  const bool have = (st->type == FileType::kRegular && st->size == m.size) || read.staged.count(digest);
  std::unique_ptr<ObjectStore::Writer> writer;
  if (!have) {
    auto begun = store.begin_object();
    if (!begun) return tl::unexpected(begun.error());
    writer = std::move(*begun);
  }
  Sha256 hasher;
  for (;;) {
    auto n = reader.read(buffer.data(), buffer.size());
    if (!n) return tl::unexpected(tar_error(n.error(), m.path));
    if (*n == 0) break;
    if (writer) {
      REEL_TRY(writer->write(buffer.data(), *n));
    } else {
      hasher.update(buffer.data(), *n);
    }
  }
  const std::string what = "entry '" + m.path + "'";
  if (writer) {
    if (read.staged.empty()) REEL_TRY(ctx.fs.create_directories(read.staging));
    REEL_TRY(writer->finish_to(digest, what, read.staging / digest.hex()));
    read.staged.emplace(digest, m.size);
    ++report.objects_stored;
  } else if (Digest got = hasher.finish(); got != digest) {
    return refuse(what + ": digest mismatch: expected " + digest.prefixed() + ", got " +
                  got.prefixed());
  }
  ++report.objects;
  report.object_bytes += m.size;
  return ok();
}

Result<std::string> read_small(TarReader& reader, const TarMember& m) {
  if (m.size > kMaxSmallMember) {
    return refuse("entry '" + m.path + "' is too large (" + std::to_string(m.size) +
                  " bytes; at most 64 MiB)");
  }
  std::string data(static_cast<std::size_t>(m.size), '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    auto n = reader.read(data.data() + got, data.size() - got);
    if (!n) return tl::unexpected(tar_error(n.error(), m.path));
    if (*n == 0) return refuse("entry '" + m.path + "' is truncated");
    got += *n;
  }
  return data;
}

// One pass over the bundle: objects into the cache, everything else into memory.
Result<Read> read_bundle(Context& ctx, const fs::path& bundle, const fs::path& staging) {
  auto in = ctx.fs.open_read(bundle);
  if (!in) return tl::unexpected(in.error());
  auto reader = TarReader::open(std::move(*in));
  if (!reader) return tl::unexpected(tar_error(reader.error(), ""));
  Read read;
  read.staging = staging;
  std::set<std::string> seen;
  std::string buffer(kBufferSize, '\0');
  for (;;) {
    auto m = (*reader)->next();
    if (!m) return tl::unexpected(tar_error(m.error(), ""));
    if (!*m) break;
    auto kind = check_member(**m);
    if (!kind) return tl::unexpected(kind.error());
    if (!seen.insert((*m)->path).second) return refuse("entry '" + (*m)->path + "' appears twice");
    if (kind->kind == bundle::MemberKind::kObject) {
      REEL_TRY(import_object(ctx, **reader, **m, kind->digest, buffer, read));
      continue;
    }
    auto data = read_small(**reader, **m);
    if (!data) return tl::unexpected(data.error());
    read.small.emplace((*m)->path, std::move(*data));
  }
  return read;
}

// A locked package as the bundle holds it, checked.
struct Package {
  const LockedPackage* locked;
  IndexEntry entry;
  BuiltPackage built;
};

// Checks the small members against each other, the lock and the cache's objects.
Result<std::vector<Package>> check_bundle(Context& ctx, const Read& read, const LockFile& lock) {
  std::map<std::string, PackageIndex> indexes;  // lower name -> index
  for (const auto& [path, text] : read.small) {
    auto kind = bundle::classify_member(path);
    if (kind->kind != bundle::MemberKind::kIndex) continue;
    auto index = parse_index(text, "entry '" + path + "'");
    if (!index) return refuse(index.error().message);
    if (lower_name(index->name) != kind->name)
      return refuse("entry '" + path + "' holds the index of '" + index->name + "'");
    indexes.emplace(kind->name, std::move(*index));
  }
  std::vector<Package> out;
  std::set<std::string> used;
  for (const auto& locked : lock.packages) {
    const std::string what = locked.name + " " + locked.version.to_string();
    const std::string index_path = bundle::index_member(locked.name);
    auto it = indexes.find(lower_name(locked.name));
    const IndexEntry* entry = it == indexes.end() ? nullptr : it->second.find(locked.version);
    if (!entry) return refuse("it lacks the index entry of " + what + " (in " + index_path + ")");
    used.insert(index_path);
    if (entry->archive.sha256 != locked.archive) {
      return refuse(index_path + " names archive sha256:" + entry->archive.sha256.hex() + " for " +
                    what + " but " + kBundleLockPath + " names " + locked.archive.prefixed());
    }
    auto bytes = read.small.find(entry->archive.path);
    auto kind = bundle::classify_member(entry->archive.path);
    if (bytes == read.small.end() || !kind || kind->kind != bundle::MemberKind::kArchive) {
      return refuse("it lacks entry '" + entry->archive.path + "', the archive of " + what);
    }
    used.insert(entry->archive.path);
    if (bytes->second.size() != entry->archive.size ||
        sha256_bytes(bytes->second) != entry->archive.sha256) {
      return refuse("entry '" + entry->archive.path + "' does not match its index entry (" +
                    entry->archive.sha256.prefixed() + ", " + std::to_string(entry->archive.size) +
                    " bytes)");
    }
    auto built = read_package(bytes->second, "entry '" + entry->archive.path + "'");
    if (!built) return refuse(built.error().message);
    if (lower_name(built->manifest.name) != lower_name(locked.name) ||
        !(built->manifest.version == locked.version)) {
      return refuse("entry '" + entry->archive.path + "' holds " + built->manifest.name + " " +
                    built->manifest.version.to_string() + ", not " + what);
    }
    for (const auto& f : built->files) {
      if (f.symlink) continue;
      if (auto s = read.staged.find(f.sha256); s != read.staged.end() && s->second == f.size)
        continue;
      auto st = ctx.fs.stat(ctx.cache.objects().object_path(f.sha256));
      if (!st) return tl::unexpected(st.error());
      if (st->type != FileType::kRegular || st->size != f.size) {
        return refuse("it lacks entry '" + bundle::object_member(f.sha256) + "' (" + what + ": " +
                      f.path + ")");
      }
    }
    out.push_back(Package{&locked, *entry, std::move(*built)});
  }
  for (const auto& [path, text] : read.small) {
    auto kind = bundle::classify_member(path);
    bool package_member =
        kind->kind == bundle::MemberKind::kIndex || kind->kind == bundle::MemberKind::kArchive;
    if (package_member && !used.count(path)) {
      return refuse("entry '" + path + "' belongs to no package of " + kBundleLockPath);
    }
  }
  return out;
}

// Moves the staged objects into the cache (the bundle has been checked), replacing a cached
// object of the wrong size or kind.
Status adopt_staged(Context& ctx, const Read& read) {
  ObjectStore& store = ctx.cache.objects();
  for (const auto& [digest, size] : read.staged) {
    fs::path path = store.object_path(digest);
    auto st = ctx.fs.stat(path);
    if (!st) return tl::unexpected(st.error());
    if (st->type != FileType::kMissing && (st->type != FileType::kRegular || st->size != size)) {
      (void)ctx.fs.set_mode(path, 0644);
      REEL_TRY(ctx.fs.remove_all(path));
    }
    REEL_TRY(store.adopt(read.staging / digest.hex(), digest));
  }
  return ok();
}

// Publishes every package into the folder repo at `dir` (created if absent or empty).
Status publish_to_repo(Context& ctx, const fs::path& dir, const std::string& name,
                       const std::vector<Package>& packages, BundleReport& report) {
  FileSystem& fs = ctx.fs;
  auto marker = fs.stat(dir / "reel-repo.json");
  if (!marker) return tl::unexpected(marker.error());
  if (marker->type == FileType::kMissing) {
    auto here = fs.stat(dir);
    if (!here) return tl::unexpected(here.error());
    if (here->type != FileType::kMissing) {
      auto entries = fs.list_dir(dir);
      if (!entries) return tl::unexpected(entries.error());
      for (const auto& e : *entries) {
        // The temp file of an init that was stopped before its marker was renamed into place.
        if (e.type == FileType::kRegular && e.name.rfind(".tmp-", 0) == 0) continue;
        return make_error(ErrorCode::kInvalidArgument, "neither a reel repo nor an empty folder");
      }
    }
    REEL_TRY(init_folder_repo(fs, dir, name));
  }
  auto repo = open_repo(fs, dir.string());
  if (!repo) return tl::unexpected(repo.error());
  for (const auto& p : packages) {
    auto index = (*repo)->read_index(p.locked->name);
    if (!index) return tl::unexpected(index.error());
    const IndexEntry* there = *index ? (*index)->find(p.locked->version) : nullptr;
    REEL_TRY((*repo)->publish(p.built, ctx.cache.objects(), p.entry));
    if (!there) ++report.published;
  }
  return ok();
}

// Writes `text` to `path` unless an identical file is there; kAlreadyExists if another is.
Status write_once(FileSystem& fs, const fs::path& path, const std::string& text) {
  auto st = fs.stat(path);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kMissing) {
    auto there = fs.read_file(path);
    if (!there) return tl::unexpected(there.error());
    if (*there == text) return ok();
    return make_error(ErrorCode::kAlreadyExists,
                      path.string() + " already exists and differs from the bundle's");
  }
  return fs.write_file_atomic(path, text, true);
}

// Writes the bundle's workspace.toml and reel.lock into `dir`; with `repo_dir`, the repos the
// lock names point at it.
Status write_workspace(Context& ctx, const fs::path& dir, const std::string& config_text,
                       const WorkspaceConfig& config, const LockFile& lock,
                       const std::string& lock_text, const std::optional<fs::path>& repo_dir) {
  std::string text = config_text;
  if (repo_dir) {
    WorkspaceConfig moved = config;
    std::set<std::string> named;
    for (const auto& p : lock.packages) named.insert(p.repo);
    std::error_code ec;
    fs::path abs = fs::absolute(*repo_dir, ec).lexically_normal();
    for (auto& rc : moved.repos) {
      if (!named.count(rc.name)) continue;
      rc.url = abs.string();
      rc.token_file.clear();
      rc.ca_file.clear();
    }
    text = serialize_workspace_config(moved);
  }
  FileSystem& fs = ctx.fs;
  for (const char* sub : {"inputs", "outputs", "build"}) REEL_TRY(fs.create_directories(dir / sub));
  REEL_TRY(write_once(fs, dir / "workspace.toml", text));
  REEL_TRY(write_once(fs, dir / "reel.lock", lock_text));
  std::error_code ec;
  return register_workspace(ctx, fs::absolute(dir, ec).lexically_normal());
}

Result<BundleReport> import_from(Context& ctx, const fs::path& bundle,
                                 const ImportBundleOptions& options) {
  // gc waits while objects and archives arrive that no workspace refers to yet.
  auto hold = hold_cache(ctx);
  if (!hold) return tl::unexpected(hold.error().with_context("using the cache"));
  // Objects wait in a staging folder of the cache's temp area until the whole bundle is checked;
  // whatever happens, the folder goes (a refused bundle leaves the cache as it was).
  std::random_device random;
  const fs::path staging = ctx.cache.objects().temp_dir() /
                           ("import-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  struct RemoveStaging {
    FileSystem& fs;
    fs::path dir;
    ~RemoveStaging() { (void)fs.remove_all(dir); }
  } cleanup{ctx.fs, staging};
  auto read = read_bundle(ctx, bundle, staging);
  if (!read) return tl::unexpected(read.error());
  auto need = [&](std::string_view path) -> Result<const std::string*> {
    auto it = read->small.find(std::string(path));
    if (it == read->small.end())
      return refuse("it lacks entry '" + std::string(path) + "' (not a reel bundle)");
    return &it->second;
  };
  auto repo_json = need(bundle::kRepoJson);
  if (!repo_json) return tl::unexpected(repo_json.error());
  if (auto limits = check_json_input(**repo_json, "entry 'reel-repo.json'", kMaxSmallJsonBytes);
      !limits)
    return refuse(limits.error().message);
  auto j = nlohmann::json::parse(**repo_json, nullptr, false);
  if (!j.is_object() || !j.contains("format") || j["format"] != 1 || !j.contains("name") ||
      !j["name"].is_string()) {
    return refuse("entry 'reel-repo.json': expected {\"format\": 1, \"name\": ...}");
  }
  auto lock_text = need(kBundleLockPath);
  if (!lock_text) return tl::unexpected(lock_text.error());
  auto lock = parse_lock_file(**lock_text, std::string("entry '") + kBundleLockPath + "'");
  if (!lock) return refuse(lock.error().message);
  auto config_text = need(kBundleConfigPath);
  if (!config_text) return tl::unexpected(config_text.error());
  auto config =
      parse_workspace_config(**config_text, std::string("entry '") + kBundleConfigPath + "'");
  if (!config) return refuse(config.error().message);
  for (const auto& p : lock->packages) {
    if (!config->find_repo(p.repo)) {
      return refuse(std::string(kBundleLockPath) + " names repo '" + p.repo + "', which " +
                    kBundleConfigPath + " does not configure");
    }
  }

  auto packages = check_bundle(ctx, *read, *lock);
  if (!packages) return tl::unexpected(packages.error());
  REEL_TRY(adopt_staged(ctx, *read));
  BundleReport report = read->report;
  report.packages = packages->size();
  for (const auto& p : *packages) {
    // Whole, not merely named: a power loss may have left the name with fewer bytes.
    auto have = ctx.cache.archives().contains(
        ObjectRef{p.built.archive_digest, p.built.archive_bytes.size()});
    if (!have) return tl::unexpected(have.error());
    if (*have) continue;
    auto put = ctx.cache.archives().put_bytes(p.built.archive_bytes);
    if (!put) return tl::unexpected(put.error());
    ++report.archives_stored;
  }
  if (options.repo_dir) {
    auto st =
        publish_to_repo(ctx, *options.repo_dir, j["name"].get<std::string>(), *packages, report);
    if (!st) return tl::unexpected(st.error().with_context("repo " + options.repo_dir->string()));
  }
  if (options.workspace_dir) {
    REEL_TRY(write_workspace(ctx, *options.workspace_dir, **config_text, *config, *lock,
                             **lock_text, options.repo_dir));
  }
  return report;
}

}  // namespace

Result<BundleReport> import_bundle(Context& ctx, const fs::path& bundle,
                                   const ImportBundleOptions& options) {
  auto report = import_from(ctx, bundle, options);
  if (!report) return tl::unexpected(report.error().with_context("bundle " + bundle.string()));
  return report;
}

}  // namespace reel
