// Locking and syncing a workspace (DESIGN §4, §5): resolve the workspace's requirements into
// reel.lock, then make inputs/ match the lock (uv's plan -> prepare -> install: fetch archives and
// objects into the cache, verified on entry; link them into inputs/ with the link mode).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reel/engine/lock_file.h"
#include "reel/engine/manifest.h"
#include "reel/engine/package.h"
#include "reel/resolver/solver.h"
#include "reel/workspace/workspace.h"

namespace reel {

struct LockOptions {
  bool upgrade_all = false;         // --upgrade
  std::set<std::string> upgrade;    // --upgrade-package NAME
  std::vector<std::string> groups;  // --group NAME: outputs' dependency groups to include
  bool dry_run = false;             // --dry-run: resolve only, reel.lock is not written
};

// The root requirements: workspace.toml [requirements], plus for each output (outputs/NAME with an
// asset.toml) its [dependencies], its `edit` group and the groups named in `options`. When
// `requested_by` is given it gets, for each requirement in the same order, who asked for it: "the
// workspace" ([requirements]) or "output NAME".
Result<std::vector<DependencySpec>> workspace_requirements(
    Workspace& ws, const LockOptions& options, std::vector<std::string>* requested_by = nullptr);

struct LockOutcome {
  std::optional<LockFile> lock;  // the new lock, written to reel.lock
  std::string explanation;       // when there is no solution: why (reel.lock is left untouched)
  // "Table 3.3.0 is yanked: <reason>" for each yanked version the lock holds (DESIGN §4: only a
  // lock or an `==` pin brings one in), from the index entries resolution read: the same lines
  // as yanked_warnings (review.h) without reading every index file again.
  std::vector<std::string> yanked;
};

// Resolves against the install repos, preferring versions in the current reel.lock, and writes
// reel.lock (unless options.dry_run). Errors: repo I/O, malformed indexes, a malformed existing reel.lock.
Result<LockOutcome> lock_workspace(Workspace& ws, const LockOptions& options);

// True if `lock` no longer answers the workspace: its [requirements] differ from workspace.toml's,
// or an output's dependency is not met by the locked versions.
Result<bool> lock_is_stale(Workspace& ws, const LockFile& lock, const LockOptions& options);

// How much of inputs/ to trust (`reel sync --reinstall [NAME]`).
struct SyncOptions {
  bool reinstall_all = false;      // re-materialise every package from scratch
  std::set<std::string> reinstall;  // lower-case names to re-materialise from scratch
};

enum class SyncMode {
  kResolveIfNeeded,  // lock first if reel.lock is missing or stale
  kLocked,           // fail (kConflict) if reel.lock is missing or stale
  kFrozen,           // use reel.lock as it is; never resolve (farm bootstrap)
};

struct SyncReport {
  std::vector<std::string> installed;  // "Table 3.2.1"
  std::vector<std::string> removed;    // names
  std::vector<std::string> repaired;   // "inputs/Table/table.obj": changed or removed, placed again
  std::size_t unchanged = 0;
  std::uint64_t objects_quarantined = 0;  // damaged cache objects moved to quarantine-v1/
  std::uint64_t files = 0;  // files materialised
  std::uint64_t bytes = 0;
  std::uint64_t objects_fetched = 0;  // objects copied from repos into the cache (verified)
  std::uint64_t bytes_fetched = 0;
  std::optional<LinkMode> link_mode;  // the mode actually used for the last file
  std::string explanation;            // non-empty when resolving found no solution
};

// Makes inputs/ match the lock: installs missing or changed packages (each into a temp folder,
// then renamed into place), removes the ones the lock no longer names, touches nothing else.
// Every installed file is compared with what was placed (installed_files.h: one lstat a file, no
// hashing when nothing changed); a file that was written, replaced or removed is placed again,
// and when it was a hard link its cache object is checked first (a write through the link
// damaged it: quarantined and fetched again), so neither this workspace nor any other receives
// damaged bytes. A package without records (installed by an older reel) is re-materialised.
// A repo object or archive whose digest is wrong fails with kCorruption and nothing of that
// package is materialised. Every package to install is prepared before any is materialised, as
// one pipeline (issue 16): index files and archives of all of them fetched in parallel, then
// all their missing objects through one pool of transfers a repo, under all their fetch locks
// (prepare_objects' semantics: concurrent syncs fetch each object once).
Result<SyncReport> sync_workspace(Workspace& ws, SyncMode mode, const LockOptions& options,
                                  const SyncOptions& sync_options = {});

// What `reel verify --fix` found and did.
struct RepairReport {
  std::vector<std::string> problems;     // what verify found in inputs/ (as verify_inputs)
  std::vector<std::string> quarantined;  // "sha256:... (Table: table.obj)": cache objects whose
                                         // bytes no longer matched their name, moved aside
  SyncReport sync;                       // the reinstall of the packages with a problem
  std::vector<std::string> remaining;    // problems left after the repair (none, normally)
};

// `reel verify --fix`: re-hashes every cache object the lock's packages use (one that fails is
// quarantined) and every installed file (verify_package), then re-materialises from scratch every
// package with a problem (sync_workspace kFrozen with them in SyncOptions::reinstall), fetching
// from the repos what was quarantined, and verifies again. Errors: as sync_workspace's.
Result<RepairReport> repair_workspace(Workspace& ws, const LockFile& lock);

// Where reel records what it installed into inputs/ (WORKSPACE/.reel/installed.json: a JSON
// object, lower-case name -> archive digest hex; "" while a package is being updated).
fs::path installed_path(Workspace& ws);
// Reads it; a missing or unreadable file is an empty map (everything is reinstalled). Errors:
// kIOError.
Result<std::map<std::string, std::string>> read_installed(Workspace& ws);

// A locked version's entry in its repo's index, with the repo and the package's canonical name.
struct LockedIndexEntry {
  Repo* repo;        // the workspace's repo named by the lock (owned by the Workspace)
  std::string name;  // the index's spelling of the package name
  IndexEntry entry;
};
// Reads the index entry of `locked` from its repo and checks it names the lock's archive.
// Errors: the repo's (kNotFound for a repo not configured, kNetwork), kNotFound naming the repo
// if it lacks the version, kCorruption if its entry names another archive than reel.lock.
Result<LockedIndexEntry> locked_index_entry(Workspace& ws, const LockedPackage& locked);

// Reads the archive of a locked package (cache first, else its repo, checked against the lock).
// A cached archive whose digest matches the lock is used without opening the repo at all (a
// farm that imported a bundle syncs offline); a damaged one is dropped and fetched again.
Result<BuiltPackage> locked_package(Workspace& ws, const LockedPackage& locked);

// Sync's prepare step for one package (`package` is `locked`'s archive, from locked_package):
// fetches every object it names that the cache lacks, or holds damaged (ObjectStore::check: a
// changed entry record and bytes that no longer hash to the name, or the wrong size or kind;
// such an object is moved to the cache's quarantine-v1/ first), from the locked package's repo,
// each verified on entry; counts them into report.objects_fetched / bytes_fetched and
// report.objects_quarantined. The repo is opened only when something is missing.
// Holds the package's fetch lock meanwhile (lock_fetch), so concurrent processes fetch each
// object once. Errors: the repo's (kNotFound, kNetwork), kCorruption naming the package and file.
Status prepare_objects(Workspace& ws, const LockedPackage& locked, const BuiltPackage& package,
                       SyncReport& report);
// The fetch lock of the package whose archive is `archive`: held while its archive and objects
// are fetched into the cache, so concurrent processes fetch each once. One byte of
// CACHE/locks/fetch (FileSystem::lock_exclusive_byte) at fetch_lock_offset(archive): a sync of any
// number of packages creates no lock files. Take several in ascending offset order, never the
// same offset twice in one process (it would wait on itself). Errors: the file system's, with
// "using the cache".
Result<std::unique_ptr<FileLock>> lock_fetch(Context& ctx, const Digest& archive);
// The archive digest's first 62 bits, big-endian: its byte in CACHE/locks/fetch.
std::uint64_t fetch_lock_offset(const Digest& archive);
// prepare_objects for some of the package's files only (a repair of damaged inputs).
Status prepare_files(Workspace& ws, const LockedPackage& locked,
                     const std::vector<const FileEntry*>& files, SyncReport& report);

}  // namespace reel
