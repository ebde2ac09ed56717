// workspace.toml (DESIGN §2).
#include "reel/workspace/config.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <toml.hpp>
#include <vector>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/toml_text.h"
#include "reel/resolver/range.h"

namespace reel {

const RepoConfig* WorkspaceConfig::find_repo(std::string_view repo_name) const {
  for (const auto& r : repos) {
    if (r.name == repo_name) return &r;
  }
  return nullptr;
}

const RepoConfig* WorkspaceConfig::default_repo() const {
  for (const auto& r : repos) {
    if (r.is_default) return &r;
  }
  return repos.empty() ? nullptr : &repos.front();
}

std::vector<const RepoConfig*> WorkspaceConfig::install_repos() const {
  std::vector<const RepoConfig*> out;
  for (const auto& r : repos) {
    if (r.blessed) out.push_back(&r);
  }
  if (out.empty()) {
    for (const auto& r : repos) out.push_back(&r);
  }
  return out;
}

const std::string* WorkspaceConfig::source_of(std::string_view package) const {
  std::string key = lower_name(package);
  for (const auto& [name, repo] : sources) {
    if (lower_name(name) == key) return &repo;
  }
  return nullptr;
}

namespace {

using Value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

// workspace.toml strings are written as every reel TOML file writes them (escapes included).
std::string quote(std::string_view s) { return toml_quote(s); }

Error field_error(const Value& v, std::string_view file, const std::string& field,
                  const std::string& what) {
  std::string where(file);
  if (v.location().line() > 0) where += ":" + std::to_string(v.location().line());
  return Error{ErrorCode::kInvalidArgument, where + ": " + field + ": " + what};
}

}  // namespace

Result<WorkspaceConfig> parse_workspace_config(std::string_view text, std::string_view file) {
  REEL_TRY(check_toml_input(text, file, kMaxConfigBytes));
  std::istringstream in{std::string(text)};
  Value root;
  try {
    root = toml::parse<toml::discard_comments, std::map, std::vector>(in, std::string(file));
  } catch (const std::exception& e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(file) + ": invalid TOML: " + message);
  }
  WorkspaceConfig config;
  for (const auto& [key, value] : root.as_table()) {
    if (key != "workspace" && key != "repo" && key != "requirements" && key != "sources") {
      return tl::unexpected(field_error(value, file, "[" + key + "]",
                                        "unknown section (expected workspace, repo, requirements "
                                        "or sources)"));
    }
  }
  if (root.contains("workspace")) {
    const auto& ws = root.at("workspace");
    if (!ws.is_table())
      return tl::unexpected(field_error(ws, file, "[workspace]", "expected a table"));
    for (const auto& [key, value] : ws.as_table()) {
      if (!value.is_string())
        return tl::unexpected(field_error(value, file, "[workspace] " + key, "expected a string"));
      if (key == "name") {
        config.name = value.as_string().str;
      } else if (key == "link-mode") {
        auto mode = parse_link_mode(value.as_string().str);
        if (!mode)
          return tl::unexpected(
              field_error(value, file, "[workspace] link-mode", mode.error().message));
        config.link_mode = *mode;
      } else {
        return tl::unexpected(field_error(value, file, "[workspace] " + key, "unknown key"));
      }
    }
  }
  if (root.contains("repo")) {
    const auto& repos = root.at("repo");
    if (!repos.is_array())
      return tl::unexpected(field_error(repos, file, "[[repo]]", "expected an array of tables"));
    for (const auto& r : repos.as_array()) {
      if (!r.is_table())
        return tl::unexpected(field_error(r, file, "[[repo]]", "expected a table"));
      RepoConfig rc;
      for (const auto& [key, value] : r.as_table()) {
        std::string field = "[[repo]] " + key;
        if (key == "name" || key == "url" || key == "token-file" || key == "ca-file") {
          if (!value.is_string())
            return tl::unexpected(field_error(value, file, field, "expected a string"));
          (key == "name"         ? rc.name
           : key == "url"        ? rc.url
           : key == "token-file" ? rc.token_file
                                 : rc.ca_file) = value.as_string().str;
        } else if (key == "blessed" || key == "default" || key == "allow-insecure-token") {
          if (!value.is_boolean())
            return tl::unexpected(field_error(value, file, field, "expected true or false"));
          (key == "blessed"   ? rc.blessed
           : key == "default" ? rc.is_default
                              : rc.allow_insecure_token) = value.as_boolean();
        } else {
          return tl::unexpected(field_error(value, file, field, "unknown key"));
        }
      }
      if (rc.name.empty() || rc.url.empty())
        return tl::unexpected(field_error(r, file, "[[repo]]", "needs a name and a url"));
      if (config.find_repo(rc.name))
        return tl::unexpected(
            field_error(r, file, "[[repo]] name", "'" + rc.name + "' is defined twice"));
      config.repos.push_back(std::move(rc));
    }
  }
  if (root.contains("requirements")) {
    const auto& req = root.at("requirements");
    if (!req.is_table())
      return tl::unexpected(field_error(req, file, "[requirements]", "expected a table"));
    for (const auto& [name, value] : req.as_table()) {
      std::string field = "[requirements] " + name;
      if (auto okname = check_package_name(name); !okname)
        return tl::unexpected(field_error(value, file, field, okname.error().message));
      if (!value.is_string())
        return tl::unexpected(field_error(value, file, field, "expected a range string"));
      auto range = Range::parse(value.as_string().str);
      if (!range) return tl::unexpected(field_error(value, file, field, range.error().to_string()));
      config.requirements.emplace_back(name, value.as_string().str);
    }
    std::sort(
        config.requirements.begin(), config.requirements.end(),
        [](const auto& a, const auto& b) { return lower_name(a.first) < lower_name(b.first); });
  }
  if (root.contains("sources")) {
    const auto& src = root.at("sources");
    if (!src.is_table())
      return tl::unexpected(field_error(src, file, "[sources]", "expected a table"));
    for (const auto& [name, value] : src.as_table()) {
      std::string field = "[sources] " + name;
      if (auto okname = check_package_name(name); !okname) {
        return tl::unexpected(field_error(value, file, field, okname.error().message));
      }
      if (!value.is_string())
        return tl::unexpected(field_error(value, file, field, "expected a repo name"));
      std::string repo = value.as_string().str;
      if (!config.find_repo(repo)) {
        return tl::unexpected(field_error(value, file, field, "no [[repo]] named '" + repo + "'"));
      }
      if (config.source_of(name))
        return tl::unexpected(field_error(value, file, field, "given twice"));
      config.sources.emplace_back(name, std::move(repo));
    }
    std::sort(config.sources.begin(), config.sources.end(), [](const auto& a, const auto& b) {
      return lower_name(a.first) < lower_name(b.first);
    });
  }
  return config;
}

