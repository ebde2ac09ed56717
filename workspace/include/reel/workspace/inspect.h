// Looking at a locked workspace: the dependency tree, why a package is there, the requirements
// export (DESIGN §2), verification of inputs/ against the lock, and the environment (DESIGN §5).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "reel/workspace/install.h"
#include "reel/workspace/workspace.h"

namespace reel {

// One chain of requirements from the workspace to a package: ["the workspace", "KitchenSet",
// "Table"].
using RequirementChain = std::vector<std::string>;

// Every chain from a workspace requirement (or output dependency) to `name`, shortest first.
// kNotFound if the lock does not name it.
Result<std::vector<RequirementChain>> why(Workspace& ws, const LockFile& lock,
                                          const std::string& name);

// The tree as indented lines ("KitchenSet 1.4.0", "├── Table 3.2.1"). `invert`: the reverse
// tree of one package (who depends on it), else the whole tree from the workspace's requirements,
// one root per requirement (workspace.toml's and the outputs'); a repeated cycle is marked.
Result<std::vector<std::string>> tree_lines(Workspace& ws, const LockFile& lock,
                                            const std::string& invert = {});

// DESIGN §2's requirements export text for the lock.
std::string export_requirements(const WorkspaceConfig& config, const LockFile& lock);

// A parsed requirements export: (name, version, archive digest) per pin.
struct Pin {
  std::string name;
  Version version;
  Digest archive;
};
// Parses `Name==V --hash=sha256:HEX` lines (comments and blank lines skipped). kInvalidArgument
// naming the file and line.
Result<std::vector<Pin>> parse_requirements_export(std::string_view text, std::string_view file);

// Checks a fresh lock against the pins of a requirements export (`reel add -r FILE`): each pinned
// package must be locked at the pinned version with the pinned archive digest. kCorruption naming
// the package and both digests on a digest mismatch; kConflict if the lock has another version.
Status check_pins(const LockFile& lock, const std::vector<Pin>& pins);

// Re-hashes every file of inputs/ against the lock. Returns the problems found, one line each
// ("inputs/Table/mesh.obj: content differs from the lock"); empty when everything matches.
Result<std::vector<std::string>> verify_inputs(Workspace& ws, const LockFile& lock);

// The workspace environment: REEL_WORKSPACE, REEL_INPUTS, then each installed asset's [env] with
// {root} replaced by its inputs/NAME folder, dependencies before dependents (ties by name).
Result<std::vector<std::pair<std::string, std::string>>> workspace_env(Workspace& ws,
                                                                       const LockFile& lock);

}  // namespace reel
