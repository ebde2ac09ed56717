// `reel status` (DESIGN §5): what in a workspace needs attention before it is shared: outputs
// with uncommitted changes, versions not yet published, stale build steps, and locked versions
// their repo has since yanked or whose review it rejected (git status and cargo's "yanked" warning
// in one place).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reel/resolver/version.h"
#include "reel/workspace/steps.h"
#include "reel/workspace/workspace.h"

namespace reel {

struct OutputStatus {
  std::string name;
  Version version;
  bool git = false;    // a git working tree with a commit
  bool dirty = false;  // uncommitted changes (or not a git working tree)
  // The workspace repos whose index has this name and version, in workspace.toml order.
  std::vector<std::string> published_in;
  std::vector<StepState> stale_steps;  // only the stale ones, in run order
};

struct LockedStatus {
  std::string name;
  Version version;
  std::string repo;
  std::string note;  // rejected: the reviewer's note
  std::string by;    // rejected: who rejected it
};

struct WorkspaceStatus {
  std::vector<OutputStatus> outputs;  // sorted by name
  std::vector<LockedStatus> yanked;   // locked versions their repo marks yanked
  std::vector<LockedStatus> rejected;  // locked versions whose review their repo rejected since
  // Repos that could not be read (one line each: "repo 'review': ..."): their part is unknown.
  std::vector<std::string> unreachable;
};

// Looks at every output and locked package. Reading a repo's index can fail (a server down):
// that repo is listed in `unreachable` and the rest still answers. Errors: an output's manifest,
// git state or steps (steps.h), a malformed reel.lock.
Result<WorkspaceStatus> workspace_status(Workspace& ws);

}  // namespace reel
