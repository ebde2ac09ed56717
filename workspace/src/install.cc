// Lock and sync (install.h).
#include "reel/workspace/install.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/provider.h"
#include "reel/workspace/environment.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/outputs.h"
#include "sourced_provider.h"

namespace reel {
namespace {

std::string random_tag() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(8, '0');
  auto v = rng();
  for (auto& c : s) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return s;
}

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
                                                           const LockOptions& options) {
  std::vector<DependencySpec> out;
  for (const auto& [name, text] : ws.config().requirements) {
    auto range = Range::parse(text);
    if (!range)
      return make_error(ErrorCode::kInvalidArgument, ws.config_path().string() +
                                                         ": [requirements] " + name + ": " +
                                                         range.error().to_string());
    out.push_back({name, text, *range});
  }
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  for (const auto& name : *outputs) {
    fs::path file = ws.outputs_dir() / name / "asset.toml";
    auto text = ws.context().fs.read_file(file);
    if (!text) return tl::unexpected(text.error());
    auto m = parse_manifest(*text, file.string());
    if (!m) return tl::unexpected(m.error());
    auto add = [&](const std::vector<DependencySpec>& deps) {
      for (const auto& d : deps) {
        if (lower_name(d.name) != lower_name(m->name)) out.push_back(d);
      }
    };
    add(m->dependencies);
    if (auto it = m->groups.find("edit"); it != m->groups.end()) add(it->second);
    for (const auto& g : options.groups) {
      if (auto it = m->groups.find(g); it != m->groups.end()) add(it->second);
    }
  }
  return out;
}

Result<LockOutcome> lock_workspace(Workspace& ws, const LockOptions& options) {
  auto reqs = workspace_requirements(ws, options);
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
  ResolveResult result = resolve(provider, request);
  if (provider.error()) return tl::unexpected(*provider.error());
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
    auto where = provider.repo_of(name);
    if (!entry || !where)
      return make_error(ErrorCode::kNotFound,
                        name + " " + version.to_string() + " vanished from its repo");
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
  const std::string what = locked.name + " " + locked.version.to_string();
  auto repo = ws.repo(locked.repo);
  if (!repo) return tl::unexpected(repo.error());
  auto index = (*repo)->read_index(locked.name);
  if (!index) return tl::unexpected(index.error());
  const IndexEntry* entry = *index ? (*index)->find(locked.version) : nullptr;
  if (!entry) {
    return make_error(ErrorCode::kNotFound,
                      what + " is not in repo '" + locked.repo + "' (" + (*repo)->url() + ")");
  }
  if (entry->archive.sha256 != locked.archive) {
    return make_error(ErrorCode::kCorruption,
                      what + ": repo '" + locked.repo +
                          "' has archive sha256:" + entry->archive.sha256.hex() +
                          " but reel.lock names " + locked.archive.prefixed());
  }
  return LockedIndexEntry{*repo, (*index)->name, *entry};
}

namespace {

// Reads an archive's package and checks that its asset.toml names the locked package: an index
// entry must not install another asset's manifest under its name (kCorruption).
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

}  // namespace

