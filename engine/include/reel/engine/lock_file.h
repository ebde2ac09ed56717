// reel.lock (DESIGN §2): TOML written in a stable order so diffs are small.
#pragma once

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

}  // namespace reel
