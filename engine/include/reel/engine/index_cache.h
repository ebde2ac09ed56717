// The binary cache of parsed index files (issue 16): CACHE/index-v1/, beside objects-v1/ and
// http-v1/ (storage/cache.h). Parsing an index file's JSON and building its versions and ranges
// costs ~100 µs per 10-version file; reading the cached binary form costs a few µs, so a resolve
// against 10,000 packages reads its indexes in milliseconds instead of a second.
//
// One cache file per index file, at index-v1/<2 hex>/<62 hex>.idx, named by the SHA-256 of a key
// (a folder repo's index file path, an HTTP repo's index URL). Layout, little-endian:
//   "REELIDX\n"          8 bytes of magic
//   u32 format           kIndexCacheFormat (a new layout bumps it; old files are then misses)
//   u32 validator_len    at most kMaxIndexCacheValidator
//   u64 payload_len
//   32 bytes             SHA-256 of the index file's text the payload was parsed from
//   validator_len bytes  what the caller checks before trusting the entry without reading the
//                        index file (a folder repo: the file's stat; empty: never)
//   payload_len bytes    the PackageIndex (encode_index_payload: each entry behind its length, so
//                        a reader can take the summaries the resolver needs and skip the rest)
//   32 bytes             SHA-256 of every byte before it
// A file that is short, long, has another magic or format, or whose checksum or payload does not
// check out is a miss, never trusted; the caller parses the JSON and writes the file again.
// Writes are temp + rename without fsync: a torn or empty file after a power loss fails its
// checksum and costs one parse (docs/decisions.md "Index cache").
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "reel/engine/index.h"
#include "reel/engine/index_view.h"
#include "reel/storage/digest.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

// 2: entries behind their lengths, version, yanked and dependencies first (1: neither).
inline constexpr std::uint32_t kIndexCacheFormat = 2;
inline constexpr std::size_t kMaxIndexCacheValidator = 4096;

// The cached form of a PackageIndex: every field of every IndexEntry, in a fixed order (strings as
// u32 length + bytes, integers as u64, flags as one byte 0 or 1). Deterministic: equal indexes
// give equal bytes, and decode(encode(i)) == i field by field. Layout: name, u32 count, then per
// entry a u32 byte length and the entry: version, yanked, dependencies (a VersionSummary's
// fields), then type, groups, archive, files, published, source, the yank record when yanked,
// review, history, unresolved, metadata.
std::string encode_index_payload(const PackageIndex& index);

// Decodes a payload, trusting nothing: every length is bounded by the bytes left, and the result
// is checked as parse_index checks a file (package names, version and range text re-parsed,
// versions ascending, dependencies sorted, review and yank rules, metadata a canonical JSON
// object), so what decodes is what parse_index could have produced. kCorruption naming `what` and
// the byte offset otherwise.
class RangeMemo;
Result<PackageIndex> decode_index_payload(std::string_view bytes, std::string_view what,
                                          RangeMemo* memo = nullptr);

// Range::parse results by text, shared by the entries a cache decodes: a studio's dependencies
// use a few hundred distinct range texts ("*", "^2.1", ...), and parsing them was half the cost of
// decoding an entry. Holds at most kMaxEntries texts (then parses without remembering).
// Thread-safe.
class RangeMemo {
 public:
  static constexpr std::size_t kMaxEntries = 4096;
  // Range::parse(text), from the memo when it has it.
  tl::expected<Range, ParseError> parse(std::string_view text);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Range> ranges_;
};

// One cache file's contents.
struct IndexCacheRecord {
  std::string validator;  // opaque to the cache; at most kMaxIndexCacheValidator bytes
  Digest source;          // SHA-256 of the index file text `index` was parsed from
  PackageIndex index;
};

// A cache file's validator and source digest, with its index as an IndexView: the summaries
// (versions, yanked flags) decoded and checked as decode_index_payload checks them, the rest of
// each entry left for IndexView::dependencies and IndexView::entry.
struct IndexCacheView {
  std::string validator;
  Digest source;
  IndexView view;
};

// The whole file (layout above).
std::string encode_index_cache_file(const IndexCacheRecord& record);
// Checks magic, format, lengths and checksum, then decodes the payload. kCorruption naming `what`.
Result<IndexCacheRecord> decode_index_cache_file(std::string_view bytes, std::string_view what);
// As decode_index_cache_file, but only the summaries are decoded; the view keeps `bytes`.
// `memo` (may be null) parses the summaries' ranges and, kept by the view, its entries'.
Result<IndexCacheView> decode_index_cache_view(std::string bytes, std::string_view what,
                                               std::shared_ptr<RangeMemo> memo = nullptr);
