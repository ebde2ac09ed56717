// The review workflow of a workspace's repos (DESIGN §2 "review", §5 `reel review`, `reel yank`):
// who is acting, which repo a command acts on, listing review states, deciding, yanking.
// docs/decisions.md "Review, yank and the audit log".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reel/engine/index.h"
#include "reel/workspace/context.h"
#include "reel/workspace/workspace.h"

namespace reel {

// The actor recorded in audit logs and review records: $REEL_USER (from the context's
// environment), else "$GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>" (git's precedence: the environment
// before the config), else git's "user.name <user.email>" (libgit2's default config, as `reel new`
// commits), else the login name ($USER, $LOGNAME, getlogin), else "unknown". Over HTTP the server
// records its token's name instead.
std::string audit_actor(const Context& ctx);

// The repo `reel review` acts on: `repo` if given (it must be configured), else the workspace's
// default (publish target) repo. kNotFound naming the repo, or when the workspace has none.
Result<std::string> review_repo(const Workspace& ws, const std::optional<std::string>& repo);
// The repo `reel yank` / `unyank` act on: `repo` if given, else the first blessed repo (yanks are
// about what gets installed). kNotFound as review_repo.
Result<std::string> yank_repo(const Workspace& ws, const std::optional<std::string>& repo);

// One published version and its review, for `reel review list`.
struct ReviewRow {
  std::string name;  // canonical spelling
  IndexEntry entry;
};

// Every version in `repo` (sorted by name case-insensitively, then version), or only those in
// `state`. Errors: the repo's (opening it, reading an index).
Result<std::vector<ReviewRow>> list_reviews(Repo& repo, std::optional<ReviewState> state);

// Approves or rejects NAME VERSION in `repo` as audit_actor(), at the context's clock's time, with
// `note` (required for a rejection). Repo::set_review's errors.
Status review_version(const Context& ctx, Repo& repo, const std::string& name,
                      const Version& version, ReviewState state, const std::string& note);

// Yanks (with `reason`, required) or unyanks (`reason` an optional note) NAME VERSION in `repo`
// as audit_actor(). Repo::set_yank's errors (kConflict for yanking twice).
Status yank_version(const Context& ctx, Repo& repo, const std::string& name, const Version& version,
                    bool yank, const std::string& reason);

// The warnings for yanked versions in a lock: "Table 3.3.0 is yanked: <reason>" for each locked
// package whose index entry in its repo is yanked (a repo that cannot be read is skipped).
std::vector<std::string> yanked_warnings(Workspace& ws, const LockFile& lock);
// "NAME VERSION is yanked" and ": REASON" when the yank gives one: a yanked_warnings line.
std::string yanked_line(const std::string& name, const Version& version, const IndexEntry& entry);

}  // namespace reel
