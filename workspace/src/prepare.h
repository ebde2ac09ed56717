// Sync's prepare step (uv's preparer), private to the workspace library: the archives and objects
// of every package a sync installs, fetched into the cache as one pipeline (issue 16).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/engine/index.h"
#include "reel/engine/package.h"
#include "reel/workspace/install.h"
#include "reel/workspace/workspace.h"

namespace reel {

// Checks that `index` (read from `repo`, which the lock names for `locked`) holds the locked
// version with the lock's archive digest. Errors as locked_index_entry's.
Result<LockedIndexEntry> check_locked_entry(const LockedPackage& locked, Repo& repo,
                                            const std::optional<PackageIndex>& index);

// Reads an archive's package and checks that its asset.toml names the locked package: an index
// entry must not install another asset's manifest under its name (kCorruption naming `what`).
Result<BuiltPackage> package_for(const LockedPackage& locked, std::string_view bytes,
                                 const std::string& what);

// The cache's archive of `locked`, read and checked (package_for), or nullopt when the cache
// lacks it; a damaged one (bytes that do not hash to the lock's digest) is removed with a
// warning, and nullopt returned. Errors: kIOError, kCorruption (another package's manifest).
Result<std::optional<BuiltPackage>> cached_locked_package(Workspace& ws,
                                                          const LockedPackage& locked);

// locked_package and prepare_objects for many packages at once, as one pipeline. In batches of
// at most kFetchLockBatch packages, in archive-digest order, holding every package's fetch lock
// of the batch (lock_fetch, install.h): archives the cache holds are used as they are; the rest
// are read from where the repo layout puts them (Repo::read_archives, all at once), each checked
// against the lock's digest before the cache keeps it; only those not found there or not matching
// go through their index entries (Repo::read_indexes: conditional GETs from the http-v1/ cache
// over HTTP), which give the precise error; then every object the batch names that the
// cache lacks or holds damaged goes through one Repo::fetch_objects call a repo (one shared pool
// of transfers over HTTP, each object hashed as it lands). A concurrent sync of the same
// packages waits on the first lock, then finds archives and objects in the cache: each is
// fetched once. Two syncs take common locks in the same order, so they cannot deadlock.
// `packages` must not name one archive twice. Returns the packages, in the order given. Errors:
// as locked_package's and prepare_objects', for the first failure; what was fetched before it
// stays in the cache.
Result<std::vector<BuiltPackage>> prepare_packages(
    Workspace& ws, const std::vector<const LockedPackage*>& packages, SyncReport& report);

// Fetch locks held at once by prepare_packages (each an open file): well under the common
// 1,024-descriptor limit with the transfers' sockets and temp files.
inline constexpr std::size_t kFetchLockBatch = 512;

}  // namespace reel
