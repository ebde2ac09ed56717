// Materialising packages into inputs/ (the install step of sync: uv's installer), private to the
// workspace library: placing files from the cache with the link mode, fresh installs into a temp
// folder swapped in by rename, in-place updates file by file, the records of what was placed
// (installed_files.h) and the repair of installed files that were changed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "installed_files.h"
#include "reel/engine/package.h"
#include "reel/workspace/install.h"
#include "reel/workspace/workspace.h"

namespace reel {

// 8 random hex digits, for temp names in inputs/.
std::string random_tag();

// One file to place: an object of the cache at `dest` (which must not exist unless `replace`:
// then it is placed beside it under a temp name and renamed over it, atomically).
struct Placement {
  const FileEntry* file;
  fs::path dest;
  bool replace = false;
};

// Places `files` from the cache with the workspace's link mode, on two threads when there are
// enough files to be worth it; counts them into `report`. The first error wins. `warned_copy`:
// whether the fall-back-to-copy warning was given already this sync.
Status place_files(Workspace& ws, const std::string& package, const std::vector<Placement>& files,
                   SyncReport& report, bool& warned_copy);

// Installs `package` into a fresh temp folder in inputs/, then swaps it in by rename.
Status materialise_package(Workspace& ws, const LockedPackage& locked, const BuiltPackage& package,
                           SyncReport& report, bool& warned_copy);

// The package installed before, read back from the cache's archive (nullopt if it is not there
// or unreadable: the caller installs afresh).
std::optional<BuiltPackage> cached_package(Workspace& ws, const std::string& archive_hex);

// Moves inputs/NAME from `old` to `package` touching only what differs (a re-render of 3 frames
// of 1,095 replaces 3 files): changed files are placed under a temp name and renamed over the old
// ones, removed ones deleted, asset.toml rewritten if it changed. The caller has marked the
// package as not installed first, so an interruption leaves a state the next sync reinstalls from
// scratch. Returns false, having touched nothing, when the update cannot be done in place.
Result<bool> update_in_place(Workspace& ws, const LockedPackage& locked, const BuiltPackage& old,
                             const BuiltPackage& package, SyncReport& report, bool& warned_copy);

// Adds the folders of the installed `package` at inputs/NAME that exist (NAME itself, the
// folders of its files) and inputs/ to `dirs`: what sync fsyncs before it claims the package.
void add_package_dirs(Workspace& ws, const LockedPackage& locked, const BuiltPackage& package,
                      std::set<fs::path>& dirs);

// Removes what an interrupted sync left in inputs/ (".tmp-NAME-TAG", ".old-NAME-TAG"). The caller
// holds the workspace's sync lock.
Status remove_leftovers(Workspace& ws);

// Records the lstat of every file of the installed `package` (asset.toml included) as package
// `key`'s records. Errors: kIOError from lstat.
Status record_package(Workspace& ws, const std::string& key, const LockedPackage& locked,
                      const BuiltPackage& package, InstalledFiles& records);

// The installed files of package `key` (at inputs/NAME) whose lstat no longer matches its record
// (written, replaced, removed, chmod-ed), as package paths; nullopt when the package has no
// records at all. One lstat a file, no hashing.
Result<std::optional<std::vector<std::string>>> changed_files(Workspace& ws,
                                                              const std::string& key,
                                                              const std::string& name,
                                                              const InstalledFiles& records);

// Places the files `paths` of the installed `package` again (asset.toml rewritten, content files
// from the cache after prepare_files checked their objects: a damaged one is quarantined and
// fetched again), each under a temp name renamed over what is there, and records them. Adds
// "inputs/NAME/PATH" to report.repaired for each.
Status repair_files(Workspace& ws, const std::string& key, const LockedPackage& locked,
                    const BuiltPackage& package, const std::vector<std::string>& paths,
                    SyncReport& report, bool& warned_copy, InstalledFiles& records);

}  // namespace reel
