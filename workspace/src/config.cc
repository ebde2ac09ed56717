// workspace.toml (DESIGN §2).
#include "reel/workspace/config.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>
#include <toml.hpp>

#include "reel/engine/names.h"
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

namespace {

using Value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Error field_error(const Value& v, std::string_view file, const std::string& field, const std::string& what) {
  std::string where(file);
  if (v.location().line() > 0) where += ":" + std::to_string(v.location().line());
  return Error{ErrorCode::kInvalidArgument, where + ": " + field + ": " + what};
}

}  // namespace

Result<WorkspaceConfig> parse_workspace_config(std::string_view text, std::string_view file) {
  REEL_TRY(check_text(text, file));
  std::istringstream in{std::string(text)};
  Value root;
  try {
    root = toml::parse<toml::discard_comments, std::map, std::vector>(in, std::string(file));
  } catch (const std::exception& e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": invalid TOML: " + message);
  }
  WorkspaceConfig config;
  for (const auto& [key, value] : root.as_table()) {
    if (key != "workspace" && key != "repo" && key != "requirements") {
      return tl::unexpected(field_error(value, file, "[" + key + "]", "unknown section (expected workspace, repo or requirements)"));
    }
  }
  if (root.contains("workspace")) {
    const auto& ws = root.at("workspace");
    if (!ws.is_table()) return tl::unexpected(field_error(ws, file, "[workspace]", "expected a table"));
    for (const auto& [key, value] : ws.as_table()) {
      if (!value.is_string()) return tl::unexpected(field_error(value, file, "[workspace] " + key, "expected a string"));
      if (key == "name") {
        config.name = value.as_string().str;
      } else if (key == "link-mode") {
        auto mode = parse_link_mode(value.as_string().str);
        if (!mode) return tl::unexpected(field_error(value, file, "[workspace] link-mode", mode.error().message));
        config.link_mode = *mode;
      } else {
        return tl::unexpected(field_error(value, file, "[workspace] " + key, "unknown key"));
      }
    }
  }
  if (root.contains("repo")) {
    const auto& repos = root.at("repo");
    if (!repos.is_array()) return tl::unexpected(field_error(repos, file, "[[repo]]", "expected an array of tables"));
    for (const auto& r : repos.as_array()) {
      if (!r.is_table()) return tl::unexpected(field_error(r, file, "[[repo]]", "expected a table"));
      RepoConfig rc;
      for (const auto& [key, value] : r.as_table()) {
        std::string field = "[[repo]] " + key;
        if (key == "name" || key == "url" || key == "token-file") {
          if (!value.is_string()) return tl::unexpected(field_error(value, file, field, "expected a string"));
          (key == "name" ? rc.name : key == "url" ? rc.url : rc.token_file) = value.as_string().str;
        } else if (key == "blessed" || key == "default") {
          if (!value.is_boolean()) return tl::unexpected(field_error(value, file, field, "expected true or false"));
          (key == "blessed" ? rc.blessed : rc.is_default) = value.as_boolean();
        } else {
          return tl::unexpected(field_error(value, file, field, "unknown key"));
        }
      }
      if (rc.name.empty() || rc.url.empty()) return tl::unexpected(field_error(r, file, "[[repo]]", "needs a name and a url"));
      if (config.find_repo(rc.name)) return tl::unexpected(field_error(r, file, "[[repo]] name", "'" + rc.name + "' is defined twice"));
      config.repos.push_back(std::move(rc));
    }
  }
  if (root.contains("requirements")) {
    const auto& req = root.at("requirements");
    if (!req.is_table()) return tl::unexpected(field_error(req, file, "[requirements]", "expected a table"));
    for (const auto& [name, value] : req.as_table()) {
      std::string field = "[requirements] " + name;
      if (auto okname = check_package_name(name); !okname) return tl::unexpected(field_error(value, file, field, okname.error().message));
      if (!value.is_string()) return tl::unexpected(field_error(value, file, field, "expected a range string"));
      auto range = Range::parse(value.as_string().str);
      if (!range) return tl::unexpected(field_error(value, file, field, range.error().to_string()));
      config.requirements.emplace_back(name, value.as_string().str);
    }
    std::sort(config.requirements.begin(), config.requirements.end(),
              [](const auto& a, const auto& b) { return lower_name(a.first) < lower_name(b.first); });
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
  }
  out += "\n[requirements]\n";
  for (const auto& [name, range] : config.requirements) out += quote(name) + " = " + quote(range) + "\n";
  return out;
}

}  // namespace reel
