// reel.lock (DESIGN §2): TOML written in a stable order so diffs are small.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/resolver/version.h"
#include "reel/storage/digest.h"
#include "reel/storage/error.h"

namespace reel {

struct LockedPackage {
  std::string name;
  Version version;
  std::string repo;  // repo name from workspace.toml
  Digest archive;
  std::vector<std::string> dependencies;  // names, sorted case-insensitively
};

struct LockFile {
  int format = 1;
  // Copy of workspace.toml [requirements] at lock time (name, range text), sorted by lower name.
  std::vector<std::pair<std::string, std::string>> requirements;
  std::vector<LockedPackage> packages;  // sorted by lower name

  const LockedPackage* find(std::string_view name) const;  // case-insensitive
};

// kInvalidArgument naming `file` and the line or field.
Result<LockFile> parse_lock_file(std::string_view text, std::string_view file);
std::string serialize_lock_file(const LockFile& lock);

// One line of what a new lock changes (uv's "Updated Table v0.2.0 -> v0.3.0"): a package added
// (only `to`), removed (only `from`), or at another version (both). A package at the same version
// from another repo or with another archive digest is kUpdated too (from == to).
struct LockChange {
  enum class Kind { kAdded, kUpdated, kRemoved };
  Kind kind;
  std::string name;  // as the new lock spells it (the old one for kRemoved)
  std::optional<Version> from, to;
};
// The changes from `before` (nullptr: no lock yet) to `after`, sorted by lower-case name.
std::vector<LockChange> diff_locks(const LockFile* before, const LockFile& after);
// "Added Chair 1.2.4", "Updated Table 0.2.0 -> 0.3.0", "Removed Lamp 2.0.0",
// "Updated Table 0.2.0 (another archive)".
std::string describe(const LockChange& change);

}  // namespace reel
