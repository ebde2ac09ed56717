// A stat cache (git's index, borg's files cache): for each file of one folder, the stat fields
// seen when it was last hashed and its digest. A file whose size, mtime, ctime and inode all still
// match is taken to hold the same bytes without reading it, so re-publishing a 500-frame sequence
// in which 3 frames changed hashes 3 files. `reel verify` never uses it (it always hashes).
//
// Racy entries (git's "racily clean" problem, Documentation/technical/racy-git.txt): a file changed
// in the same timestamp granule as the cache was written could have changed after it was hashed
// without its mtime moving, so, as git does with its index file, an entry is trusted only if the
// file's mtime and ctime are older than the cache file's own mtime.
//
// File format (one entry a line, fields separated by one space, the path last so it may hold
// spaces; paths never hold newlines, build_package refuses those):
//   reel-stat-cache 1
//   <sha256 hex> <size> <mtime ns> <ctime ns> <inode> <path>
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "reel/storage/digest.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

class StatCache {
 public:
  StatCache() = default;

  StatCache(const StatCache&) = delete;
  StatCache& operator=(const StatCache&) = delete;

  // Replaces the entries with those of `file`, trusted only for files older than `file` (see
  // above). A missing file leaves the cache empty; so does a malformed one (it is only a cache:
  // the files are hashed again). Errors: kIOError reading an existing file.
  Status load(FileSystem& fs, const fs::path& file);

  // The digest recorded for `path` if `st` still matches it (size, mtime, ctime, inode).
  // Thread-safe.
  std::optional<Digest> lookup(const std::string& path, const FileStat& st) const;
  // Records what hashing `path` with stat `st` gave. Thread-safe.
  void record(const std::string& path, const FileStat& st, const Digest& digest);
  // Keeps only the paths recorded or successfully looked up since load (deleted files drop out).
  void prune_unused();
  std::size_t size() const;

  // Writes the cache atomically (temp + rename; no fsync: losing it costs only re-hashing).
  Status save(FileSystem& fs, const fs::path& file) const;

 private:
  struct Entry {
    Digest digest;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    std::uint64_t inode = 0;
    mutable bool used = false;
  };
  std::int64_t racy_after_ns_ = INT64_MIN;  // the loaded file's mtime: nothing trusted before load
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace reel
