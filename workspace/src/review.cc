// The review workflow over a workspace's repos (review.h).
#include "reel/workspace/review.h"

#include <unistd.h>

#include <algorithm>

#include "git_repo.h"
#include "reel/engine/names.h"

namespace reel {

std::string audit_actor(const Context& ctx) {
  auto env = [&](const char* key) {
    auto it = ctx.environment.find(key);
    return it == ctx.environment.end() ? std::string() : it->second;
  };
  if (std::string user = env("REEL_USER"); !user.empty()) return user;
  // git's own precedence for an author: the environment over the config (git-commit(1)).
  if (std::string name = env("GIT_AUTHOR_NAME"); !name.empty()) {
    std::string email = env("GIT_AUTHOR_EMAIL");
    return email.empty() ? name : name + " <" + email + ">";
  }
  if (std::string git = git::default_identity(); !git.empty()) return git;
  for (const char* key : {"USER", "LOGNAME"})
    if (std::string login = env(key); !login.empty()) return login;
  if (const char* login = ::getlogin()) return login;
  return "unknown";
}

Result<std::string> review_repo(const Workspace& ws, const std::optional<std::string>& repo) {
  if (repo) {
    if (!ws.config().find_repo(*repo))
      return make_error(ErrorCode::kNotFound, "the workspace has no repo named '" + *repo + "'");
    return *repo;
  }
  if (const RepoConfig* rc = ws.config().default_repo()) return rc->name;
  return make_error(ErrorCode::kNotFound,
                    "the workspace has no repo to review in (add one with `reel repo add`)");
}

Result<std::string> yank_repo(const Workspace& ws, const std::optional<std::string>& repo) {
  if (repo) return review_repo(ws, repo);
  auto blessed = ws.config().install_repos();
  if (blessed.empty())
    return make_error(ErrorCode::kNotFound,
                      "the workspace has no blessed repo (add one with `reel repo add --blessed`)");
  return blessed.front()->name;
}

Result<std::vector<ReviewRow>> list_reviews(Repo& repo, std::optional<ReviewState> state) {
  auto all = repo.read_all_indexes();
  if (!all) return tl::unexpected(all.error());
  std::vector<ReviewRow> rows;
  for (auto& index : *all) {
    for (auto& e : index.versions) {
      if (state && e.review.current.state != *state) continue;
      rows.push_back(ReviewRow{index.name, std::move(e)});
    }
  }
  return rows;
}

Status review_version(const Context& ctx, Repo& repo, const std::string& name,
                      const Version& version, ReviewState state, const std::string& note) {
  REEL_TRY(check_package_name(name));
  return repo.set_review(name, version,
                         ReviewRecord{state, audit_actor(ctx),
                                      format_rfc3339_utc(ctx.clock.now_unix_seconds()), note});
}

Status yank_version(const Context& ctx, Repo& repo, const std::string& name, const Version& version,
                    bool yank, const std::string& reason) {
  REEL_TRY(check_package_name(name));
  return repo.set_yank(
      name, version, yank,
      YankRecord{reason, audit_actor(ctx), format_rfc3339_utc(ctx.clock.now_unix_seconds())});
}

std::string yanked_line(const std::string& name, const Version& version, const IndexEntry& entry) {
  std::string reason = entry.yank ? entry.yank->reason : "";
  return name + " " + version.to_string() + " is yanked" +
         (reason.empty() ? std::string() : ": " + reason);
}

std::vector<std::string> yanked_warnings(Workspace& ws, const LockFile& lock) {
  std::vector<std::string> out;
  for (const auto& p : lock.packages) {
    auto repo = ws.repo(p.repo);
    if (!repo) continue;
    auto index = (*repo)->read_index(p.name);
    if (!index || !*index) continue;
    const IndexEntry* e = (*index)->find(p.version);
    if (e && e->yanked) out.push_back(yanked_line(p.name, p.version, *e));
  }
  return out;
}

}  // namespace reel
