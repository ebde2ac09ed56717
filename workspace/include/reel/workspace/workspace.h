// A workspace (DESIGN §1, §2): a folder with workspace.toml, reel.lock, inputs/ (installed,
// read-only assets), outputs/ (editable assets, each a git working tree) and build/.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "reel/engine/lock_file.h"
#include "reel/engine/repo.h"
#include "reel/workspace/config.h"
#include "reel/workspace/context.h"

namespace reel {

struct InitOptions {
  std::string name;                                        // default: the folder's name
  // (NAME, URL) in search order. The blessed repo is the one named `blessed_repo`, the default
  // publish target the one named `default_repo`; either is the first repo when empty (`reel init`
  // picks the names: a repo named "review" is the default, DESIGN §1). create() fails with
  // kInvalidArgument when a name is set that is not among `repos`.
  std::vector<std::pair<std::string, std::string>> repos;
  LinkMode link_mode = LinkMode::kAuto;
  std::string blessed_repo = {};
  std::string default_repo = {};
};

// The bearer token in a token file: its first line that is not blank or a `#` comment, trimmed.
// kNotFound/kIOError reading it (context "token-file"); kInvalidArgument naming the file if it
// holds no token.
Result<std::string> read_token_file(FileSystem& fs, const fs::path& file);

// How this process opens repos, from the context: the cache's http_dir() and index_dir() (the
// binary index cache, unless the environment has REEL_INDEX_CACHE=off), and from its
// environment REEL_CA_FILE (a PEM CA bundle; --ca-file sets it) and REEL_HTTP_STALL_SECONDS
// (whole seconds 1-3600: how long a transfer may move under 1 byte/s; anything else keeps the
// client's 30 s). Empty where unset. The context's reporter hears the -v / -vv detail. No
// credentials: they depend on the URL (add_credentials in credentials.h).
RepoOpenOptions repo_open_options(const Context& ctx);

class Workspace {
 public:
  // Finds the workspace containing `start` (start itself or a parent holding workspace.toml) and
  // parses its config. kNotFound with a hint ("run `reel init`") if there is none.
  static Result<Workspace> find(Context& ctx, const fs::path& start);
  // Creates workspace.toml, inputs/, outputs/, build/ in `dir` (created if missing). Relative repo
  // paths are made absolute. kAlreadyExists if dir already has a workspace.toml.
  static Result<Workspace> create(Context& ctx, const fs::path& dir, const InitOptions& options);

  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;
  ~Workspace();

  Context& context() const { return *ctx_; }
  const fs::path& root() const { return root_; }
  fs::path config_path() const { return root_ / "workspace.toml"; }
  fs::path lock_path() const { return root_ / "reel.lock"; }
  fs::path inputs_dir() const { return root_ / "inputs"; }
  fs::path outputs_dir() const { return root_ / "outputs"; }
  fs::path build_dir() const { return root_ / "build"; }

  WorkspaceConfig& config() { return config_; }
  const WorkspaceConfig& config() const { return config_; }
  // Writes workspace.toml atomically.
  Status save_config();

  // reel.lock, or nullopt if there is none. Errors name the file.
  Result<std::optional<LockFile>> read_lock();
  // Writes reel.lock atomically (temp + fsync + rename).
  Status write_lock(const LockFile& lock);

  // The repo named `name` in workspace.toml, opened on first use and kept. kNotFound naming the
  // repo if it is not configured; open_repo's errors (with the repo name as context) otherwise.
  // An HTTP repo is opened with the cache's http_dir(), a CA bundle (REEL_CA_FILE in the
  // context's environment, set by --ca-file, else its ca-file, relative to the workspace root),
  // and the credentials add_credentials() (credentials.h) chooses for its URL and its token-file
  // and allow-insecure-token keys; their warnings go to the context's reporter, each once for
  // this workspace. Never a token from a command-line value.
  Result<Repo*> repo(const std::string& name);
  // The repos installs resolve against, in search order, as (name, repo): `only` if given, else
  // config().install_repos().
  Result<std::vector<std::pair<std::string, Repo*>>> install_repos(
      const std::optional<std::string>& only = std::nullopt);

 private:
  Workspace(Context& ctx, fs::path root, WorkspaceConfig config);

  Context* ctx_;
  fs::path root_;
  WorkspaceConfig config_;
  std::map<std::string, std::unique_ptr<Repo>> repos_;
  std::set<std::string> credential_warnings_;  // shown already (add_credentials)
};

}  // namespace reel
