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
  std::string token_file;   // optional, for HTTP repos: a file of bearer tokens (first one used),
                            // honoured only under the user's config folder (credentials.h)
  std::string ca_file = {};  // optional, for https repos: PEM bundle of a studio CA (= {}: older
                             // aggregate initialisations need not name it)
  bool allow_insecure_token = false;  // allow-insecure-token: a token may go over plain http://
                                      // to a host that is not loopback (credentials.h)
};

struct WorkspaceConfig {
  std::string name;
  LinkMode link_mode = LinkMode::kAuto;
  std::vector<RepoConfig> repos;  // file order = search order
  // [requirements]: (name, range text), sorted by lower-case name, one per name.
  std::vector<std::pair<std::string, std::string>> requirements;
  // [sources]: (package name, repo name), sorted by lower-case name. A package named here is
  // resolved from that repo only (`reel add --repo R`), like uv's `[tool.uv.sources]` index pins;
  // every other name is searched in install_repos() order.
  std::vector<std::pair<std::string, std::string>> sources;

  // Case-sensitive lookup by repo name; nullptr if absent.
  const RepoConfig* find_repo(std::string_view name) const;
  // The repo flagged default, else the first one; nullptr if there are none.
  const RepoConfig* default_repo() const;
  // Blessed repos in file order (all repos if none is flagged blessed).
  std::vector<const RepoConfig*> install_repos() const;
  // The repo pinned for `package` in [sources] (case-insensitive), or nullptr.
  const std::string* source_of(std::string_view package) const;
};

// Parses workspace.toml text. kInvalidArgument naming `file` and the line or field: malformed
// TOML, unknown sections or keys, a bad link-mode, a bad package name or range in [requirements],
// a [sources] entry naming a repo that is not configured (check_text runs before toml11).
Result<WorkspaceConfig> parse_workspace_config(std::string_view text, std::string_view file);
// workspace.toml text in a stable order: [workspace], [[repo]]s in order, [requirements], then
// [sources] if any. parse_workspace_config(serialize_workspace_config(c)) gives c back.
std::string serialize_workspace_config(const WorkspaceConfig& config);

// Splits a requirement SPEC of `reel add` into (name, range text): the name is the longest prefix
// of name characters ([A-Za-z0-9._-]), the rest (leading blanks dropped) is the range, "*" if
// empty. "Table", "Table==3.2.1", "Table>=1.2,<2", "Table >=1.2". kInvalidArgument naming the spec
// for a bad name or range.
Result<std::pair<std::string, std::string>> parse_requirement_spec(std::string_view spec);

}  // namespace reel