Result<BuiltPackage> locked_package(Workspace& ws, const LockedPackage& locked) {
  Context& ctx = ws.context();
  ObjectStore& archives = ctx.cache.archives();
  std::string what = locked.name + " " + locked.version.to_string();
  auto have = archives.contains(locked.archive);
  if (!have) return tl::unexpected(have.error());
  if (*have) {
    auto bytes = ctx.fs.read_file(archives.object_path(locked.archive), kMaxArchiveBytes);
    if (!bytes) return tl::unexpected(bytes.error());
    if (sha256_bytes(*bytes) == locked.archive) return package_for(locked, *bytes, what);
    // A damaged cached archive: drop it and fetch it again.
    (void)ctx.fs.set_mode(archives.object_path(locked.archive), 0644);
    REEL_TRY(ctx.fs.remove(archives.object_path(locked.archive)));
    ctx.reporter.warn("the cached archive of " + what + " was damaged; fetching it again");
  }
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
  Context& ctx = ws.context();
  ObjectStore& objects = ctx.cache.objects();
  auto turn = ctx.fs.lock_exclusive(ctx.cache.locks_dir() / ("fetch-" + locked.archive.hex()));
  if (!turn) return tl::unexpected(turn.error().with_context("using the cache"));
  std::vector<const FileEntry*> missing;
  std::set<Digest> seen;
  for (const auto& f : package.files) {
    if (f.symlink || !seen.insert(f.sha256).second) continue;
    fs::path path = objects.object_path(f.sha256);
    auto st = ctx.fs.stat(path);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kRegular && st->size == f.size) continue;
    if (st->type != FileType::kMissing) {
      ctx.reporter.warn("cache object " + f.sha256.prefixed() + " (" + locked.name + ": " + f.path +
                        ") is damaged; fetching it again");
      (void)ctx.fs.set_mode(path, 0644);
      REEL_TRY(ctx.fs.remove(path));
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

// One file to place: an object of the cache at `dest` (which must not exist unless `replace`:
// then it is placed beside it under a temp name and renamed over it, atomically).
struct Placement {
  const FileEntry* file;
  fs::path dest;
  bool replace = false;
};

// Places `files` from the cache with the workspace's link mode, on two threads when there are
// enough files to be worth it; counts them into `report`. The first error wins.
Status place_files(Workspace& ws, const std::string& package, const std::vector<Placement>& files,
                   SyncReport& report, bool& warned_copy) {
  Context& ctx = ws.context();
  const LinkMode mode = ws.config().link_mode;
  struct Share {
    std::optional<Error> error;
    std::optional<LinkMode> used;
    bool copied = false;
    std::uint64_t files = 0, bytes = 0;
  };
  auto place = [&](const Placement& p) -> Result<LinkMode> {
    const FileEntry& f = *p.file;
    fs::path target = p.replace ? p.dest.parent_path() / (".reel-tmp-" + random_tag()) : p.dest;
    if (f.symlink) {
      REEL_TRY(ctx.fs.symlink(*f.symlink, target));
    } else {
      auto used = ctx.cache.objects().materialise(f.sha256, target, mode, f.executable);
      if (!used) return tl::unexpected(used.error());
      if (!p.replace) return *used;
      if (auto r = ctx.fs.rename(target, p.dest); !r) {
        (void)ctx.fs.remove(target);
        return tl::unexpected(r.error());
      }
      return *used;
    }
    if (p.replace) {
      if (auto r = ctx.fs.rename(target, p.dest); !r) {
        (void)ctx.fs.remove(target);
        return tl::unexpected(r.error());
      }
    }
    return LinkMode::kSymlink;
  };
  auto run = [&](std::size_t first, std::size_t step, Share& share) {
    for (std::size_t i = first; i < files.size() && !share.error; i += step) {
      const FileEntry& f = *files[i].file;
      auto used = place(files[i]);
      if (!used) {
        share.error = used.error().with_context(package + ": " + f.path);
        return;
      }
      if (f.symlink) continue;
      if (mode == LinkMode::kAuto && *used == LinkMode::kCopy && !f.executable) share.copied = true;
      share.used = *used;
      ++share.files;
      share.bytes += f.size;
    }
  };
  Share shares[2];
  if (files.size() >= 32) {
    std::thread helper(run, 1, 2, std::ref(shares[1]));
    run(0, 2, shares[0]);
    helper.join();
  } else {
    run(0, 1, shares[0]);
  }
  for (const Share& share : shares) {
    if (share.used) report.link_mode = share.used;
    report.files += share.files;
    report.bytes += share.bytes;
    if (share.copied && !warned_copy) {
      warned_copy = true;
      ctx.reporter.warn(
          "hard links into the cache failed (another file system?); copying files instead");
    }
  }
  for (const Share& share : shares) {
    if (share.error) return tl::unexpected(*share.error);
  }
  return ok();
}

// Installs `package` into a fresh temp folder in inputs/, then swaps it in by rename.
Status materialise_package(Workspace& ws, const LockedPackage& locked, const BuiltPackage& package,
                           SyncReport& report, bool& warned_copy) {
  Context& ctx = ws.context();
  FileSystem& fs = ctx.fs;
  fs::path final_dir = ws.inputs_dir() / locked.name;
  fs::path temp = ws.inputs_dir() / (".tmp-" + locked.name + "-" + random_tag());
  REEL_TRY(fs.create_directories(temp));
  auto fail = [&](const Error& e) {
    (void)fs.remove_all(temp);
    return tl::unexpected(e);
  };
  if (auto st = fs.write_file_atomic(temp / "asset.toml", package.manifest_text, false); !st)
    return fail(st.error());
  if (auto st = fs.set_mode(temp / "asset.toml", 0444); !st) return fail(st.error());
  std::vector<Placement> files;
  std::set<fs::path> dirs;
  for (const auto& f : package.files) {
    fs::path dest = temp / f.path;
    if (dirs.insert(dest.parent_path()).second) {
      if (auto st = fs.create_directories(dest.parent_path()); !st) return fail(st.error());
    }
    files.push_back(Placement{&f, dest});
  }
  if (auto st = place_files(ws, locked.name, files, report, warned_copy); !st)
    return fail(st.error());
  auto st = fs.stat(final_dir);
  if (!st) return fail(st.error());
  fs::path old = ws.inputs_dir() / (".old-" + locked.name + "-" + random_tag());
  if (st->type != FileType::kMissing) {
    if (auto r = fs.rename(final_dir, old); !r) return fail(r.error());
  }
  if (auto r = fs.rename(temp, final_dir); !r) return fail(r.error());
  if (st->type != FileType::kMissing) REEL_TRY(fs.remove_all(old));
  return ok();
}

// The package installed before, read back from the cache's archive (nullopt if it is not there
// or unreadable: the caller installs afresh).
std::optional<BuiltPackage> cached_package(Workspace& ws, const std::string& archive_hex) {
  auto digest = Digest::from_hex(archive_hex);
  if (!digest) return std::nullopt;
  auto bytes = ws.context().fs.read_file(ws.context().cache.archives().object_path(*digest),
                                         kMaxArchiveBytes);
  if (!bytes || sha256_bytes(*bytes) != *digest) return std::nullopt;
  auto package = read_package(*bytes, archive_hex);
  if (!package) return std::nullopt;
  return std::move(*package);
}

// True if a path of one list is a folder in the other ("a" a file in one, "a/b" in the other):
// an in-place update cannot turn one into the other file by file.
bool kinds_clash(const std::map<std::string, const FileEntry*>& a,
                 const std::map<std::string, const FileEntry*>& b) {
  for (const auto& [path, entry] : a) {
    auto it = b.lower_bound(path + "/");
    if (it != b.end() && it->first.compare(0, path.size() + 1, path + "/") == 0) return true;
  }
  return false;
}

// Moves inputs/NAME from `old` to `package` touching only what differs (a re-render of 3 frames
// of 1,095 replaces 3 files): changed files are placed under a temp name and renamed over the old
// ones, removed ones deleted, asset.toml rewritten if it changed. The caller has marked the
// package as not installed first, so an interruption leaves a state the next sync reinstalls from
// scratch. Returns false, having touched nothing, when the update cannot be done in place.
Result<bool> update_in_place(Workspace& ws, const LockedPackage& locked, const BuiltPackage& old,
                             const BuiltPackage& package, SyncReport& report, bool& warned_copy) {
  FileSystem& fs = ws.context().fs;
  const fs::path root = ws.inputs_dir() / locked.name;
  std::map<std::string, const FileEntry*> before, after;
  for (const auto& f : old.files) before[f.path] = &f;
  for (const auto& f : package.files) after[f.path] = &f;
  if (kinds_clash(before, after) || kinds_clash(after, before)) return false;
  std::vector<Placement> changed;
  for (const auto& [path, f] : after) {
    auto it = before.find(path);
    bool same = it != before.end() && it->second->symlink == f->symlink &&
                (f->symlink || (it->second->sha256 == f->sha256 &&
                                it->second->executable == f->executable));
    if (same) continue;
    fs::path dest = root / path;
    REEL_TRY(fs.create_directories(dest.parent_path()));
    changed.push_back(Placement{f, dest, it != before.end()});
  }
  REEL_TRY(place_files(ws, locked.name, changed, report, warned_copy));
  for (const auto& [path, f] : before) {
    if (after.count(path)) continue;
    REEL_TRY(fs.remove(root / path));
    // Folders left empty go too (a failing remove means the folder still holds something).
    for (fs::path dir = (root / path).parent_path(); dir != root; dir = dir.parent_path()) {
      auto entries = fs.list_dir(dir);
      if (!entries || !entries->empty()) break;
      REEL_TRY(fs.remove(dir));
    }
  }
  if (old.manifest_text != package.manifest_text) {
    REEL_TRY(fs.write_file_atomic(root / "asset.toml", package.manifest_text, false));
    REEL_TRY(fs.set_mode(root / "asset.toml", 0444));
  }
  return true;
}

// Removes what an interrupted sync left in inputs/: the temp folder of a fresh install
// (".tmp-NAME-TAG") and a replaced version not yet deleted (".old-NAME-TAG"). Package names
// cannot start with '.', so these names are reel's own. The caller holds the workspace's sync
// lock, so no running sync owns them. (A package interrupted mid-update holds ".reel-tmp-" files;
// installed.json marks it not installed, so it is reinstalled from scratch and they go with it.)
Status remove_leftovers(Workspace& ws) {
  FileSystem& fs = ws.context().fs;
  auto entries = fs.list_dir(ws.inputs_dir());
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    if (e.name.rfind(".tmp-", 0) != 0 && e.name.rfind(".old-", 0) != 0) continue;
    fs::path path = ws.inputs_dir() / e.name;
    if (auto st = fs.remove_all(path); !st)
      return tl::unexpected(st.error().with_context("removing what an interrupted sync left"));
  }
  return ok();
}

}  // namespace

