// Cache registrations, verification and garbage collection (gc.h).
#include "reel/workspace/gc.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "reel/engine/package.h"
#include "reel/workspace/install.h"
#include "reel/workspace/workspace.h"

namespace reel {

fs::path workspaces_dir(Cache& cache) { return cache.root() / "workspaces-v1"; }
fs::path gc_lock_path(Cache& cache) { return cache.locks_dir() / "gc"; }

Status register_workspace(Context& ctx, const fs::path& root) {
  const std::string text = root.string() + "\n";
  fs::path file = workspaces_dir(ctx.cache) / sha256_bytes(root.string()).hex().substr(0, 32);
  auto st = ctx.fs.stat(file);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kRegular) return ok();
  REEL_TRY(ctx.fs.create_directories(file.parent_path()));
  return ctx.fs.write_file_atomic(file, text, false);
}

Result<std::unique_ptr<FileLock>> hold_cache(Context& ctx) {
  REEL_TRY(ctx.fs.create_directories(ctx.cache.locks_dir()));
  return ctx.fs.lock_shared(gc_lock_path(ctx.cache));
}

namespace {

// What the registered workspaces refer to.
struct Live {
  std::set<Digest> objects;
  std::set<Digest> archives;
};

// Adds the content objects named by the package archive at `path`.
Status keep_objects_of(Context& ctx, const fs::path& path, Live& live) {
  auto bytes = ctx.fs.read_file(path);
  if (!bytes) return tl::unexpected(bytes.error());
  auto package = read_package(*bytes, path.string());
  if (!package) return tl::unexpected(package.error());
  for (const auto& f : package->files) {
    if (!f.symlink) live.objects.insert(f.sha256);
  }
  return ok();
}

// Adds the objects of an archive held in the cache (if it is there: an archive that is not cached
// protects nothing, its objects are fetched again with it).
Status keep_archive(Context& ctx, const Digest& archive, Live& live) {
  if (!live.archives.insert(archive).second) return ok();
  fs::path path = ctx.cache.archives().object_path(archive);
  auto st = ctx.fs.stat(path);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular) return ok();
  return keep_objects_of(ctx, path, live);
}

// Everything one workspace refers to: its lock, what is installed, its build/ archives.
Status keep_workspace(Context& ctx, Workspace& ws, Live& live) {
  auto lock = ws.read_lock();
  if (!lock) return tl::unexpected(lock.error());
  if (*lock) {
    for (const auto& p : (*lock)->packages) REEL_TRY(keep_archive(ctx, p.archive, live));
  }
  auto installed = read_installed(ws);
  if (!installed) return tl::unexpected(installed.error());
  for (const auto& [name, hex] : *installed) {
    if (auto d = Digest::from_hex(hex)) REEL_TRY(keep_archive(ctx, *d, live));
  }
  auto st = ctx.fs.stat(ws.build_dir());
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kDirectory) return ok();
  auto entries = ctx.fs.list_dir(ws.build_dir());
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    if (e.type != FileType::kRegular || e.name.size() < 6 ||
        e.name.compare(e.name.size() - 5, 5, ".reel") != 0) {
      continue;
    }
    REEL_TRY(keep_objects_of(ctx, ws.build_dir() / e.name, live));
  }
  return ok();
}

// Removes the entries of `dir` whose names start with `prefix` and whose mtime is older than
// `start_ns` (files, or whole folders); counts them into report.temp_files_removed.
Status remove_temp_files(Context& ctx, const fs::path& dir, std::string_view prefix,
                         std::int64_t start_ns, bool dry_run, GcReport& report) {
  auto st = ctx.fs.stat(dir);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kDirectory) return ok();
  auto temps = ctx.fs.list_dir(dir);
  if (!temps) return tl::unexpected(temps.error());
  for (const auto& t : *temps) {
    if (t.name.compare(0, prefix.size(), prefix) != 0) continue;
    fs::path path = dir / t.name;
    auto tst = ctx.fs.stat(path);
    if (!tst) return tl::unexpected(tst.error());
    const bool kind = tst->type == FileType::kRegular || tst->type == FileType::kDirectory;
    if (!kind || tst->mtime_ns >= start_ns) continue;
    if (!dry_run) REEL_TRY(ctx.fs.remove_all(path));
    ++report.temp_files_removed;
  }
  return ok();
}

// remove_temp_files(".tmp-") in every folder directly under `dir` (the shard folders of an object
// store or of index-v1/); nothing if `dir` does not exist.
Status remove_shard_temps(Context& ctx, const fs::path& dir, std::int64_t start_ns, bool dry_run,
                          GcReport& report) {
  auto st = ctx.fs.stat(dir);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kDirectory) return ok();
  auto shards = ctx.fs.list_dir(dir);
  if (!shards) return tl::unexpected(shards.error());
  for (const auto& shard : *shards) {
    if (shard.type != FileType::kDirectory) continue;
    REEL_TRY(remove_temp_files(ctx, dir / shard.name, ".tmp-", start_ns, dry_run, report));
  }
  return ok();
}

// Removes the files of `store` not in `keep` and older than `start_ns`; counts into `report`.
Status sweep(Context& ctx, ObjectStore& store, const std::set<Digest>& keep, std::int64_t start_ns,
             bool dry_run, std::uint64_t& kept, std::uint64_t& removed, GcReport& report) {
  auto objects = store.list_objects();
  if (!objects) return tl::unexpected(objects.error());
  for (const auto& o : *objects) {
    if (keep.count(o.digest) || o.stat.mtime_ns >= start_ns) {
      ++kept;
      continue;
    }
    if (!dry_run) REEL_TRY(ctx.fs.remove(o.path));
    ++removed;
    report.bytes_removed += o.stat.size;
  }
  // Temp files of puts that were killed, and the staging folders (import-*) of killed bundle
  // imports: nothing running writes there while gc holds its lock, and anything younger than
  // the start is left alone anyway.
  REEL_TRY(remove_temp_files(ctx, store.temp_dir(), "", start_ns, dry_run, report));
  // Killed downloads' temp files, which are made beside their object (begin_object(expected)).
  REEL_TRY(remove_shard_temps(ctx, store.root() / "sha256", start_ns, dry_run, report));
  return ok();
}

}  // namespace