std::string serialize_workspace_config(const WorkspaceConfig& config) {
  std::string out = "[workspace]\nname = " + quote(config.name) + "\n";
  out += "link-mode = " + quote(link_mode_name(config.link_mode)) + "\n";
  for (const auto& r : config.repos) {
    out += "\n[[repo]]\nname = " + quote(r.name) + "\nurl = " + quote(r.url) + "\n";
    if (r.blessed) out += "blessed = true\n";
    if (r.is_default) out += "default = true\n";
    if (!r.token_file.empty()) out += "token-file = " + quote(r.token_file) + "\n";
    if (!r.ca_file.empty()) out += "ca-file = " + quote(r.ca_file) + "\n";
    if (r.allow_insecure_token) out += "allow-insecure-token = true\n";
  }
  out += "\n[requirements]\n";
  for (const auto& [name, range] : config.requirements)
    out += toml_key(name) + " = " + quote(range) + "\n";
  if (!config.sources.empty()) {
    out += "\n[sources]\n";
    for (const auto& [name, repo] : config.sources)
      out += toml_key(name) + " = " + quote(repo) + "\n";
  }
  return out;
}

Result<std::pair<std::string, std::string>> parse_requirement_spec(std::string_view spec) {
  std::size_t i = 0;
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  while (i < spec.size() && name_char(spec[i])) ++i;
  std::string name(spec.substr(0, i));
  if (auto okname = check_package_name(name); !okname) {
    return make_error(ErrorCode::kInvalidArgument,
                      "requirement '" + std::string(spec) + "': " + okname.error().message);
  }
  std::string_view rest = spec.substr(i);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  std::string range = rest.empty() ? "*" : std::string(rest);
  auto parsed = Range::parse(range);
  if (!parsed) {
    return make_error(ErrorCode::kInvalidArgument,
                      "requirement '" + std::string(spec) + "': " + parsed.error().to_string());
  }
  return std::make_pair(std::move(name), std::move(range));
}

}  // namespace reel
