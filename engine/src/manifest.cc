// asset.toml (DESIGN §2).
#include "reel/engine/manifest.h"

#include <algorithm>

#include "manifest_sections.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/studio_metadata.h"
#include "toml_util.h"

namespace reel {

DependencyKind dependency_kind(const Range& range) {
  if (range.is_any()) return DependencyKind::kAbstract;
  if (range.single_version()) return DependencyKind::kConcrete;
  return DependencyKind::kBounded;
}

std::string_view dependency_kind_name(DependencyKind kind) {
  switch (kind) {
    case DependencyKind::kAbstract:
      return "abstract";
    case DependencyKind::kBounded:
      return "bounded";
    case DependencyKind::kConcrete:
      return "concrete";
  }
  return "bounded";
}

namespace {

Result<std::string> get_string(const TomlValue& v, std::string_view file, std::string_view field) {
  if (!v.is_string()) return tl::unexpected(toml_field_error(v, file, field, "expected a string"));
  return v.as_string().str;
}

Result<std::vector<std::string>> get_strings(const TomlValue& v, std::string_view file,
                                             std::string_view field) {
  if (!v.is_array())
    return tl::unexpected(toml_field_error(v, file, field, "expected an array of strings"));
  std::vector<std::string> out;
  for (const auto& x : v.as_array()) {
    if (!x.is_string())
      return tl::unexpected(toml_field_error(x, file, field, "expected an array of strings"));
    out.push_back(x.as_string().str);
  }
  return out;
}

bool less_by_lower(const DependencySpec& a, const DependencySpec& b) {
  return lower_name(a.name) < lower_name(b.name);
}

}  // namespace

static Result<std::vector<DependencySpec>> parse_dependency_table(const TomlValue& table,
                                                                  std::string_view file,
                                                                  std::string_view section) {
  if (!table.is_table())
    return tl::unexpected(toml_field_error(table, file, section, "expected a table"));
  std::vector<DependencySpec> deps;
  for (const auto& [name, value] : table.as_table()) {
    std::string field = std::string(section) + " " + name;
    auto name_ok = check_package_name(name);
    if (!name_ok)
      return tl::unexpected(toml_field_error(value, file, field, name_ok.error().message));
    auto text = get_string(value, file, field);
    if (!text) return tl::unexpected(text.error());
    auto range = Range::parse(*text);
    if (!range)
      return tl::unexpected(toml_field_error(value, file, field, range.error().to_string()));
    deps.push_back(DependencySpec{name, *text, *range});
  }
  std::sort(deps.begin(), deps.end(), less_by_lower);
  for (std::size_t i = 1; i < deps.size(); ++i) {
    if (lower_name(deps[i].name) == lower_name(deps[i - 1].name)) {
      return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": " +
                                                         std::string(section) + ": '" +
                                                         deps[i].name + "' is listed twice");
    }
  }
  return deps;
}

