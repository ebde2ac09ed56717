// Bundles (DESIGN §5 `reel export bundle` / `reel import bundle`): a lock's whole closure in one
// tar.zst, for an air-gapped site or a farm with no route to the repo. A bundle is a folder repo
// (DESIGN §2 layout) holding exactly the locked versions, plus the workspace's two files:
//   reel-repo.json                                    {"format": 1, "name": "bundle"}
//   index/<lower name>.json                           the locked version's index entry only
//   packages/<lower name>/<Name>-<version>.reel       its package archive
//   objects/sha256/<2 hex>/<62 hex>                   every content object the archives name
//   workspace/reel.lock, workspace/workspace.toml     the exporting workspace's, byte for byte
// Members are regular files in sorted path order with fixed metadata (mtime 0, uid/gid 0, mode
// 0644), so the same lock gives a byte-identical bundle. Decisions: docs/decisions.md "Bundles".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reel/workspace/context.h"
#include "reel/workspace/workspace.h"

namespace reel {

// The member paths of a bundle (the one place that names them).
inline constexpr const char* kBundleRepoName = "bundle";  // the name in its reel-repo.json
inline constexpr const char* kBundleLockPath = "workspace/reel.lock";
inline constexpr const char* kBundleConfigPath = "workspace/workspace.toml";

// What an export or an import did. Counts are of distinct items; bytes are uncompressed.
struct BundleReport {
  std::size_t packages = 0;           // locked packages in the bundle
  std::uint64_t objects = 0;          // distinct content objects in the bundle
  std::uint64_t object_bytes = 0;     // their total size
  std::uint64_t bundle_bytes = 0;     // size of the bundle file (compressed)
  std::uint64_t objects_fetched = 0;  // export: fetched from the repos into the cache first
  std::uint64_t objects_stored = 0;   // import: objects new to the cache
  std::uint64_t archives_stored = 0;  // import: package archives new to the cache
  std::uint64_t published = 0;        // import with repo_dir: versions newly in that repo
};

struct ExportBundleOptions {
  int zstd_level = 3;  // zstd compression level, 1-19
};

// Writes the closure of `ws`'s reel.lock to `dest` (a tar.zst, layout above). Each locked
// package's archive is taken as sync takes it (locked_package: the cache, else its repo, checked
// against the lock's digest) and its objects as sync prepares them (prepare_objects: fetched into
// the cache when missing); each object is streamed from the cache (constant memory) and re-hashed
// on the way. The index entry comes from the package's repo. The bundle is written to a temp
// file beside `dest` and renamed over it once complete and fsynced: on any failure `dest` is not
// touched. Holds the cache against gc while it runs. Errors: kNotFound (no reel.lock, a version
// the repo lacks), kCorruption (a repo or cache object or archive that does not match its digest,
// an index entry naming another archive than the lock), the repos' errors (kNetwork), kNoSpace,
// kIOError.
Result<BundleReport> export_bundle(Workspace& ws, const fs::path& dest,
                                   const ExportBundleOptions& options = {});

struct ImportBundleOptions {
  // Also make the content a folder repo here (created if absent or empty): each package is
  // published into it with the repo's own publish (same version and digest: a no-op; another
  // digest: kConflict), so `reel init J --repo blessed=DIR && reel sync --frozen` works offline.
  std::optional<fs::path> repo_dir;
  // Also write the bundle's workspace.toml and reel.lock into this folder (created if missing;
  // files already there must be identical, else kAlreadyExists), and register it with the cache
  // (gc then keeps what its lock names). With repo_dir, every repo the lock names points at
  // repo_dir in the written workspace.toml (its token-file and ca-file dropped).
  std::optional<fs::path> workspace_dir;
};

// Imports a bundle into the cache: every object is streamed and hashed into the cache's object
// store (installed only on a digest match), every archive checked against its index entry and
// the bundle's reel.lock, then stored in the cache's archive store; then repo_dir and
// workspace_dir as above. Afterwards `reel sync --frozen` of a workspace with that lock needs no
// repo. Refuses (kCorruption, naming the bundle and the entry) an entry whose path is absolute or
// holds "..", that is not a regular file, is outside the layout or appears twice, bytes that are
// not a tar.zst or end early, an object or archive whose bytes do not match their name or index
// entry (nothing of that member is stored), a locked package the bundle lacks; an archive or an
// index file over 64 MiB. Objects imported before an error stay in the cache (verified, and
// collectable by gc); archives are stored only once the whole bundle is checked. Holds the cache
// against gc while it runs. Errors also: kNotFound (no such bundle), kIOError, kNoSpace.
Result<BundleReport> import_bundle(Context& ctx, const fs::path& bundle,
                                   const ImportBundleOptions& options = {});

}  // namespace reel
