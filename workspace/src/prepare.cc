// Sync's prepare step for many packages at once (prepare.h).
#include "prepare.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <numeric>
#include <set>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/storage/parallel.h"

namespace reel {
namespace {

std::string package_label(const LockedPackage& locked) {
  return locked.name + " " + locked.version.to_string();
}

// The first error of a batch in the order given, a cancellation it caused only when nothing else
// failed (a cancelled request names the failure that stopped it).
template <typename T>
std::optional<std::size_t> first_failure(const std::vector<Result<T>>& results) {
  for (std::size_t i = 0; i < results.size(); ++i)
    if (!results[i] && results[i].error().code != ErrorCode::kCancelled) return i;
  for (std::size_t i = 0; i < results.size(); ++i)
    if (!results[i]) return i;
  return std::nullopt;
}

// Checks the archive bytes of packages[which[k]] and keeps them in the cache, on 4 threads (each
// archive is parsed and written to the cache while the network is idle).
Status keep_archives(Workspace& ws, const std::vector<const LockedPackage*>& packages,
                     const std::vector<std::size_t>& which,
                     std::vector<Result<std::string>>& archives,
                     std::vector<std::optional<BuiltPackage>>& built) {
  ObjectStore& cache = ws.context().cache.archives();
  return parallel_for(which.size(), 4, [&](std::size_t k) -> Status {
    const LockedPackage& locked = *packages[which[k]];
    auto package = package_for(locked, *archives[k], package_label(locked));
    if (!package) return tl::unexpected(package.error());
    auto put = cache.put_bytes(*archives[k]);
    if (!put) return tl::unexpected(put.error());
    built[which[k]] = std::move(*package);
    return ok();
  });
}

// The archives of `which` (indexes into `packages`), all from repo `repo_name`, each checked
// against reel.lock's digest and kept in the cache. The lock names each archive by digest, and the
// repo layout (DESIGN §2) says where it is, so they are fetched straight from there, all at once;
// only those not found there or not matching (a repo laid out otherwise, a version gone or
// replaced) go the long way, through their index entries, which also give the precise error.
Status fetch_archives(Workspace& ws, const std::string& repo_name,
                      const std::vector<const LockedPackage*>& packages,
                      const std::vector<std::size_t>& which,
                      std::vector<std::optional<BuiltPackage>>& built) {
  auto repo = ws.repo(repo_name);
  if (!repo) return tl::unexpected(repo.error());
  std::vector<ArchiveRef> direct;
  for (std::size_t i : which)
    direct.push_back(ArchiveRef{archive_layout_path(packages[i]->name, packages[i]->version),
                                packages[i]->archive, 0});
  auto straight = (*repo)->read_archives(direct);
  std::vector<std::size_t> found, missed;
  std::vector<Result<std::string>> found_bytes;
  std::map<std::size_t, Error> damaged;  // package -> why its bytes at the layout path were refused
  for (std::size_t k = 0; k < which.size(); ++k) {
    if (straight[k]) {
      found.push_back(which[k]);
      found_bytes.push_back(std::move(straight[k]));
    } else if (straight[k].error().code == ErrorCode::kNotFound ||
               straight[k].error().code == ErrorCode::kCorruption) {
      if (straight[k].error().code == ErrorCode::kCorruption)
        damaged.emplace(which[k], straight[k].error());
      missed.push_back(which[k]);
    } else {
      return tl::unexpected(straight[k].error());
    }
  }
  REEL_TRY(keep_archives(ws, packages, found, found_bytes, built));
  if (missed.empty()) return ok();
  std::vector<std::string> names;
  for (std::size_t i : missed) names.push_back(packages[i]->name);
  auto indexes = (*repo)->read_indexes(names);
  std::vector<Result<LockedIndexEntry>> entries;
  for (std::size_t k = 0; k < missed.size(); ++k) {
    if (!indexes[k])
      entries.push_back(tl::unexpected(indexes[k].error()));
    else
      entries.push_back(check_locked_entry(*packages[missed[k]], **repo, *indexes[k]));
  }
  if (auto bad = first_failure(entries)) return tl::unexpected(entries[*bad].error());
  // An index entry naming the path already read: its refusal stands (read once, never again).
  for (std::size_t k = 0; k < missed.size(); ++k) {
    auto d = damaged.find(missed[k]);
    const LockedPackage& locked = *packages[missed[k]];
    if (d != damaged.end() &&
        entries[k]->entry.archive.path == archive_layout_path(locked.name, locked.version))
      return tl::unexpected(d->second.with_context(package_label(locked)));
  }
  std::vector<ArchiveRef> refs;
  for (const auto& e : entries) refs.push_back(e->entry.archive);
  auto archives = (*repo)->read_archives(refs);
  if (auto bad = first_failure(archives)) return tl::unexpected(archives[*bad].error());
  return keep_archives(ws, packages, missed, archives, built);
}

// One object to fetch, and the first package file that needs it (for error messages).
struct Wanted {
  const LockedPackage* locked;
  const FileEntry* file;
};

// Fetches `wanted` from repo `repo_name` in one Repo::fetch_objects call, with one progress line.
Status fetch_wanted(Workspace& ws, const std::string& repo_name, const std::vector<Wanted>& wanted,
                    std::size_t package_count, SyncReport& report) {
  Context& ctx = ws.context();
  auto repo = ws.repo(repo_name);
  if (!repo) return tl::unexpected(repo.error());
  std::vector<ObjectRef> refs;
  for (const auto& w : wanted) refs.push_back(ObjectRef{w.file->sha256, w.file->size});
  // Progress for a person: bytes and objects as they arrive, from the transfer threads.
  const std::string label =
      package_count == 1
          ? "fetching " + package_label(*wanted.front().locked) + " from " + repo_name
          : "fetching " + std::to_string(package_count) + " packages from " + repo_name;
  TransferStatus total{label};
  for (const auto& w : wanted) total.bytes_total += w.file->size;
  total.files_total = wanted.size();
  std::mutex mutex;
  std::int64_t bytes = 0;
  auto progress = [&](std::int64_t more_bytes, std::uint64_t more_files) {
    std::lock_guard<std::mutex> hold(mutex);
    bytes += more_bytes;
    total.bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, bytes));
    total.files += more_files;
    ctx.reporter.progress(total);
  };
  auto fetched = (*repo)->fetch_objects(refs, ctx.cache.objects(), progress);
  total.finished = true;
  ctx.reporter.progress(total);
  if (!fetched) {
    // Name the package and asset file whose object failed (the repo's message names its digest).
    for (const auto& w : wanted) {
      if (fetched.error().message.find(w.file->sha256.hex()) != std::string::npos)
        return tl::unexpected(
            fetched.error().with_context(package_label(*w.locked) + ": " + w.file->path));
    }
    const LockedPackage& first = *wanted.front().locked;
    return tl::unexpected(fetched.error().with_context(
        package_count == 1 ? package_label(first) : std::to_string(package_count) + " packages"));
  }
  report.objects_fetched += wanted.size();
  for (const auto& w : wanted) report.bytes_fetched += w.file->size;
  return ok();
}

