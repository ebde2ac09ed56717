// Looking after the shared cache (DESIGN §2 "Local cache"): which workspaces use it, re-hashing
// it (`reel verify --cache`) and collecting what nothing refers to (`reel gc`), safely while other
// reel processes run.
//
// Workspaces register themselves: CACHE/workspaces-v1/<first 32 hex of sha256(root path)> holds
// the workspace's absolute root path and a newline. A registration whose folder no longer holds a
// workspace.toml is forgotten by gc, as cargo-cache and uv forget projects that are gone.
//
// Concurrency: processes that add references to the cache (sync, build, publish) hold a shared
// lock on CACHE/locks/gc for as long as they work (CacheUse); gc holds it exclusively, so it never
// runs between a sync's fetch and the lock/install that refer to what it fetched. As git's gc
// keeps recent loose objects, gc also keeps every object younger than its own start (writers that
// do not take the lock, such as an older reel).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reel/workspace/context.h"

namespace reel {

// The cache's workspace registrations folder and the gc lock file.
fs::path workspaces_dir(Cache& cache);
fs::path gc_lock_path(Cache& cache);

// Records `root` (absolute) as a workspace using the cache; a no-op if already registered.
// Errors: kIOError, kNoSpace (writing the registration).
Status register_workspace(Context& ctx, const fs::path& root);

// A shared hold on the cache for the duration of a command that adds references to it (see
// above). Errors: kIOError creating the lock file (a read-only cache: the message names it).
Result<std::unique_ptr<FileLock>> hold_cache(Context& ctx);

struct GcOptions {
  bool dry_run = false;  // report what would go; remove nothing
};

struct GcReport {
  std::size_t workspaces = 0;          // registered workspaces found
  std::vector<std::string> forgotten;  // registrations dropped: their folder is gone
  std::uint64_t objects_kept = 0, objects_removed = 0;
  std::uint64_t archives_kept = 0, archives_removed = 0;
  std::uint64_t bytes_removed = 0;  // objects and archives
  std::uint64_t temp_files_removed = 0;  // and staging folders of killed imports
};

// Removes every cache object and archive that no registered workspace refers to, through its
// reel.lock, its installed packages (.reel/installed.json) or its build/*.reel archives; objects
// younger than the start of the collection stay. Also removes what killed commands left: temp
// files and import staging folders in the stores' tmp/ folders, temp files in workspaces-v1/ and
// locks/, and fetch locks — those younger than the start stay. Holds the gc
// lock exclusively (waits for running syncs and builds). Errors: a registered workspace whose
// reel.lock or build archive cannot be read stops the collection before anything is removed
// (kCorruption / kInvalidArgument naming the file: gc never guesses what is unused); I/O errors.
Result<GcReport> collect_garbage(Context& ctx, const GcOptions& options);

// Re-hashes every object and archive of the cache (two threads). Returns one line per mismatch:
// "CACHE/objects-v1/sha256/ab/cd…: content does not match its name (sha256:…)"; empty when
// everything matches. Errors: I/O errors listing or reading the cache.
Result<std::vector<std::string>> verify_cache(Context& ctx, std::uint64_t* objects_checked);

}  // namespace reel
