// The workspace environment (DESIGN §2 [env], §5 `reel env`, `reel run`, `reel shell`): which
// assets take part, where each one's {root} is, and the variables their [env] operations make.
//
// The assets are the packages of reel.lock, installed in inputs/NAME, and the outputs: an output
// outputs/NAME shadows inputs/NAME for {root}, [env] and [scripts] (uv's editable install, rez's
// local package), and an output the lock does not name takes part too. reel.lock and inputs/ are
// never changed by this, so a farm job still gets the published version.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reel/engine/lock_file.h"
#include "reel/engine/manifest.h"
#include "reel/workspace/workspace.h"

namespace reel {

// One asset of the environment, with the manifest found at its root.
struct EnvAsset {
  std::string name;
  fs::path root;                          // inputs/NAME, or outputs/NAME when editable (absolute)
  bool editable = false;                  // root is in outputs/
  const LockedPackage* locked = nullptr;  // the lock's entry (points into the LockFile given to
                                          // environment_assets); nullptr for an output it lacks
  AssetManifest manifest;                 // root/asset.toml
};

// The assets in the order their [env] applies: dependencies before dependents, ties by
// lower-case name (Kahn's algorithm; a dependency cycle is entered at its smallest name). An
// installed asset's dependencies are the lock's; an editable one's are its own [dependencies].
// `lock` may be null (only outputs then). Errors: kNotFound "NAME is not installed (run `reel
// sync`)" for a locked, non-editable package missing from inputs/; manifest parse errors naming
// the file.
Result<std::vector<EnvAsset>> environment_assets(Workspace& ws, const LockFile* lock);

struct WorkspaceEnvironment {
  // The caller's environment (the context's, without the --token-file token, which never
  // reaches a child), and the whole environment a command run in the workspace gets.
  std::map<std::string, std::string> base;
  std::map<std::string, std::string> variables;
  // REEL_WORKSPACE, REEL_INPUTS, then every variable an [env] names, in the order first touched:
  // what `reel env` prints.
  std::vector<std::string> touched;
  std::vector<std::string> warnings;  // two assets setting one variable differently (env_ops.h)
  std::vector<EnvAsset> assets;       // environment_assets()
};

// Composes the environment: REEL_WORKSPACE (the workspace root) and REEL_INPUTS (its inputs/)
// first, then each asset's [env] in environment_assets() order, on top of the caller's
// environment (compose_env in env_ops.h). environment_assets()' errors.
Result<WorkspaceEnvironment> workspace_environment(Workspace& ws, const LockFile* lock);

// For each editable output whose version a dependent's range leaves out, one line for a person
// ("outputs/Table is Table 3.3.0, outside KitchenSet 1.4.0's range ==3.2.1; the environment uses
// outputs/Table, reel.lock and inputs/ keep Table 3.2.1"). Dependents are the other assets of
// the environment (their manifests' [dependencies]). environment_assets()' errors.
Result<std::vector<std::string>> editable_range_warnings(Workspace& ws, const LockFile& lock);

}  // namespace reel