// One batch (indexes into `packages`) under the packages' fetch locks: the archives the cache
// lacks (a repo at a time: index files, then archives), then the objects it lacks or holds
// damaged. A second sync that needs the same packages waits on the first lock, then finds
// everything in the cache.
Status prepare_batch(Workspace& ws, const std::vector<const LockedPackage*>& packages,
                     std::vector<std::optional<BuiltPackage>>& built,
                     const std::vector<std::size_t>& batch, SyncReport& report) {
  Context& ctx = ws.context();
  ObjectStore& objects = ctx.cache.objects();
  std::vector<std::unique_ptr<FileLock>> turns;  // released when this returns
  // Ascending, each once: a second lock of one offset from this process would wait forever.
  std::map<std::uint64_t, Digest> archive_at;
  for (std::size_t i : batch)
    archive_at.emplace(fetch_lock_offset(packages[i]->archive), packages[i]->archive);
  for (const auto& held : archive_at) {
    auto turn = lock_fetch(ctx, held.second);
    if (!turn) return tl::unexpected(turn.error());
    turns.push_back(std::move(*turn));
  }
  // 1. Archives: the cache's, else fetched a repo at a time (index files, then archives).
  std::map<std::string, std::vector<std::size_t>> remote;  // repo name -> packages to fetch
  for (std::size_t i : batch) {
    auto cached = cached_locked_package(ws, *packages[i]);
    if (!cached) return tl::unexpected(cached.error());
    if (*cached)
      built[i] = std::move(**cached);
    else
      remote[packages[i]->repo].push_back(i);
  }
  for (const auto& [repo_name, which] : remote)
    REEL_TRY(fetch_archives(ws, repo_name, packages, which, built));
  // 2. Objects: every one the batch lacks, through one fetch a repo.
  std::map<std::string, std::vector<Wanted>> by_repo;
  std::map<std::string, std::set<const LockedPackage*>> packages_of;
  std::set<Digest> seen;
  for (std::size_t i : batch) {
    const LockedPackage& locked = *packages[i];
    for (const FileEntry& f : built[i]->files) {
      if (f.symlink || !seen.insert(f.sha256).second) continue;
      // One lstat and one getxattr when the object's entry record still matches; hashed
      // otherwise (a write through a hard link moved its mtime): a damaged object is never linked.
      auto health = objects.check(ObjectRef{f.sha256, f.size});
      if (!health) return tl::unexpected(health.error());
      if (*health == ObjectStore::Health::kIntact) continue;
      if (*health == ObjectStore::Health::kDamaged) {
        ctx.reporter.warn("cache object " + f.sha256.prefixed() + " (" + locked.name + ": " +
                          f.path + ") is damaged; moved to " + ctx.cache.quarantine_dir().string() +
                          ", fetching it again");
        REEL_TRY(objects.quarantine(f.sha256, ctx.cache.quarantine_dir()));
        ++report.objects_quarantined;
      }
      by_repo[locked.repo].push_back(Wanted{&locked, &f});
      packages_of[locked.repo].insert(&locked);
    }
  }
  if (ctx.reporter.detail_on(1)) {  // -v (storage/detail.h)
    std::size_t fetch = 0, archives_fetched = 0;
    for (const auto& entry : by_repo) fetch += entry.second.size();
    for (const auto& entry : remote) archives_fetched += entry.second.size();
    ctx.reporter.detail(1, "prepare: " + plural_count(batch.size(), "package") + ": " +
                               std::to_string(batch.size() - archives_fetched) +
                               " archives in the cache, " + std::to_string(archives_fetched) +
                               " fetched; " + plural_count(seen.size(), "object") + ", " +
                               std::to_string(seen.size() - fetch) + " in the cache, " +
                               std::to_string(fetch) + " to fetch");
  }
  for (const auto& [repo_name, wanted] : by_repo)
    REEL_TRY(fetch_wanted(ws, repo_name, wanted, packages_of[repo_name].size(), report));
  return ok();
}

}  // namespace

