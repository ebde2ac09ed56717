// A small wrapper over libgit2 1.5 for outputs (private to the workspace library; no libgit2 type
// leaves git_repo.cc). Each call opens the repository, initialises libgit2 for its own duration
// (git_libgit2_init/shutdown are reference-counted by libgit2) and frees everything it made (RAII),
// so calls are independent and safe from several threads on different folders.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "reel/storage/error.h"

namespace reel::git {

// Creates a fresh repository in `dir` (`git init`; never opens, reuses or follows one that is
// there: a `.git` file or folder in `dir` — a `gitdir:` pointer to another repository, or a
// config whose core.fsmonitor runs a command — is refused with kAlreadyExists, DESIGN §8), then
// stages everything the way `git add -A` does (.gitignore honoured) and makes the first commit
// on HEAD with `message`. The author and committer are git's configured identity (user.name /
// user.email), else "reel <reel@localhost>". Returns the commit's hex id. Errors: kAlreadyExists,
// kIOError with libgit2's message and `dir`.
Result<std::string> init_and_commit_all(const std::filesystem::path& dir,
                                        const std::string& message);

// Stages everything (`git add -A`) and commits it on HEAD with `message` in the repository that
// `dir` itself is (parents not searched; for repositories reel created). Returns the commit's hex
// id. Errors: kIOError with libgit2's message and `dir` (also when `dir` is not a repository).
Result<std::string> commit_all(const std::filesystem::path& dir, const std::string& message);

// git's configured identity as "user.name <user.email>" (libgit2's default config: the global
// and system files, as `git config --global` sees them; no repository), "user.name" alone when
// it has no email, or "" when user.name is unset or the config cannot be read.
std::string default_identity();

struct State {
  bool is_repo = false;
  std::string head;    // HEAD commit hex, "" if `dir` is not a repo or has no commit yet
  bool dirty = false;  // uncommitted changes (index or work tree, untracked files included,
                       // ignored files not); true when there is no repo or no commit
  std::vector<std::string> changed;  // the first paths with uncommitted changes (at most 10)
  std::size_t changed_count = 0;     // how many paths have them in all
};

// The git state of `dir` itself (parent folders are not searched: an output inside a workspace
// that is itself under git is still "not a repo"). Errors: kIOError if the status cannot be read.
Result<State> state(const std::filesystem::path& dir);

// Which files of a repository's work tree `git archive` of a commit of all its changes would
// leave out: those its ignore rules match (.gitignore files, .git/info/exclude, core.excludesFile)
// and that are not tracked (a tracked file stays, ignored or not, as in git). Paths are relative
// to `dir`, '/'-separated. Not thread-safe; one filter per build.
class IgnoreFilter {
 public:
  // Opens the repository that `dir` itself is. kNotFound when `dir` is not one (then nothing is
  // filtered); kIOError with libgit2's message.
  static Result<std::unique_ptr<IgnoreFilter>> open(const std::filesystem::path& dir);
  ~IgnoreFilter();
  IgnoreFilter(const IgnoreFilter&) = delete;
  IgnoreFilter& operator=(const IgnoreFilter&) = delete;
  // True if `path` (a folder when `is_dir`) is ignored and holds nothing tracked.
  bool excluded(const std::string& path, bool is_dir) const;

 private:
  struct Impl;
  explicit IgnoreFilter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The summary lines of the commits reachable from HEAD along first parents, newest first; empty
// when `dir` has no repo or no commit. Errors: kIOError with libgit2's message.
Result<std::vector<std::string>> log(const std::filesystem::path& dir);

}  // namespace reel::git
