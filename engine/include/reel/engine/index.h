// Repo index files, index/<lower name>.json (DESIGN §2), read and written with nlohmann-json.
#pragma once

#include <cstdint>
#include <map>
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
  // Bytes. 0 when not known (a lock names an archive by digest only): a read then accepts up to
  // kMaxArchiveBytes and checks the digest alone.
  std::uint64_t size = 0;
};

// Where the repo layout (DESIGN §2) puts the archive of `name` (its published spelling) at
// `version`: "packages/<lowercase name>/<Name>-<version>.reel".
std::string archive_layout_path(std::string_view name, const Version& version);

struct SourceInfo {
  std::string commit;  // git commit of the output when published ("" if none)
  bool dirty = false;
};

// A version's review state (DESIGN §2 "review"): every new publication starts kPending; a
// reviewer approves it or rejects it with a note (Stalker's "request revision").
enum class ReviewState { kPending, kApproved, kRejected };

// "pending" | "approved" | "rejected".
std::string_view review_state_name(ReviewState state);
// The state named `text` (exact, lowercase), or nullopt.
std::optional<ReviewState> parse_review_state(std::string_view text);

// One review decision: who set `state`, when (RFC 3339 UTC) and why. `by` and `at` are empty for a
// publication's initial kPending state written by a version of reel without review, and for
// entries that predate the review workflow (read as kApproved: see docs/decisions.md).
struct ReviewRecord {
  ReviewState state = ReviewState::kPending;
  std::string by;    // actor: "Jade Doe <jade@studio>" or a server token's name
  std::string at;    // RFC 3339 UTC
  std::string note;  // required for kRejected ("" otherwise allowed)
};

// The review of one version: the current decision plus the earlier ones, oldest first
// ("review": {"state", "by", "at", "note", "history": [{...}, ...]}; history omitted when empty).
// promote carries it to the target repo.
struct Review {
  ReviewRecord current;
  std::vector<ReviewRecord> history;
};

// Why and by whom a version was yanked ("yanked": {"reason", "by", "at"}; `false` when not).
struct YankRecord {
  std::string reason;
  std::string by;
  std::string at;  // RFC 3339 UTC
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
  bool yanked = false;  // true iff `yank` holds the record (kept apart: the resolver's flag)
  std::optional<YankRecord> yank;  // set with yanked; an old file's `"yanked": true` reads as {}
  // The review: absent in files written before the review workflow, read as approved (legacy).
  Review review;
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