Result<std::optional<BuiltPackage>> cached_locked_package(Workspace& ws,
                                                          const LockedPackage& locked) {
  Context& ctx = ws.context();
  ObjectStore& archives = ctx.cache.archives();
  auto have = archives.contains(locked.archive);
  if (!have) return tl::unexpected(have.error());
  if (!*have) return std::optional<BuiltPackage>();
  auto bytes = ctx.fs.read_file(archives.object_path(locked.archive), kMaxArchiveBytes);
  if (!bytes) return tl::unexpected(bytes.error());
  if (sha256_bytes(*bytes) == locked.archive) {
    auto package = package_for(locked, *bytes, package_label(locked));
    if (!package) return tl::unexpected(package.error());
    return std::optional<BuiltPackage>(std::move(*package));
  }
  // A damaged cached archive: drop it and fetch it again.
  (void)ctx.fs.set_mode(archives.object_path(locked.archive), 0644);
  REEL_TRY(ctx.fs.remove(archives.object_path(locked.archive)));
  ctx.reporter.warn("the cached archive of " + package_label(locked) +
                    " was damaged; fetching it again");
  return std::optional<BuiltPackage>();
}

Result<std::vector<BuiltPackage>> prepare_packages(
    Workspace& ws, const std::vector<const LockedPackage*>& packages, SyncReport& report) {
  // Batches of packages in archive-digest order, so two syncs that need some of the same packages
  // take their common fetch locks in the same order: neither waits on the other while holding a
  // lock the other needs.
  std::vector<std::size_t> order(packages.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return packages[a]->archive < packages[b]->archive;
  });
  std::vector<std::optional<BuiltPackage>> found(packages.size());
  for (std::size_t from = 0; from < order.size(); from += kFetchLockBatch) {
    std::vector<std::size_t> batch(order.begin() + static_cast<std::ptrdiff_t>(from),
                                   order.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                       order.size(), from + kFetchLockBatch)));
    REEL_TRY(prepare_batch(ws, packages, found, batch, report));
  }
  std::vector<BuiltPackage> built;
  built.reserve(packages.size());
  for (auto& p : found) built.push_back(std::move(*p));
  return built;
}

}  // namespace reel
