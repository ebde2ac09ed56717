// Looking at a locked workspace: the dependency tree, why a package is there, the requirements
// export (DESIGN §2) and verification of inputs/ against the lock. The environment is
// environment.h.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reel/engine/file_sequence.h"
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

// One node of `reel tree`: a locked package, or the workspace itself (no version) at the end of
// an inverted chain, with its children: its dependencies, or with --invert its dependents.
struct TreeNode {
  enum class Mark {
    kNone,
    kCycle,     // already on the path from the root: not expanded again
    kRepeated,  // expanded earlier in the output (cargo tree's "(*)"): not expanded again
  };
  std::string name;
  std::optional<Version> version;  // nullopt for "the workspace"
  Mark mark = Mark::kNone;
  std::vector<TreeNode> children;
  bool editable = false;  // outputs/NAME shadows the installed package (environment.h)
};

// The locked graph as trees. `invert` empty: one root per workspace requirement (workspace.toml's
// and the outputs', in that order), children = dependencies. `invert` = NAME: one root, NAME,
// children = the packages that depend on it, down to "the workspace" for direct requirements.
// Each package is expanded once; later occurrences are kRepeated. kNotFound if the lock does not
// name `invert`.
Result<std::vector<TreeNode>> dependency_tree(Workspace& ws, const LockFile& lock,
                                              const std::string& invert = {});

// The trees as indented lines ("KitchenSet 1.4.0", "├── Table 3.2.1 (editable)",
// "│   └── Wood 1.0.0 (*)"),
// with a closing legend line when a repeated node was shown.
std::vector<std::string> tree_lines(const std::vector<TreeNode>& roots);

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
// verify_inputs for one locked package.
Result<std::vector<std::string>> verify_package(Workspace& ws, const LockedPackage& locked);

// The files of locked package `name` (case-insensitive) as `reel tree --files NAME` shows them:
// files.json of its archive (read with locked_package(): cache first, else its repo) grouped by
// group_file_sequences(), so frame.0001.exr … frame.0500.exr is one FileSequence. Sorted by
// directory, then display name. asset.toml is not listed (it is not in files.json). kNotFound
// ("NAME is not in reel.lock") if the lock does not name it; locked_package()'s errors otherwise
// (kNotFound, kCorruption on a digest mismatch, kIOError).
Result<std::vector<FileGroup>> package_files(Workspace& ws, const LockFile& lock,
                                             const std::string& name);

// A byte count for people, in binary units with one decimal above bytes: 12 -> "12 B",
// 1536 -> "1.5 KiB", 2147483648 -> "2.0 GiB" (up to TiB).
std::string human_bytes(std::uint64_t bytes);

// The groups as text lines, one per group: a file "PATH  (SIZE)" ("PATH -> TARGET" for a
// symlink), a sequence "DIR/PATTERN [RANGES]  (N files, SIZE)", e.g.
// "renders/frame.####.exr [1-49,60-120]  (110 files, 2.0 GiB)". Sizes in binary units
// (B, KiB, MiB, GiB, TiB; one decimal above bytes).
std::vector<std::string> file_group_lines(const std::vector<FileGroup>& groups);

}  // namespace reel
