// Helpers shared by the outputs_*.cc files (private to the workspace library).
#pragma once

#include <string>

#include "reel/engine/manifest.h"
#include "reel/workspace/workspace.h"

namespace reel::outputs_detail {

// outputs/NAME.
fs::path output_dir(const Workspace& ws, const std::string& name);

// Parses outputs/NAME/asset.toml. kInvalidArgument for a bad NAME (so a name can never leave
// outputs/) or a manifest whose [asset] name is not NAME (compared case-insensitively); kNotFound
// (with a hint about `reel new` / `reel edit`) if there is no such output; parse errors name the
// file.
Result<AssetManifest> read_output_manifest(Workspace& ws, const std::string& name);

// kAlreadyExists if outputs/ already holds a folder named NAME (compared case-insensitively, so
// `Table` and `table` never both exist).
Status ensure_absent(Workspace& ws, const std::string& name);

}  // namespace reel::outputs_detail
