// asset.toml (DESIGN §2), parsed with toml11 and written back in a stable order.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/engine/env_ops.h"
#include "reel/engine/step_spec.h"
#include "reel/resolver/range.h"
#include "reel/resolver/version.h"
#include "reel/storage/error.h"

namespace reel {

// A dependency as written: the name, the range text as the user wrote it, and its parse.
struct DependencySpec {
  std::string name;
  std::string range_text;  // "*" for abstract, ">=1.2.3,<2.0" bounded, "==3.2.1" concrete
  Range range;
};

// abstract (any version: push), bounded (a range: semi-push), concrete (one version: pull).
enum class DependencyKind { kAbstract, kBounded, kConcrete };
DependencyKind dependency_kind(const Range& range);
std::string_view dependency_kind_name(DependencyKind kind);

struct AssetManifest {
  std::string name;
  Version version;
  std::string type;  // "prop", "set", ... (free text, may be empty)
  std::string description;
  std::vector<std::string> tags;
  std::vector<DependencySpec> dependencies;                       // sorted by lower-case name
  std::map<std::string, std::vector<DependencySpec>> groups;      // "build", "edit", "export"
  std::vector<std::string> include = {"**"};                      // [files] globs
  std::vector<std::string> exclude;
  std::vector<EnvEntry> env;  // [env], in file order (env_ops.h)
  // [scripts]: (name, command) sorted by name; `reel run NAME:SCRIPT` runs the command with
  // /bin/sh -c, `{root}` replaced by the asset's folder, shell-quoted.
  std::vector<std::pair<std::string, std::string>> scripts;
  std::vector<StepSpec> steps;  // [[step]], in file order (step_spec.h)
  std::string metadata_json = "{}";                               // [metadata] as a JSON object
};

// Parses asset.toml text. Errors are kInvalidArgument naming `file` and the line or field
// ("outputs/Table/asset.toml: [dependencies] Leg: invalid range '>=1..2' at position 4: ...";
// "asset.toml:9: [env] PATH: unknown operation 'prepnd' (expected prepend, append, set or
// unset)"; "asset.toml:14: [[step]] preview: ..."; a cycle between steps names them).
Result<AssetManifest> parse_manifest(std::string_view text, std::string_view file);

// Writes the manifest as TOML, sections in the order of DESIGN §2. parse(serialize(m)) == m.
std::string serialize_manifest(const AssetManifest& manifest);

}  // namespace reel
