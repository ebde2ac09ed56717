// asset.toml's [env], [scripts] and [[step]] (DESIGN §2): parsing from toml11 values and writing
// back (private to the engine; manifest.cc calls these).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/engine/env_ops.h"
#include "reel/engine/step_spec.h"
#include "toml_util.h"

namespace reel {

// [env]: each key a variable name (env_ops.h), each value a string (a set) or a table of
// operations; entries in file order. kInvalidArgument "FILE:LINE: [env] KEY: ..." for a value
// that is neither, an unknown operation, a bad name, a template problem.
Result<std::vector<EnvEntry>> parse_env_section(const TomlValue& env, std::string_view file);

// [scripts]: NAME = "command" (names as package names), sorted by name.
Result<std::vector<std::pair<std::string, std::string>>> parse_scripts_section(
    const TomlValue& scripts, std::string_view file);

// [[step]]: an array of tables with name, cmd (required), deps and outs (arrays of strings);
// names unique (case-insensitively) and step_order() must succeed.
Result<std::vector<StepSpec>> parse_steps_section(const TomlValue& steps, std::string_view file);

// The sections as TOML text (each starts with a blank line; empty when there is nothing), such
// that parsing them gives the same values back.
std::string serialize_env_section(const std::vector<EnvEntry>& env);
std::string serialize_scripts_section(const std::vector<std::pair<std::string, std::string>>& s);
std::string serialize_steps_section(const std::vector<StepSpec>& steps);

}  // namespace reel
