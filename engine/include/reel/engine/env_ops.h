// Environment operations of asset.toml's [env] (DESIGN §2) and how a workspace's assets compose
// them (DESIGN §5 `reel env`). The semantics follow rez's `env.NAME.set()`, `.prepend()`,
// `.append()` and `.unset()` (rez's package commands), with two differences written down in
// docs/decisions.md: the starting point is the caller's environment (rez's
// `all_parent_variables = true`), and nothing is de-duplicated.
//
//   NAME = "text"                         set (a string is a set)
//   NAME = { set = "text" }               set
//   NAME = { prepend = "a" | ["a", "b"] } the values joined with ':' before the current value
//   NAME = { append = "a" | [...] }       after it; prepend and append may share one table
//   NAME = { unset = true }               remove the variable
//
// In every value `{root}` is the asset's folder and `${OTHER}` is OTHER's value at that point
// (empty when unset, as in a POSIX shell); `$$` is a literal `$`. Pure: no I/O.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/error.h"

namespace reel {

// The separator prepend and append join with (POSIX's PATH separator).
inline constexpr char kPathListSeparator = ':';

enum class EnvAction { kSet, kPrepend, kAppend, kUnset };

// One operation on one variable. A table with both prepend and append is two entries
// (prepend first). `values` holds one template for kSet, one or more for kPrepend / kAppend, none
// for kUnset.
struct EnvEntry {
  std::string name;
  EnvAction action = EnvAction::kSet;
  std::vector<std::string> values;

  bool operator==(const EnvEntry&) const = default;
};

// A variable name is [A-Za-z_][A-Za-z0-9_]* (POSIX's portable names); nullopt when `name` is one,
// else why not.
std::optional<std::string> env_name_problem(std::string_view name);

// Why `text` is not a valid value template, or nullopt: a `${` that never closes, an empty or
// invalid name between `${` and `}` ("'${PATH' never closes (at byte 6)").
std::optional<std::string> env_template_problem(std::string_view text);

// Expands a checked template: `{root}` -> `root`, `${NAME}` -> lookup(NAME) (empty if nullopt),
// `$$` -> `$`; every other byte as it is. One pass, so text that comes from `root` or a value is
// never expanded again. A template with a problem expands what it can (callers check first).
std::string expand_env_template(
    std::string_view text, std::string_view root,
    const std::function<std::optional<std::string>(const std::string&)>& lookup);

// True if the template refers to `${name}` (a set that reads its own variable modifies it, so it
// is never reported as a conflict).
bool env_template_reads(std::string_view text, std::string_view name);

// One asset's [env], with the folder `{root}` stands for.
struct EnvLayer {
  std::string asset;  // the asset's name, for warnings
  std::string root;   // absolute path of its folder
  const std::vector<EnvEntry>* entries = nullptr;
};

// The outcome of composing layers: the whole environment after them, the variables they touched
// (in the order first touched), and a warning for each variable two layers set (or unset) to
// different values, naming both assets ("TOOL_HOME is set by A ('/a') and by B ('/b'); B's value
// is used (dependents come after their dependencies)").
struct ComposedEnv {
  std::map<std::string, std::string> variables;
  std::vector<std::string> touched;
  std::vector<std::string> warnings;
};

// Applies `layers` in order on top of `base` (the caller's environment). Prepend / append to an
// unset or empty variable give just the joined values (no stray ':' that would mean "the current
// folder" in PATH).
ComposedEnv compose_env(std::map<std::string, std::string> base,
                        const std::vector<EnvLayer>& layers);

}  // namespace reel
