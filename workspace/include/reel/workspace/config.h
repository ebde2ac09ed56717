// workspace.toml (DESIGN §2), parsed with toml11 and written back in a stable order.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/storage/error.h"
#include "reel/storage/object_store.h"

namespace reel {

// One [[repo]] entry.
struct RepoConfig {
  std::string name;
  std::string url;          // absolute path, file://, http:// or https://
  bool blessed = false;     // installs resolve against blessed repos
  bool is_default = false;  // default publish target
  std::string token_file;   // optional, for HTTP repos (later)
};

struct WorkspaceConfig {
  std::string name;
  LinkMode link_mode = LinkMode::kAuto;
  std::vector<RepoConfig> repos;  // file order = search order
  // [requirements]: (name, range text), sorted by lower-case name, one per name.
  std::vector<std::pair<std::string, std::string>> requirements;

  // Case-sensitive lookup by repo name; nullptr if absent.
  const RepoConfig* find_repo(std::string_view name) const;
  // The repo flagged default, else the first one; nullptr if there are none.
  const RepoConfig* default_repo() const;
  // Blessed repos in file order (all repos if none is flagged blessed).
  std::vector<const RepoConfig*> install_repos() const;
};

// kInvalidArgument naming `file` and the line or field (check_text runs first).
Result<WorkspaceConfig> parse_workspace_config(std::string_view text, std::string_view file);
std::string serialize_workspace_config(const WorkspaceConfig& config);

}  // namespace reel
