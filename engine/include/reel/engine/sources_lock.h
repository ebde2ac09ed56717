// sources.lock (DESIGN §2; dvc's import / import-url .dvc files): beside an asset's asset.toml,
// the files `reel ingest` took in from outside and where from, so `reel ingest --check` can tell
// which changed upstream and `--update` can take them in again. Published with the asset.
// TOML written in a stable order (sources by path):
//
//   version = 1
//
//   [[source]]
//   path = "plates/"                    # where it is in the asset; a folder ends with '/'
//   url = "/studio/plates/sh010"        # an absolute path, or an http(s):// URL
//   size = 1234567                      # bytes (summed over a folder's files)
//   files = 48                          # folders only
//   mtime = "2026-11-20T10:00:00.123456789Z"   # local sources: the newest file's mtime (UTC)
//   etag = "\"5f1a-2c\""                # URL sources: the ETag header as sent, if any
//   sha256 = "…"                        # a file's bytes, or a folder's folder_digest()
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/digest.h"
#include "reel/storage/error.h"

namespace reel {

struct SourceRecord {
  std::string path;  // in the asset, as path_rules.h accepts it; a trailing '/' for a folder
  std::string url;
  std::uint64_t size = 0;
  std::uint64_t files = 0;
  std::string mtime;  // RFC 3339 with nanoseconds, UTC; "" for URL sources
  std::string etag;   // "" when the server sent none, and for local sources
  Digest sha256;

  bool is_folder() const { return !path.empty() && path.back() == '/'; }
  bool is_url() const;  // url starts with http:// or https://
  bool operator==(const SourceRecord&) const = default;
};

struct SourcesLock {
  int format = 1;
  std::vector<SourceRecord> sources;  // sorted by path

  // The record whose path is `path` (with or without the trailing '/'), or nullptr.
  const SourceRecord* find(std::string_view path) const;
  // Replaces (or adds) the record of `record.path`, keeping the order.
  void put(SourceRecord record);
};

// Parses sources.lock. kInvalidArgument naming `file` and the field; paths must pass the path
// rules, urls must be absolute paths or http(s) URLs.
Result<SourcesLock> parse_sources_lock(std::string_view text, std::string_view file);
std::string serialize_sources_lock(const SourcesLock& lock);

// Nanoseconds since the Unix epoch as RFC 3339 UTC with nine fraction digits
// ("2026-11-20T10:00:00.123456789Z"), as sources.lock records mtimes.
std::string rfc3339_nanos(std::int64_t unix_nanos);

}  // namespace reel
