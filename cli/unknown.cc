// Unknown names, said as cargo and uv say them: the repos searched, and the nearest name there is.
#include "cli.h"
#include "reel/engine/names.h"
#include "reel/workspace/outputs.h"

namespace reel::cli {

Status check_package_known(const std::vector<std::pair<std::string, Repo*>>& repos,
                           const std::string& name) {
  for (const auto& [label, repo] : repos) {
    auto index = repo->read_index(name);
    if (!index) return tl::unexpected(index.error());
    if (*index) return {};
  }
  std::vector<std::string> searched, names;
  for (const auto& [label, repo] : repos) {
    searched.push_back(label + " (" + repo->url() + ")");
    auto listed = repo->list_packages();  // only for the suggestion: its errors are not ours
    if (listed) names.insert(names.end(), listed->begin(), listed->end());
  }
  std::string near = nearest_word(names, name);
  Error error{ErrorCode::kNotFound,
              "no package '" + name + "' in " +
                  (searched.empty() ? std::string("any repo (the workspace has none)")
                                    : join(searched, ", "))};
  if (!near.empty()) error.hint = "did you mean '" + near + "'?";
  return tl::unexpected(error);
}

Status check_package_known(Workspace& ws, const std::string& name) {
  // An output is known: it is the asset being acted on (docs/decisions.md "Workspaces").
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  for (const auto& o : *outputs)
    if (lower_name(o) == lower_name(name)) return {};
  std::optional<std::string> only;
  if (const std::string* pinned = ws.config().source_of(name)) only = *pinned;
  auto repos = ws.install_repos(only);
  if (!repos) return tl::unexpected(repos.error());
  return check_package_known(*repos, name);
}

Result<RepoConfig*> find_workspace_repo(WorkspaceConfig& config, const std::string& name) {
  for (auto& r : config.repos)
    if (r.name == name) return &r;
  std::vector<std::string> names;
  for (const auto& r : config.repos) names.push_back(r.name);
  std::string near = nearest_word(names, name);
  std::string hint = names.empty() ? "the workspace has no repos (reel repo add NAME URL)"
                                   : "its repos: " + join(names, ", ");
  if (!near.empty()) hint = "did you mean '" + near + "'? " + hint;
  Error error{ErrorCode::kNotFound, "the workspace has no repo named '" + name + "'"};
  error.hint = hint;
  return tl::unexpected(error);
}

Status check_output_known(Workspace& ws, const std::string& name) {
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  for (const auto& o : *outputs)
    if (lower_name(o) == lower_name(name)) return {};
  std::string near = nearest_word(*outputs, name);
  Error error{ErrorCode::kNotFound,
              "no output named '" + name + "' in " + ws.outputs_dir().string()};
  error.hint = near.empty() ? "`reel new " + name + "` scaffolds one, `reel edit " + name +
                                  "` takes a published version"
                            : "did you mean '" + near + "'?";
  return tl::unexpected(error);
}

}  // namespace reel::cli
