// The user's own defaults: $XDG_CONFIG_HOME/reel/config.toml (else ~/.config/reel/config.toml),
// as cargo's ~/.cargo/config.toml and uv's ~/.config/uv/uv.toml. Every key is optional:
//
//   cache-dir = "/scratch/reel-cache"   # the cache, when neither --cache-dir nor REEL_CACHE_DIR
//   link-mode = "hardlink"              # what `reel init` writes when not given --link-mode
//   color = "never"                     # auto | always | never, when not given --color
//   parallel-transfers = 16             # HTTP transfers at once, when REEL_PARALLEL_TRANSFERS
//   unset
//
//   [[repo]]                            # `reel init`'s repos when it is given no --repo
//   name = "blessed"
//   url = "/studio/assets/blessed"      # a path (absolute), file://, http:// or https://
//   blessed = true                      # optional, as in workspace.toml
//   default = true                      # optional
//
// Precedence, highest first: a command-line flag, an environment variable, the workspace's
// workspace.toml, this file (docs/decisions.md "The command line's manners (issue 15, second
// part)").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/error.h"
#include "reel/storage/file_system.h"
#include "reel/storage/object_store.h"
#include "reel/workspace/config.h"

namespace reel {

struct UserConfig {
  fs::path file;          // where it was read from; empty if there was none
  std::string cache_dir;  // "" if unset
  std::optional<LinkMode> link_mode;
  std::string color;              // "", "auto", "always" or "never"
  int parallel_transfers = 0;     // 1-64; 0 if unset
  std::vector<RepoConfig> repos;  // name, url, blessed, default only
};

// Parses config.toml text, with the input checks every reel TOML file gets before toml11 reads it
// (check_toml_input: size, valid UTF-8, no control characters, nesting depth). kInvalidArgument
// naming `file` and the line or key: malformed TOML, an unknown key, a value of the wrong type or
// out of range, a [[repo]] without name and url, a relative repo path, a repo named twice.
Result<UserConfig> parse_user_config(std::string_view text, std::string_view file);

// The config file's path from the environment: $XDG_CONFIG_HOME/reel/config.toml, else
// $HOME/.config/reel/config.toml (each only if absolute); empty if neither is set.
fs::path user_config_path(const std::map<std::string, std::string>& environment);

// Reads and parses the user config; an empty UserConfig (file empty) if the file does not exist
// or its folder cannot be searched by this user (another user's $HOME under sudo or setpriv).
// Errors: reading it (a folder, unreadable, over kMaxConfigBytes), and parse_user_config's.
Result<UserConfig> load_user_config(FileSystem& fs,
                                    const std::map<std::string, std::string>& environment);

}  // namespace reel
