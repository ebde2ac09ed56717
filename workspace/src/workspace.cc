#include "reel/workspace/workspace.h"

#include <cstdlib>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/workspace/credentials.h"

namespace reel {

Workspace::Workspace(Context& ctx, fs::path root, WorkspaceConfig config)
    : ctx_(&ctx), root_(std::move(root)), config_(std::move(config)) {}
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;
Workspace::~Workspace() = default;

Result<Workspace> Workspace::find(Context& ctx, const fs::path& start) {
  fs::path dir = start;
  for (;;) {
    auto st = ctx.fs.stat(dir / "workspace.toml");
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kRegular) break;
    if (!dir.has_parent_path() || dir.parent_path() == dir) {
      return make_error(ErrorCode::kNotFound,
                        "no workspace.toml in " + start.string() +
                            " or its parents (run `reel init` to create a workspace)");
    }
    dir = dir.parent_path();
  }
  fs::path file = dir / "workspace.toml";
  auto text = ctx.fs.read_file(file, kMaxConfigBytes);
  if (!text) return tl::unexpected(text.error());
  auto config = parse_workspace_config(*text, file.string());
  if (!config) return tl::unexpected(config.error());
  return Workspace(ctx, dir, std::move(*config));
}

Result<Workspace> Workspace::create(Context& ctx, const fs::path& dir, const InitOptions& options) {
  auto st = ctx.fs.stat(dir / "workspace.toml");
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kMissing) {
    return make_error(ErrorCode::kAlreadyExists,
                      (dir / "workspace.toml").string() + " already exists");
  }
  WorkspaceConfig config;
  config.name = options.name.empty() ? dir.filename().string() : options.name;
  config.link_mode = options.link_mode;
  for (const auto& [name, url] : options.repos) {
    if (config.find_repo(name))
      return make_error(ErrorCode::kInvalidArgument, "repo '" + name + "' is given twice");
    RepoConfig rc;
    rc.name = name;
    bool is_path = url.find("://") == std::string::npos;
    rc.url = is_path ? fs::absolute(url).lexically_normal().string() : url;
    config.repos.push_back(std::move(rc));
  }
  // The named repo, else the first.
  auto pick = [&](const std::string& named, std::string_view what) -> Result<RepoConfig*> {
    for (auto& r : config.repos)
      if (r.name == named) return &r;
    if (!named.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(what) + " repo '" + named + "' is not among the repos given");
    return config.repos.empty() ? nullptr : &config.repos.front();
  };
  auto blessed = pick(options.blessed_repo, "the blessed");
  if (!blessed) return tl::unexpected(blessed.error());
  auto publish_to = pick(options.default_repo, "the default");
  if (!publish_to) return tl::unexpected(publish_to.error());
  if (*blessed) (*blessed)->blessed = true;
  if (*publish_to) (*publish_to)->is_default = true;
  for (const char* sub : {"inputs", "outputs", "build"})
    REEL_TRY(ctx.fs.create_directories(dir / sub));
  Workspace ws(ctx, dir, std::move(config));
  REEL_TRY(ws.save_config());
  return ws;
}

Status Workspace::save_config() {
  return ctx_->fs.write_file_atomic(config_path(), serialize_workspace_config(config_), true);
}

Result<std::optional<LockFile>> Workspace::read_lock() {
  auto st = ctx_->fs.stat(lock_path());
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return std::optional<LockFile>();
  auto text = ctx_->fs.read_file(lock_path(), kMaxLockBytes);
  if (!text) return tl::unexpected(text.error());
  auto lock = parse_lock_file(*text, lock_path().string());
  if (!lock) return tl::unexpected(lock.error());
  return std::optional<LockFile>(std::move(*lock));
}

Status Workspace::write_lock(const LockFile& lock) {
  return ctx_->fs.write_file_atomic(lock_path(), serialize_lock_file(lock), true);
}

Result<std::string> read_token_file(FileSystem& fs, const fs::path& file) {
  auto text = fs.read_file(file);
  if (!text) return tl::unexpected(text.error().with_context("token-file"));
  std::size_t pos = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    std::size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    return line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
  }
  return make_error(ErrorCode::kInvalidArgument, "token-file " + file.string() + " holds no token");
}

RepoOpenOptions repo_open_options(const Context& ctx) {
  RepoOpenOptions options;
  options.http_cache_dir = ctx.cache.http_dir();
  auto env = [&](const char* name) {
    auto it = ctx.environment.find(name);
    return it == ctx.environment.end() ? std::string() : it->second;
  };
  // REEL_INDEX_CACHE=off reads every index file's JSON (benchmarks/index/run.sh's peer).
  if (env("REEL_INDEX_CACHE") != "off") options.index_cache_dir = ctx.cache.index_dir();
  options.ca_file = env("REEL_CA_FILE");
  std::string stall = env("REEL_HTTP_STALL_SECONDS");
  char* end = nullptr;
  long seconds = std::strtol(stall.c_str(), &end, 10);
  if (!stall.empty() && *end == '\0' && seconds >= 1 && seconds <= 3600)
    options.stall_seconds = seconds;
  options.max_parallel = ctx.parallel_transfers;
  options.detail = &ctx.reporter;
  return options;
}

Result<Repo*> Workspace::repo(const std::string& name) {
  auto it = repos_.find(name);
  if (it != repos_.end()) return it->second.get();
  const RepoConfig* rc = config_.find_repo(name);
  if (!rc)
    return make_error(ErrorCode::kNotFound,
                      "no repo named '" + name + "' in " + config_path().string());
  RepoOpenOptions options = repo_open_options(*ctx_);
  if (rc->url.rfind("http://", 0) == 0 || rc->url.rfind("https://", 0) == 0) {
    // Credentials only where they were configured for (credentials.h). The CA bundle from the
    // environment (or the command line) wins; else the repo's.
    add_credentials(*ctx_, rc->url, rc, options, credential_warnings_);
    if (options.ca_file.empty() && !rc->ca_file.empty())
      options.ca_file = (root_ / rc->ca_file).lexically_normal();
  }
  auto repo = open_repo(ctx_->fs, rc->url, options);
  if (!repo) return tl::unexpected(repo.error().with_context("repo '" + name + "'"));
  Repo* raw = repo->get();
  repos_.emplace(name, std::move(*repo));
  return raw;
}

Result<std::vector<std::pair<std::string, Repo*>>> Workspace::install_repos(
    const std::optional<std::string>& only) {
  std::vector<std::pair<std::string, Repo*>> out;
  std::vector<std::string> names;
  if (only)
    names.push_back(*only);
  else
    for (const RepoConfig* rc : config_.install_repos()) names.push_back(rc->name);
  if (names.empty()) {
    return make_error(ErrorCode::kNotFound,
                      "the workspace has no repos (add one with `reel repo add NAME URL`)");
  }
  for (const auto& n : names) {
    auto r = repo(n);
    if (!r) return tl::unexpected(r.error());
    out.emplace_back(n, *r);
  }
  return out;
}

}  // namespace reel
