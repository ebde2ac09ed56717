// The local cache (DESIGN §2 "Local cache"): $REEL_CACHE_DIR, else $XDG_CACHE_HOME/reel, else
// ~/.cache/reel. Versioned buckets so a format change needs no migration:
//   objects-v1/sha256/<2>/<62>   content objects (an ObjectStore)
//   archives-v1/sha256/<2>/<62>  package archives, also content-addressed (an ObjectStore)
//   http-v1/                     HTTP index cache (ETags)
//   index-v1/                    parsed index files in binary form (engine/index_cache.h)
//   quarantine-v1/               damaged objects moved out of objects-v1 (ObjectStore::quarantine)
//   locks/                       flock files
// Shared by every workspace and by concurrent processes; every write is temp + rename.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "reel/storage/file_system.h"
#include "reel/storage/object_store.h"

namespace reel {

// Picks the cache directory from an environment map (REEL_CACHE_DIR, XDG_CACHE_HOME, HOME), with
// `override_dir` (--cache-dir) winning when non-empty. kInvalidArgument if none is usable.
Result<fs::path> default_cache_dir(const std::map<std::string, std::string>& env,
                                   const fs::path& override_dir);

class Cache {
 public:
  Cache(FileSystem& fs, fs::path root);
  const fs::path& root() const { return root_; }
  ObjectStore& objects() { return objects_; }
  ObjectStore& archives() { return archives_; }
  fs::path http_dir() const { return root_ / "http-v1"; }
  fs::path index_dir() const { return root_ / "index-v1"; }
  fs::path quarantine_dir() const { return root_ / "quarantine-v1"; }
  fs::path locks_dir() const { return root_ / "locks"; }

 private:
  fs::path root_;
  ObjectStore objects_;
  ObjectStore archives_;
};

}  // namespace reel