Result<AssetManifest> parse_manifest(std::string_view text, std::string_view file) {
  auto parsed = parse_toml(text, file, kMaxManifestBytes);
  if (!parsed) return tl::unexpected(parsed.error());
  const TomlValue& root = *parsed;
  AssetManifest m;
  for (const auto& [key, value] : root.as_table()) {
    if (key != "asset" && key != "dependencies" && key != "dependency-groups" && key != "files" &&
        key != "env" && key != "scripts" && key != "step" && key != "metadata") {
      return tl::unexpected(toml_field_error(value, file, "[" + key + "]",
                                             "unknown section (expected asset, dependencies, "
                                             "dependency-groups, files, env, scripts, step or "
                                             "metadata)"));
    }
  }
  if (!root.contains("asset") || !root.at("asset").is_table()) {
    return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": missing [asset] table");
  }
  const auto& asset = root.at("asset");
  for (const auto& [key, value] : asset.as_table()) {
    std::string field = "[asset] " + key;
    if (key == "name") {
      auto s = get_string(value, file, field);
      if (!s) return tl::unexpected(s.error());
      auto okname = check_package_name(*s);
      if (!okname)
        return tl::unexpected(toml_field_error(value, file, field, okname.error().message));
      m.name = *s;
    } else if (key == "version") {
      auto s = get_string(value, file, field);
      if (!s) return tl::unexpected(s.error());
      auto v = Version::parse(*s);
      if (!v) return tl::unexpected(toml_field_error(value, file, field, v.error().to_string()));
      m.version = *v;
    } else if (key == "type" || key == "description") {
      auto s = get_string(value, file, field);
      if (!s) return tl::unexpected(s.error());
      (key == "type" ? m.type : m.description) = *s;
    } else if (key == "tags") {
      auto s = get_strings(value, file, field);
      if (!s) return tl::unexpected(s.error());
      m.tags = *s;
    } else {
      return tl::unexpected(toml_field_error(value, file, field, "unknown key"));
    }
  }
  if (m.name.empty())
    return tl::unexpected(toml_field_error(asset, file, "[asset] name", "missing"));
  if (!asset.contains("version"))
    return tl::unexpected(toml_field_error(asset, file, "[asset] version", "missing"));
  if (root.contains("dependencies")) {
    auto deps = parse_dependency_table(root.at("dependencies"), file, "[dependencies]");
    if (!deps) return tl::unexpected(deps.error());
    m.dependencies = *deps;
  }
  if (root.contains("dependency-groups")) {
    const auto& groups = root.at("dependency-groups");
    if (!groups.is_table())
      return tl::unexpected(
          toml_field_error(groups, file, "[dependency-groups]", "expected a table"));
    for (const auto& [group, table] : groups.as_table()) {
      if (group != "build" && group != "edit" && group != "export") {
        return tl::unexpected(toml_field_error(table, file, "[dependency-groups] " + group,
                                               "unknown group (expected build, edit or export)"));
      }
      auto deps = parse_dependency_table(table, file, "[dependency-groups] " + group);
      if (!deps) return tl::unexpected(deps.error());
      m.groups[group] = *deps;
    }
  }
  if (root.contains("files")) {
    const auto& files = root.at("files");
    if (!files.is_table())
      return tl::unexpected(toml_field_error(files, file, "[files]", "expected a table"));
    for (const auto& [key, value] : files.as_table()) {
      if (key != "include" && key != "exclude")
        return tl::unexpected(toml_field_error(value, file, "[files] " + key, "unknown key"));
      auto s = get_strings(value, file, "[files] " + key);
      if (!s) return tl::unexpected(s.error());
      (key == "include" ? m.include : m.exclude) = *s;
    }
  }
  if (root.contains("env")) {
    auto env = parse_env_section(root.at("env"), file);
    if (!env) return tl::unexpected(env.error());
    m.env = std::move(*env);
  }
  if (root.contains("scripts")) {
    auto scripts = parse_scripts_section(root.at("scripts"), file);
    if (!scripts) return tl::unexpected(scripts.error());
    m.scripts = std::move(*scripts);
  }
  if (root.contains("step")) {
    auto steps = parse_steps_section(root.at("step"), file);
    if (!steps) return tl::unexpected(steps.error());
    m.steps = std::move(*steps);
  }
  if (root.contains("metadata")) {
    const auto& meta = root.at("metadata");
    if (!meta.is_table())
      return tl::unexpected(toml_field_error(meta, file, "[metadata]", "expected a table"));
    auto json = toml_to_json(meta, file, "[metadata]");
    if (!json) return tl::unexpected(json.error());
    m.metadata_json = std::move(*json);
    REEL_TRY(check_studio_metadata(m.metadata_json, file));
  }
  return m;
}

namespace {

void write_dependencies(std::string& out, const std::vector<DependencySpec>& deps) {
  for (const auto& d : deps) out += toml_key(d.name) + " = " + toml_quote(d.range_text) + "\n";
}

}  // namespace

std::string serialize_manifest(const AssetManifest& m) {
  std::string out = "[asset]\n";
  out += "name = " + toml_quote(m.name) + "\n";
  out += "version = " + toml_quote(m.version.to_string()) + "\n";
  if (!m.type.empty()) out += "type = " + toml_quote(m.type) + "\n";
  if (!m.description.empty()) out += "description = " + toml_quote(m.description) + "\n";
  if (!m.tags.empty()) {
    out += "tags = [";
    for (std::size_t i = 0; i < m.tags.size(); ++i) out += (i ? ", " : "") + toml_quote(m.tags[i]);
    out += "]\n";
  }
  out += "\n[dependencies]\n";
  write_dependencies(out, m.dependencies);
  if (!m.groups.empty()) {
    for (const auto& [group, deps] : m.groups) {
      out += "\n[dependency-groups." + toml_key(group) + "]\n";
      write_dependencies(out, deps);
    }
  }
  bool default_files = m.include == std::vector<std::string>{"**"} && m.exclude.empty();
  if (!default_files) {
    out += "\n[files]\ninclude = [";
    for (std::size_t i = 0; i < m.include.size(); ++i)
      out += (i ? ", " : "") + toml_quote(m.include[i]);
    out += "]\nexclude = [";
    for (std::size_t i = 0; i < m.exclude.size(); ++i)
      out += (i ? ", " : "") + toml_quote(m.exclude[i]);
    out += "]\n";
  }
  out += serialize_env_section(m.env);
  out += serialize_scripts_section(m.scripts);
  std::string meta = json_object_to_toml_lines(m.metadata_json);
  if (!meta.empty()) out += "\n[metadata]\n" + meta;
  out += serialize_steps_section(m.steps);  // arrays of tables last: nothing may follow them
  return out;
}

}  // namespace reel