// One entry's bytes (what follows its length prefix), every field checked as decode_index_payload
// checks it; kCorruption naming `what` and the byte (`offset` + the position in `bytes`).
Result<IndexEntry> decode_index_entry(std::string_view bytes, std::string_view what,
                                      std::size_t offset, RangeMemo* memo = nullptr);
// The dependencies of one entry's bytes, checked as decode_index_entry checks them (the fields
// after them are not read). Errors as decode_index_entry's.
Result<std::vector<DependencySpec>> decode_index_dependencies(std::string_view bytes,
                                                              std::string_view what,
                                                              std::size_t offset,
                                                              RangeMemo* memo = nullptr);

// The index-v1/ bucket. Safe to share between threads and processes (each write is temp + rename
// of a whole file; its only state is a RangeMemo, shared with the views it gives).
class IndexCache {
 public:
  // `dir` is CACHE/index-v1 (Cache::index_dir()).
  IndexCache(FileSystem& fs, std::filesystem::path dir);

  // Where the entry for `key` lives: dir/<2 hex>/<62 hex>.idx of sha256(key).
  std::filesystem::path file_for(std::string_view key) const;
  // The entry for `key`, or nullopt when it is missing, unreadable or fails decoding (a miss).
  std::optional<IndexCacheRecord> load(std::string_view key);
  // As load, as an IndexView (decode_index_cache_view).
  std::optional<IndexCacheView> load_view(std::string_view key);
  // Writes the entry for `key`, best effort: a cache that cannot be written only costs parsing
  // again. Returns the path written, or nullopt when writing failed.
  std::optional<std::filesystem::path> store(std::string_view key, const IndexCacheRecord& record);

 private:
  FileSystem& fs_;
  std::filesystem::path dir_;
  std::shared_ptr<RangeMemo> ranges_;  // shared with the views it gives (never null)
};

// A folder repo's index file through the cache (`cache` may be null: no cache): `stat` is the
// file's (FileType::kRegular); a read error gets `read_context` ("repo 'blessed'") added. The
// entry's validator is the file's (size, mtime, ctime, inode, device); when it matches, the JSON is
// not read. Otherwise the file is read (at most kMaxIndexBytes) and hashed: an entry holding that
// digest is reused (and its validator renewed), else the text is parsed (parse_index, whose errors
// are returned) and the entry rewritten. git's racy-timestamp rule: a file modified less than
// kRacyIndexNs before its entry was written gets an empty validator, so it is re-hashed on the next
// read rather than trusted by its stat.
// Where read_index_file_cached / parse_index_cached got an index from (for -v's counts).
enum class IndexSource {
  kCacheByStat,    // the cache entry's validator matched the file's stat: the JSON was not read
  kCacheByDigest,  // the JSON was read; the entry holding its SHA-256 was reused
  kParsed,         // the JSON was parsed (no cache, or a miss)
};
// `source`, when not null, is set on success.
Result<PackageIndex> read_index_file_cached(FileSystem& fs, IndexCache* cache,
                                            const std::filesystem::path& path, const FileStat& stat,
                                            std::string_view read_context,
                                            IndexSource* source = nullptr);
inline constexpr std::int64_t kRacyIndexNs = std::int64_t{2} * 1000000000;
// As read_index_file_cached, as an IndexView: a cache entry trusted by its stat gives the lazy view
// (IndexCache::load_view), any other read a whole index.
Result<IndexView> read_index_view_cached(FileSystem& fs, IndexCache* cache,
                                         const std::filesystem::path& path, const FileStat& stat,
                                         std::string_view read_context,
                                         IndexSource* source = nullptr);

// An index whose text is already in memory (an HTTP repo's body, fresh or from http-v1/) through
// the cache under `key` (the URL): an entry holding sha256(text) is reused, else parse_index(text,
// file) and the entry rewritten. `cache` may be null. `source` (optional) as above.
Result<PackageIndex> parse_index_cached(IndexCache* cache, std::string_view key,
                                        std::string_view text, std::string_view file,
                                        IndexSource* source = nullptr);

}  // namespace reel