Result<SyncReport> sync_workspace(Workspace& ws, SyncMode mode, const LockOptions& options) {
  SyncReport report;
  auto lock = ws.read_lock();
  if (!lock) return tl::unexpected(lock.error());
  if (mode == SyncMode::kFrozen) {
    if (!*lock)
      return make_error(ErrorCode::kNotFound,
                        ws.lock_path().string() + " does not exist (--frozen never resolves)");
  } else {
    bool stale = !*lock;
    if (*lock) {
      auto s = lock_is_stale(ws, **lock, options);
      if (!s) return tl::unexpected(s.error());
      stale = *s;
    }
    if (stale && mode == SyncMode::kLocked) {
      return make_error(
          ErrorCode::kConflict,
          ws.lock_path().string() +
              (*lock ? " is stale: workspace.toml's requirements or sources, or an output's "
                       "dependencies, changed since it was written"
                     : " does not exist") +
              "; run `reel lock` (or sync without --locked)");
    }
    if (stale) {
      auto outcome = lock_workspace(ws, options);
      if (!outcome) return tl::unexpected(outcome.error());
      if (!outcome->lock) {
        report.explanation = outcome->explanation;
        return report;
      }
      *lock = std::move(outcome->lock);
    }
  }
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
  bool warned_copy = false;
  std::set<std::string> wanted;
  // Plan and prepare every package first (archives and objects into the cache, verified), so a
  // missing or corrupt object fails the sync before anything in inputs/ changes.
  std::vector<std::pair<const LockedPackage*, BuiltPackage>> plan;
  for (const auto& locked : (*lock)->packages) {
    std::string key = lower_name(locked.name);
    wanted.insert(key);
    auto it = installed->find(key);
    auto here = fs.stat(ws.inputs_dir() / locked.name);
    if (!here) return tl::unexpected(here.error());
    if (it != installed->end() && it->second == locked.archive.hex() &&
        here->type == FileType::kDirectory) {
      ++report.unchanged;
      continue;
    }
    auto package = locked_package(ws, locked);
    if (!package) return tl::unexpected(package.error());
    REEL_TRY(prepare_objects(ws, locked, *package, report));
    plan.emplace_back(&locked, std::move(*package));
  }
  for (const auto& [locked, package] : plan) {
    const std::string key = lower_name(locked->name);
    // A new version of an installed package is updated in place, file by file, when the old
    // version's archive is in the cache; otherwise it is installed afresh.
    bool updated = false;
    auto it = installed->find(key);
    auto here = fs.stat(ws.inputs_dir() / locked->name);
    if (!here) return tl::unexpected(here.error());
    if (it != installed->end() && here->type == FileType::kDirectory) {
      if (auto old = cached_package(ws, it->second)) {
        // Not installed until the update completes: an interruption means "install afresh".
        (*installed)[key] = "";
        REEL_TRY(write_installed(ws, *installed));
        auto done = update_in_place(ws, *locked, *old, package, report, warned_copy);
        if (!done) return tl::unexpected(done.error());
        updated = *done;
      }
    }
    if (!updated) REEL_TRY(materialise_package(ws, *locked, package, report, warned_copy));
    (*installed)[key] = locked->archive.hex();
    REEL_TRY(write_installed(ws, *installed));
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
    REEL_TRY(write_installed(ws, *installed));
    report.removed.push_back(e.name);
    ws.context().reporter.info("removed " + e.name);
  }
  for (auto it = installed->begin(); it != installed->end();) {
    it = wanted.count(it->first) ? std::next(it) : installed->erase(it);
  }
  REEL_TRY(write_installed(ws, *installed));
  // An editable output outside a dependent's range is worth knowing; it never fails the sync.
  if (auto warnings = editable_range_warnings(ws, **lock)) {
    for (const auto& w : *warnings) ws.context().reporter.warn(w);
  }
  return report;
}

}  // namespace reel
