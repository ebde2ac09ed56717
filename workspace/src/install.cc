// Lock and sync (install.h).
#include "reel/workspace/install.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "materialise.h"
#include "prepare.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/provider.h"
#include "reel/storage/parallel.h"
#include "reel/workspace/environment.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/outputs.h"
#include "reel/workspace/review.h"
#include "sourced_provider.h"

namespace reel {
namespace {


Status write_installed(Workspace& ws, const std::map<std::string, std::string>& installed) {
  FileSystem& fs = ws.context().fs;
  REEL_TRY(fs.create_directories(installed_path(ws).parent_path()));
  nlohmann::json j = installed;
  return fs.write_file_atomic(installed_path(ws), j.dump(1) + "\n", true);
}

}  // namespace

fs::path installed_path(Workspace& ws) { return ws.root() / ".reel" / "installed.json"; }

Result<std::map<std::string, std::string>> read_installed(Workspace& ws) {
  std::map<std::string, std::string> out;
  FileSystem& fs = ws.context().fs;
  auto st = fs.stat(installed_path(ws));
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return out;
  auto text = fs.read_file(installed_path(ws), kMaxIndexBytes);
  if (!text) return tl::unexpected(text.error());
  // Unreadable state (too deep to parse safely included): everything is reinstalled.
  if (!check_json_input(*text, installed_path(ws).string(), kMaxIndexBytes)) return out;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return out;  // unreadable state: everything is reinstalled
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

Result<std::vector<DependencySpec>> workspace_requirements(Workspace& ws,
                                                           const LockOptions& options,
                                                           std::vector<std::string>* requested_by) {
  std::vector<DependencySpec> out;
  std::vector<std::string> by;
  for (const auto& [name, text] : ws.config().requirements) {
    auto range = Range::parse(text);
    if (!range)
      return make_error(ErrorCode::kInvalidArgument, ws.config_path().string() +
                                                         ": [requirements] " + name + ": " +
                                                         range.error().to_string());
    out.push_back({name, text, *range});
    by.push_back("the workspace");
  }
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  std::set<std::string> defined;  // the groups the outputs define
  for (const auto& name : *outputs) {
    fs::path file = ws.outputs_dir() / name / "asset.toml";
    auto text = ws.context().fs.read_file(file);
    if (!text) return tl::unexpected(text.error());
    auto m = parse_manifest(*text, file.string());
    if (!m) return tl::unexpected(m.error());
    auto add = [&](const std::vector<DependencySpec>& deps) {
      for (const auto& d : deps) {
        if (lower_name(d.name) == lower_name(m->name)) continue;
        out.push_back(d);
        by.push_back("output " + m->name);
      }
    };
    for (const auto& group : m->groups) defined.insert(group.first);
    add(m->dependencies);
    if (auto it = m->groups.find("edit"); it != m->groups.end()) add(it->second);
    for (const auto& g : options.groups) {
      if (auto it = m->groups.find(g); it != m->groups.end()) add(it->second);
    }
  }
  for (const auto& g : options.groups) {
    // A group no output defines is a typo (uv refuses an undefined --group too).
    if (defined.count(g)) continue;
    std::string list;
    for (const auto& d : defined) list += (list.empty() ? "" : ", ") + d;
    return tl::unexpected(
        Error{ErrorCode::kInvalidArgument,
              "--group " + g + ": no output has a dependency group '" + g + "'"}
            .with_hint(defined.empty() ? "no output defines [dependency-groups] in its asset.toml"
                                       : "the outputs' groups: " + list));
  }
  if (requested_by) *requested_by = std::move(by);
  return out;
}

Result<LockOutcome> lock_workspace(Workspace& ws, const LockOptions& options) {
  std::vector<std::string> requested_by;
  auto reqs = workspace_requirements(ws, options, &requested_by);
  if (!reqs) return tl::unexpected(reqs.error());
  auto made = workspace_provider(ws);
  if (!made) return tl::unexpected(made.error());
  SourcedProvider& provider = **made;
  ResolveRequest request;
  request.upgrade_all = options.upgrade_all;
  for (const auto& u : options.upgrade) {
    auto c = provider.canonical_name(u);
    request.upgrade.insert(c ? *c : u);
  }
  request.root_name = "the workspace";
  request.requested_by = requested_by;  // an output's dependency is blamed on the output
  for (const auto& d : *reqs) {
    auto c = provider.canonical_name(d.name);
    request.requirements.push_back(Dependency{c ? *c : d.name, d.range});
  }
  auto current = ws.read_lock();
  if (!current) return tl::unexpected(current.error());
  if (*current) {
    for (const auto& p : (*current)->packages) {
      auto c = provider.canonical_name(p.name);
      request.preferred[c ? *c : p.name] = p.version;
    }
  }
  ResolveStats stats;
  auto started = std::chrono::steady_clock::now();
  ResolveResult result = resolve(provider, request, &stats);
  if (provider.error()) return tl::unexpected(*provider.error());
  if (Reporter& r = ws.context().reporter; r.detail_on(1)) {
    r.detail(1,
             "resolver: " +
                 std::string(std::holds_alternative<Solution>(result) ? "solved" : "no solution") +
                 " in " + elapsed_text(started) + ": " + plural_count(stats.packages, "package") +
                 ", " + plural_count(stats.decisions, "decision") + ", " +
                 plural_count(stats.conflicts, "conflict") + ", " +
                 plural_count(stats.backtracks, "backtrack") + ", " +
                 plural_count(stats.incompatibilities, "incompatibility", "incompatibilities"));
  }
  LockOutcome outcome;
  if (auto* unsolvable = std::get_if<Unsolvable>(&result)) {
    outcome.explanation = unsolvable->explanation;
    return outcome;
  }
  const Solution& solution = std::get<Solution>(result);
  LockFile lock;
  lock.requirements = ws.config().requirements;
  for (const auto& [name, version] : solution.versions) {
    const IndexEntry* entry = provider.entry(name, version);
    if (provider.error()) return tl::unexpected(*provider.error());
    auto where = provider.repo_of(name);
    if (!entry || !where)
      return make_error(ErrorCode::kNotFound,
                        name + " " + version.to_string() + " vanished from its repo");
    if (entry->yanked) outcome.yanked.push_back(yanked_line(name, version, *entry));
    LockedPackage lp{name, version, where->first, entry->archive.sha256,
                     solution.dependencies.at(name)};
    lock.packages.push_back(std::move(lp));
  }
  std::sort(lock.packages.begin(), lock.packages.end(),
            [](const LockedPackage& a, const LockedPackage& b) {
              return lower_name(a.name) < lower_name(b.name);
            });
  if (!options.dry_run) REEL_TRY(ws.write_lock(lock));
  outcome.lock = std::move(lock);
  return outcome;
}

Result<bool> lock_is_stale(Workspace& ws, const LockFile& lock, const LockOptions& options) {
  auto normal = [](std::vector<std::pair<std::string, std::string>> v) {
    for (auto& [n, r] : v) n = lower_name(n);
    std::sort(v.begin(), v.end());
    return v;
  };
  if (normal(lock.requirements) != normal(ws.config().requirements)) return true;
  auto reqs = workspace_requirements(ws, options);
  if (!reqs) return tl::unexpected(reqs.error());
  for (const auto& d : *reqs) {
    const LockedPackage* p = lock.find(d.name);
    if (!p || !d.range.contains(p->version)) return true;
  }
  // A package pinned to a repo in [sources] must come from that repo.
  for (const auto& p : lock.packages) {
    const std::string* source = ws.config().source_of(p.name);
    if (source && *source != p.repo) return true;
  }
  return false;
}

Result<LockedIndexEntry> locked_index_entry(Workspace& ws, const LockedPackage& locked) {
  auto repo = ws.repo(locked.repo);
  if (!repo) return tl::unexpected(repo.error());
  auto index = (*repo)->read_index(locked.name);
  if (!index) return tl::unexpected(index.error());
  return check_locked_entry(locked, **repo, *index);
}

Result<LockedIndexEntry> check_locked_entry(const LockedPackage& locked, Repo& repo,
                                            const std::optional<PackageIndex>& index) {
  const std::string what = locked.name + " " + locked.version.to_string();
  const IndexEntry* entry = index ? index->find(locked.version) : nullptr;
  if (!entry) {
    return make_error(ErrorCode::kNotFound,
                      what + " is not in repo '" + locked.repo + "' (" + repo.url() + ")");
  }
  if (entry->archive.sha256 != locked.archive) {
    return make_error(ErrorCode::kCorruption,
                      what + ": repo '" + locked.repo +
                          "' has archive sha256:" + entry->archive.sha256.hex() +
                          " but reel.lock names " + locked.archive.prefixed());
  }
  return LockedIndexEntry{&repo, index->name, *entry};
}

Result<BuiltPackage> package_for(const LockedPackage& locked, std::string_view bytes,
                                 const std::string& what) {
  auto package = read_package(bytes, what);
  if (!package) return tl::unexpected(package.error());
  const AssetManifest& m = package->manifest;
  if (lower_name(m.name) != lower_name(locked.name) || !(m.version == locked.version)) {
    return make_error(ErrorCode::kCorruption,
                      what + ": its archive (" + locked.archive.prefixed() + ") holds the manifest of " +
                          m.name + " " + m.version.to_string() + ", not " + what);
  }
  return package;
}

Result<BuiltPackage> locked_package(Workspace& ws, const LockedPackage& locked) {
  Context& ctx = ws.context();
  ObjectStore& archives = ctx.cache.archives();
  std::string what = locked.name + " " + locked.version.to_string();
  auto cached = cached_locked_package(ws, locked);
  if (!cached) return tl::unexpected(cached.error());
  if (*cached) return std::move(**cached);
  auto found = locked_index_entry(ws, locked);
  if (!found) return tl::unexpected(found.error());
  auto bytes = found->repo->read_archive(found->entry.archive);
  if (!bytes) return tl::unexpected(bytes.error());
  auto package = package_for(locked, *bytes, what);  // checked before the cache keeps it
  if (!package) return tl::unexpected(package.error());
  auto put = archives.put_bytes(*bytes);
  if (!put) return tl::unexpected(put.error());
  return package;
}

// Fetches every object of `package` missing from the cache, replacing damaged ones (wrong size),
// with Repo::fetch_objects (each streamed, hashed and verified). The first error wins.
// Processes syncing the same package at once take turns on a per-package lock file
// (CACHE/locks/fetch-<archive hex>), so each object is fetched once: the others find it there.
Status prepare_objects(Workspace& ws, const LockedPackage& locked, const BuiltPackage& package,
                       SyncReport& report) {
  std::vector<const FileEntry*> files;
  for (const auto& f : package.files) files.push_back(&f);
  return prepare_files(ws, locked, files, report);
}

std::uint64_t fetch_lock_offset(const Digest& archive) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | archive.bytes[i];
  return v >> 2;
}

Result<std::unique_ptr<FileLock>> lock_fetch(Context& ctx, const Digest& archive) {
  auto dir = ctx.fs.create_directories(ctx.cache.locks_dir());
  if (!dir) return tl::unexpected(dir.error().with_context("using the cache"));
  auto turn =
      ctx.fs.lock_exclusive_byte(ctx.cache.locks_dir() / "fetch", fetch_lock_offset(archive));
  if (!turn) return tl::unexpected(turn.error().with_context("using the cache"));
  return turn;
}

Status prepare_files(Workspace& ws, const LockedPackage& locked,
                     const std::vector<const FileEntry*>& files, SyncReport& report) {
  Context& ctx = ws.context();
  ObjectStore& objects = ctx.cache.objects();
  auto turn = lock_fetch(ctx, locked.archive);
  if (!turn) return tl::unexpected(turn.error());
  std::vector<const FileEntry*> missing;
  std::set<Digest> seen;
  for (const FileEntry* fp : files) {
    const FileEntry& f = *fp;
    if (f.symlink || !seen.insert(f.sha256).second) continue;
    // One lstat and one getxattr when the object's entry record still matches; hashed otherwise
    // (a write through a hard link moved its mtime): a damaged object is never linked.
    auto health = objects.check(ObjectRef{f.sha256, f.size});
    if (!health) return tl::unexpected(health.error());
    if (*health == ObjectStore::Health::kIntact) continue;
    if (*health == ObjectStore::Health::kDamaged) {
      ctx.reporter.warn("cache object " + f.sha256.prefixed() + " (" + locked.name + ": " + f.path +
                        ") is damaged; moved to " + ctx.cache.quarantine_dir().string() +
                        ", fetching it again");
      REEL_TRY(objects.quarantine(f.sha256, ctx.cache.quarantine_dir()));
      ++report.objects_quarantined;
    }
    missing.push_back(&f);
  }
  if (missing.empty()) return ok();
  auto repo = ws.repo(locked.repo);
  if (!repo) return tl::unexpected(repo.error());
  std::vector<ObjectRef> digests;
  for (const FileEntry* f : missing) digests.push_back(ObjectRef{f->sha256, f->size});
  // Progress for a person: bytes and objects as they arrive, from the transfer threads.
  const std::string label =
      "fetching " + locked.name + " " + locked.version.to_string() + " from " + locked.repo;
  TransferStatus total{label};
  for (const FileEntry* f : missing) total.bytes_total += f->size;
  total.files_total = missing.size();
  std::mutex mutex;
  std::int64_t bytes = 0;
  auto progress = [&](std::int64_t more_bytes, std::uint64_t more_files) {
    std::lock_guard<std::mutex> hold(mutex);
    bytes += more_bytes;
    total.bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, bytes));
    total.files += more_files;
    ctx.reporter.progress(total);
  };
  auto fetched = (*repo)->fetch_objects(digests, objects, progress);
  total.finished = true;
  ctx.reporter.progress(total);
  if (!fetched) {
    // Name the asset file whose object failed (the repo's message names its digest).
    std::string what = locked.name + " " + locked.version.to_string();
    for (const FileEntry* f : missing) {
      if (fetched.error().message.find(f->sha256.hex()) != std::string::npos) {
        what += ": " + f->path;
        break;
      }
    }
    return tl::unexpected(fetched.error().with_context(what));
  }
  report.objects_fetched += missing.size();
  for (const FileEntry* f : missing) report.bytes_fetched += f->size;
  return ok();
}