Result<GcReport> collect_garbage(Context& ctx, const GcOptions& options) {
  GcReport report;
  Cache& cache = ctx.cache;
  REEL_TRY(ctx.fs.create_directories(cache.locks_dir()));
  auto lock = ctx.fs.lock_exclusive(gc_lock_path(cache));
  if (!lock) return tl::unexpected(lock.error());
  // The start, on the file system's own clock (the one object mtimes come from).
  fs::path stamp = cache.locks_dir() / "gc-start";
  REEL_TRY(ctx.fs.write_file_atomic(stamp, "", false));
  auto stamp_st = ctx.fs.stat(stamp);
  if (!stamp_st) return tl::unexpected(stamp_st.error());
  const std::int64_t start_ns = stamp_st->mtime_ns;

  Live live;
  std::vector<fs::path> forget;
  auto dir_st = ctx.fs.stat(workspaces_dir(cache));
  if (!dir_st) return tl::unexpected(dir_st.error());
  if (dir_st->type == FileType::kDirectory) {
    auto entries = ctx.fs.list_dir(workspaces_dir(cache));
    if (!entries) return tl::unexpected(entries.error());
    for (const auto& e : *entries) {
      fs::path reg = workspaces_dir(cache) / e.name;
      auto text = ctx.fs.read_file(reg);
      if (!text) return tl::unexpected(text.error());
      std::string root = text->substr(0, text->find('\n'));
      auto marker = ctx.fs.stat(fs::path(root) / "workspace.toml");
      if (!marker) return tl::unexpected(marker.error());
      if (root.empty() || marker->type != FileType::kRegular) {
        report.forgotten.push_back(root);
        forget.push_back(reg);
        continue;
      }
      auto ws = Workspace::find(ctx, root);
      if (!ws) {
        return tl::unexpected(
            ws.error().with_context("gc: workspace " + root + " (fix it, or delete " +
                                    reg.string() + " to stop protecting what it uses)"));
      }
      if (auto st = keep_workspace(ctx, *ws, live); !st) {
        return tl::unexpected(st.error().with_context("gc: workspace " + root));
      }
      ++report.workspaces;
    }
  }
  REEL_TRY(sweep(ctx, cache.objects(), live.objects, start_ns, options.dry_run,
                 report.objects_kept, report.objects_removed, report));
  REEL_TRY(sweep(ctx, cache.archives(), live.archives, start_ns, options.dry_run,
                 report.archives_kept, report.archives_removed, report));
  // Half-written registrations and stamps of killed commands (written under the cache hold).
  REEL_TRY(remove_temp_files(ctx, workspaces_dir(cache), ".tmp-", start_ns, options.dry_run,
                             report));
  REEL_TRY(remove_temp_files(ctx, cache.locks_dir(), ".tmp-", start_ns, options.dry_run, report));
  // Killed index cache writes (index-v1/<2 hex>/.tmp-*, written without the cache hold: only
  // those older than this collection's start, so a live writer's file stays).
  REEL_TRY(remove_shard_temps(ctx, cache.index_dir(), start_ns, options.dry_run, report));
  if (!options.dry_run) {
    for (const auto& reg : forget) REEL_TRY(ctx.fs.remove(reg));
    // Per-package fetch locks left by killed syncs (a finished sync removes its own: they are
    // transient locks): no sync runs while gc holds its lock, so none is in use.
    auto locks = ctx.fs.list_dir(cache.locks_dir());
    if (!locks) return tl::unexpected(locks.error());
    for (const auto& l : *locks) {
      if (l.name.rfind("fetch-", 0) == 0) REEL_TRY(ctx.fs.remove(cache.locks_dir() / l.name));
    }
  }
  return report;
}

Result<std::vector<std::string>> verify_cache(Context& ctx, std::uint64_t* objects_checked) {
  std::vector<ObjectStore::Stored> all;
  std::vector<ObjectStore*> owner;
  for (ObjectStore* store : {&ctx.cache.objects(), &ctx.cache.archives()}) {
    auto listed = store->list_objects();
    if (!listed) return tl::unexpected(listed.error());
    for (auto& o : *listed) {
      all.push_back(std::move(o));
      owner.push_back(store);
    }
  }
  if (objects_checked) *objects_checked = all.size();
  std::vector<std::optional<std::string>> problems(all.size());
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::optional<Error> error;
  auto run = [&] {
    for (std::size_t i = next++; i < all.size(); i = next++) {
      if (all[i].stat.type != FileType::kRegular) {
        problems[i] = all[i].path.string() +
                      ": not a regular file (a symlink, FIFO or folder where an object belongs)";
        continue;
      }
      Status st = owner[i]->verify(all[i].digest);
      if (st) continue;
      if (st.error().code == ErrorCode::kCorruption) {
        problems[i] = all[i].path.string() + ": content does not match its name (" +
                      all[i].digest.prefixed() + ")";
      } else if (st.error().code != ErrorCode::kNotFound) {  // removed meanwhile: fine
        std::lock_guard<std::mutex> hold(mutex);
        if (!error) error = st.error();
      }
    }
  };
  std::thread helper(run);
  run();
  helper.join();
  if (error) return tl::unexpected(*error);
  std::vector<std::string> out;
  for (auto& p : problems) {
    if (p) out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace reel
