// Digests of files and folders in an asset, for build steps (steps.lock) and ingest
// (sources.lock). Private to the workspace library.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reel/storage/digest.h"
#include "reel/storage/file_system.h"

namespace reel {

// What is at a path: its kind, its digest (a file's bytes; a folder's folder_digest() in
// steps_lock.h; a symlink's sha256 of "symlink:" + target), its size in bytes (summed over a
// folder's files), the number of files (folders), and the newest mtime in it.
struct PathDigest {
  FileType type = FileType::kMissing;
  Digest sha256;
  std::uint64_t size = 0;
  std::uint64_t files = 0;
  std::int64_t newest_mtime_ns = 0;
};

// Digests `path` (symlinks are not followed at the top either: an asset's link is its text).
// A folder's entries named .git or .reel (in any spelling, path_rules.h) are skipped; special
// files are kInvalidArgument naming them. A missing path is type kMissing, not an error. The
// seam's errors otherwise. Files are streamed (sha256_file): constant memory.
Result<PathDigest> digest_path(FileSystem& fs, const fs::path& path);

// The files below `dir` as (path relative to `dir`, full path), sorted by relative path,
// reserved components skipped, symlinks listed as files. kInvalidArgument for special files.
Result<std::vector<std::pair<std::string, fs::path>>> list_tree(FileSystem& fs,
                                                                const fs::path& dir);

}  // namespace reel