namespace {

// The lock sync works from: reel.lock as it is (kFrozen), else resolved again when missing or
// stale (kResolveIfNeeded), or refused when stale (kLocked). nullopt with report.explanation set
// when resolving found no solution.
Result<std::optional<LockFile>> lock_for_sync(Workspace& ws, SyncMode mode,
                                              const LockOptions& options, SyncReport& report) {
  auto lock = ws.read_lock();
  if (!lock) return tl::unexpected(lock.error());
  if (mode == SyncMode::kFrozen) {
    if (!*lock)
      return make_error(ErrorCode::kNotFound,
                        ws.lock_path().string() + " does not exist (--frozen never resolves)");
    return lock;
  }
  bool stale = !*lock;
  if (*lock) {
    auto s = lock_is_stale(ws, **lock, options);
    if (!s) return tl::unexpected(s.error());
    stale = *s;
  }
  if (stale && mode == SyncMode::kLocked) {
    return make_error(ErrorCode::kConflict,
                      ws.lock_path().string() +
                          (*lock ? " is stale: workspace.toml's requirements or sources, or an "
                                   "output's dependencies, changed since it was written"
                                 : " does not exist") +
                          "; run `reel lock` (or sync without --locked)");
  }
  if (!stale) return lock;
  auto outcome = lock_workspace(ws, options);
  if (!outcome) return tl::unexpected(outcome.error());
  if (!outcome->lock) report.explanation = outcome->explanation;
  return std::move(outcome->lock);
}

// A package sync left installed, some of whose files were changed since (changed_files).
struct Repair {
  const LockedPackage* locked;
  std::vector<std::string> paths;
};

}  // namespace

