// Asset scripts (DESIGN §2 [scripts], §5 `reel run NAME:SCRIPT`, `reel scripts`): commands an
// asset carries (a rig's tools, a turntable), run in the workspace environment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reel/workspace/environment.h"
#include "reel/workspace/process.h"

namespace reel {

// One [scripts] entry of an asset of the environment.
struct ScriptRef {
  std::string asset;    // the asset's name as its manifest spells it
  std::string name;     // the script's name
  std::string command;  // as written, {root} not yet replaced
  fs::path root;        // the asset's folder (outputs/NAME when editable)
  bool editable = false;
};

// Every script of `assets`, sorted by asset then script name (case-insensitively).
std::vector<ScriptRef> workspace_scripts(const std::vector<EnvAsset>& assets);

// The script `spec` names: "NAME:SCRIPT" (both compared case-insensitively), or "SCRIPT" when
// exactly one asset offers it. Errors: kNotFound "no asset named NAME in the workspace";
// kNotFound "KitchenTools has no script 'x' (its scripts: info, turntable)" (or "it has no
// [scripts]"); kNotFound "no asset offers a script 'x'"; kConflict "the script 'info' is offered
// by A and B: run A:info or B:info".
Result<ScriptRef> find_script(const std::vector<EnvAsset>& assets, std::string_view spec);

// True if `word` names a script: it holds a ':' and no '/' (NAME:SCRIPT), or some asset offers
// a script of that name. How `reel run WORD` without `--` tells a script from a command.
bool names_script(const std::vector<EnvAsset>& assets, std::string_view word);

// The process that runs `script` with `args`: /bin/sh -c 'COMMAND "$@"' NAME:SCRIPT ARGS...
// (npm's rule: the arguments follow the command, each one word), {root} replaced by the
// shell-quoted folder, in `cwd` with `environment`.
ProcessRequest script_request(const ScriptRef& script, const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& environment,
                              const fs::path& cwd);

}  // namespace reel
