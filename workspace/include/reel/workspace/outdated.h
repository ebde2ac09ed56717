// `reel outdated` (DESIGN §5): which locked packages have newer publications, which of those the
// workspace's ranges admit (what `reel lock --upgrade` would take) and which they exclude, and by
// whose range. Like cargo-outdated's Project / Compat / Latest columns and `uv tree --outdated`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reel/engine/lock_file.h"
#include "reel/resolver/version.h"
#include "reel/workspace/install.h"
#include "reel/workspace/workspace.h"

namespace reel {

struct OutdatedPackage {
  std::string name;
  Version locked;
  // The version `reel lock --upgrade` would choose; nullopt when upgrading drops the package or
  // has no solution.
  std::optional<Version> compatible;
  // The newest non-yanked published version (of the repo the lock took the name from); a
  // prerelease only if some range on the name admits it (DESIGN §3: the workspace's
  // requirements, the dependencies of the locked and the upgraded packages).
  Version latest;
  // When latest is newer than compatible: each requirement whose range leaves latest out, as
  // "the workspace requires Table >=3.0,<4", "output Shot requires Table ==3.2.1" or
  // "KitchenSet 1.5.0 requires Table ==3.2.1" (the workspace's requirements and the upgraded
  // solution); when no range does, one line saying that no solution takes it.
  std::vector<std::string> excluded_by;
  bool direct = false;  // required by the workspace itself (workspace.toml or an output)
};

struct OutdatedReport {
  // Only packages with something newer than the locked version, sorted by name
  // (case-insensitively).
  std::vector<OutdatedPackage> packages;
  // Non-empty when upgrading everything has no solution (then no package has `compatible`).
  std::string explanation;
};

// Compares `lock` with the workspace's install repos. Nothing is written. Errors: repo I/O and
// malformed indexes, as lock_workspace's.
Result<OutdatedReport> outdated(Workspace& ws, const LockFile& lock, const LockOptions& options);

}  // namespace reel
