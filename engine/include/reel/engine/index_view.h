// A package's index as the resolver reads it (issue 16: resolving against 10,000 packages × 10
// versions with a warm cache in ≤ 0.2 s). The resolver reads every version's number, yanked flag
// and dependencies, but the rest of an IndexEntry (archive, review, history, metadata...) only for
// the one version it picks: decoding and freeing every field of every entry was half of a warm
// `reel lock`. An IndexView holds the summaries, and the rest of each entry as the index cache's
// bytes (index_cache.h), decoded on first use.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/engine/index.h"
#include "reel/storage/error.h"

namespace reel {

class RangeMemo;  // index_cache.h

// What the resolver reads of every published version: IndexEntry's fields of the same names.
struct VersionSummary {
  Version version;
  bool yanked = false;
};

class IndexView {
 public:
  IndexView() = default;
  // A whole index (parsed from JSON): every entry already decoded.
  explicit IndexView(PackageIndex index);
  // An index cache entry's (decode_index_cache_view): `versions` ascending, and `entries[i]` the
  // byte range (offset, length) in `bytes` of versions[i]'s entry, whose dependencies and other
  // fields are decoded on first use (decode_index_dependencies, decode_index_entry; with `memo`
  // if not null). `what` names the cache file in errors.
  IndexView(std::string name, std::vector<VersionSummary> versions, std::string bytes,
            std::vector<std::pair<std::size_t, std::size_t>> entries, std::string what,
            std::shared_ptr<RangeMemo> memo = nullptr);

  // The canonical spelling.
  const std::string& name() const { return name_; }
  // Every version, ascending.
  const std::vector<VersionSummary>& versions() const { return versions_; }
  // The dependencies of `version` (sorted by name, case-insensitively): nullptr when the index has
  // no such version; kCorruption naming the cache file and the byte when its bytes do not decode
  // (a damaged cache entry that passed its checksum). Valid as long as the view.
  Result<const std::vector<DependencySpec>*> dependencies(const Version& version);
  // The whole entry of `version`: nullptr when there is none; errors as dependencies'.
  Result<const IndexEntry*> entry(const Version& version);
  // The whole index, every entry decoded (errors as entry's).
  Result<PackageIndex> to_index() &&;

 private:
  // The index of `version` in versions_, or npos.
  std::size_t position(const Version& version) const;
  Result<const IndexEntry*> entry_at(std::size_t i);
  // The bytes of entry i, or kCorruption when the view has none for it.
  Result<std::string_view> bytes_of(std::size_t i) const;

  std::string name_;
  std::vector<VersionSummary> versions_;
  // A slot per version each (pointers: an IndexEntry is ~500 bytes, and most are never decoded).
  std::vector<std::unique_ptr<IndexEntry>> decoded_;
  std::vector<std::unique_ptr<std::vector<DependencySpec>>> dependencies_;
  std::string bytes_;  // empty for a whole index
  std::vector<std::pair<std::size_t, std::size_t>> entries_;
  std::string what_;
  std::shared_ptr<RangeMemo> memo_;
};

}  // namespace reel
