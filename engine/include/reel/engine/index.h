// Repo index files, index/<lower name>.json (DESIGN §2), read and written with nlohmann-json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/engine/manifest.h"
#include "reel/resolver/version.h"
#include "reel/storage/digest.h"
#include "reel/storage/error.h"

namespace reel {

struct ArchiveRef {
  std::string path;  // repo-relative: "packages/table/Table-3.2.1.reel"
  Digest sha256;
  std::uint64_t size = 0;
};

struct SourceInfo {
  std::string commit;  // git commit of the output when published ("" if none)
  bool dirty = false;
};

// One published version.
struct IndexEntry {
  Version version;
  std::string type;
  std::vector<DependencySpec> dependencies;
  std::map<std::string, std::vector<DependencySpec>> groups;
  ArchiveRef archive;
  std::uint64_t file_count = 0;
  std::uint64_t file_size = 0;  // bytes, sum of content files
  std::string published;        // RFC 3339 UTC
  SourceInfo source;
  bool yanked = false;
  // Published with `--allow-unresolved`: its dependencies could not be resolved against the
  // target repo and the publisher's blessed repos then ("unresolved": true in the file).
  bool unresolved = false;
  std::string metadata_json = "{}";
};

struct PackageIndex {
  std::string name;                // canonical spelling
  std::vector<IndexEntry> versions;  // sorted ascending by version

  const IndexEntry* find(const Version& v) const;
};

// Parses an index file. kInvalidArgument naming `file` and the field ("versions[2].archive.sha256")
// for any malformed or missing field.
Result<PackageIndex> parse_index(std::string_view text, std::string_view file);
// Stable JSON text (keys in a fixed order, versions ascending, trailing newline).
std::string serialize_index(const PackageIndex& index);

}  // namespace reel