Result<SyncReport> sync_workspace(Workspace& ws, SyncMode mode, const LockOptions& options,
                                  const SyncOptions& sync_options) {
  SyncReport report;
  auto lock = lock_for_sync(ws, mode, options, report);
  if (!lock) return tl::unexpected(lock.error());
  if (!*lock) return report;  // no solution: report.explanation says why
  FileSystem& fs = ws.context().fs;
  // One sync of a workspace at a time: a second waits here (cargo's "waiting for file lock").
  REEL_TRY(fs.create_directories(ws.root() / ".reel"));
  auto turn = fs.lock_exclusive(ws.root() / ".reel" / "sync.lock");
  if (!turn) return tl::unexpected(turn.error().with_context("locking the workspace for sync"));
  // gc waits while this sync fetches and links (gc.h), and will know what this workspace uses.
  auto hold = hold_cache(ws.context());
  if (!hold) return tl::unexpected(hold.error().with_context("using the cache"));
  REEL_TRY(register_workspace(ws.context(), ws.root()));
  REEL_TRY(fs.create_directories(ws.inputs_dir()));
  REEL_TRY(remove_leftovers(ws));
  auto installed = read_installed(ws);
  if (!installed) return tl::unexpected(installed.error());
  auto records = InstalledFiles::load(fs, installed_files_path(ws.root()));
  if (!records) return tl::unexpected(records.error());
  bool warned_copy = false;
  std::set<std::string> wanted;
  // Plan, then prepare every package to install at once (archives and objects into the cache,
  // verified: prepare_packages' one pipeline), so a missing or corrupt object fails the sync
  // before anything in inputs/ changes.
  std::vector<const LockedPackage*> to_install;
  std::vector<Repair> repairs;
  for (const auto& locked : (**lock).packages) {
    std::string key = lower_name(locked.name);
    wanted.insert(key);
    auto it = installed->find(key);
    auto here = fs.stat(ws.inputs_dir() / locked.name);
    if (!here) return tl::unexpected(here.error());
    const bool reinstall = sync_options.reinstall_all || sync_options.reinstall.count(key);
    if (!reinstall && it != installed->end() && it->second == locked.archive.hex() &&
        here->type == FileType::kDirectory) {
      // Installed: one lstat a file against what was placed (a write through a hard link
      // included); no records (an older reel installed it) means re-materialise.
      auto changed = changed_files(ws, key, locked.name, *records);
      if (!changed) return tl::unexpected(changed.error());
      if (*changed && (*changed)->empty()) {
        ++report.unchanged;
        continue;
      }
      if (*changed) {
        repairs.push_back(Repair{&locked, std::move(**changed)});
        continue;
      }
    }
    to_install.push_back(&locked);
  }
  auto prepared = prepare_packages(ws, to_install, report);
  if (!prepared) return tl::unexpected(prepared.error());
  std::vector<std::pair<const LockedPackage*, BuiltPackage>> plan;
  for (std::size_t i = 0; i < to_install.size(); ++i)
    plan.emplace_back(to_install[i], std::move((*prepared)[i]));
  for (const auto& repair : repairs) {
    const LockedPackage& locked = *repair.locked;
    auto package = locked_package(ws, locked);
    if (!package) return tl::unexpected(package.error());
    const std::size_t before = report.repaired.size();
    REEL_TRY(repair_files(ws, lower_name(locked.name), locked, *package, repair.paths, report,
                          warned_copy, *records));
    for (std::size_t i = before; i < report.repaired.size(); ++i) {
      ws.context().reporter.warn(report.repaired[i] +
                                 " was changed or removed since it was installed; placed it "
                                 "again from the cache");
    }
  }
  // What installed.json says on disk. A package is claimed there only once its folders and the
  // records of its files are durable (issue 11): a claim that outlived a power loss which took
  // the install's renames back would make the next sync trust the version before it.
  std::map<std::string, std::string> durable_claims = *installed;
  std::set<fs::path> placed_dirs;
  for (const auto& [locked, package] : plan) {
    const std::string key = lower_name(locked->name);
    // A new version of an installed package is updated in place, file by file, when the old
    // version's archive is in the cache and the package is not to be reinstalled; otherwise it is
    // installed afresh.
    bool updated = false;
    auto it = installed->find(key);
    auto here = fs.stat(ws.inputs_dir() / locked->name);
    if (!here) return tl::unexpected(here.error());
    const bool reinstall = sync_options.reinstall_all || sync_options.reinstall.count(key);
    // In place only over an intact old version (its files all match their records): a changed
    // file the new version does not touch would otherwise stay changed.
    bool intact = false;
    if (!reinstall && it != installed->end() && here->type == FileType::kDirectory) {
      auto changed = changed_files(ws, key, locked->name, *records);
      if (!changed) return tl::unexpected(changed.error());
      intact = *changed && (*changed)->empty();
    }
    if (intact) {
      if (auto old = cached_package(ws, it->second)) {
        // Not installed until the update completes: an interruption means "install afresh".
        (*installed)[key] = "";
        durable_claims[key] = "";
        REEL_TRY(write_installed(ws, durable_claims));
        auto done = update_in_place(ws, *locked, *old, package, report, warned_copy);
        if (!done) return tl::unexpected(done.error());
        updated = *done;
        if (updated) add_package_dirs(ws, *locked, *old, placed_dirs);  // emptied folders went
      }
    }
    if (!updated) REEL_TRY(materialise_package(ws, *locked, package, report, warned_copy));
    REEL_TRY(record_package(ws, key, *locked, package, *records));
    add_package_dirs(ws, *locked, package, placed_dirs);
    (*installed)[key] = locked->archive.hex();
    report.installed.push_back(locked->name + " " + locked->version.to_string());
    ws.context().reporter.info("installed " + locked->name + " " + locked->version.to_string());
  }
  // Remove what reel installed that the lock no longer names; touch nothing else.
  auto entries = fs.list_dir(ws.inputs_dir());
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    std::string key = lower_name(e.name);
    if (wanted.count(key) || !installed->count(key)) continue;
    REEL_TRY(fs.remove_all(ws.inputs_dir() / e.name));
    installed->erase(key);
    records->forget(key);
    placed_dirs.insert(ws.inputs_dir());  // the removal, durable before the claim goes
    report.removed.push_back(e.name);
    ws.context().reporter.info("removed " + e.name);
  }
  for (auto it = installed->begin(); it != installed->end();) {
    if (wanted.count(it->first)) {
      ++it;
    } else {
      records->forget(it->first);
      it = installed->erase(it);
    }
  }
  // Durable, then claimed: the folders whose entries this sync made, renamed or removed, then
  // the records of what it placed (the next sync trusts a claimed package by them), then the
  // claims. The placed files' bytes are not fsynced (hard links into the cache share its
  // objects, which are not: decisions.md); a file that lost them has another size than its
  // record, and the next sync places it again.
  // On 8 threads, so the journal commits many of them at once (658 packages: 3 s → a fraction).
  std::vector<fs::path> dirs(placed_dirs.begin(), placed_dirs.end());
  REEL_TRY(parallel_for(dirs.size(), 8, [&](std::size_t i) { return fs.sync_directory(dirs[i]); }));
  if (records->changed()) {
    REEL_TRY(records->save(fs, installed_files_path(ws.root()), /*sync=*/!placed_dirs.empty()));
  }
  // A no-op sync writes nothing (an fsync of installed.json cost most of its time).
  if (*installed != durable_claims) REEL_TRY(write_installed(ws, *installed));
  // An editable output outside a dependent's range is worth knowing; it never fails the sync.
  if (auto warnings = editable_range_warnings(ws, **lock)) {
    for (const auto& w : *warnings) ws.context().reporter.warn(w);
  }
  return report;
}

}  // namespace reel
