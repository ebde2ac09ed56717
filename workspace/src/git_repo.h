// A small wrapper over libgit2 1.5 for outputs (private to the workspace library; no libgit2 type
// leaves git_repo.cc). Each call opens the repository, initialises libgit2 for its own duration
// (git_libgit2_init/shutdown are reference-counted by libgit2) and frees everything it made (RAII),
// so calls are independent and safe from several threads on different folders.
#pragma once

#include <filesystem>
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

struct State {
  bool is_repo = false;
  std::string head;    // HEAD commit hex, "" if `dir` is not a repo or has no commit yet
  bool dirty = false;  // uncommitted changes (index or work tree, untracked files included,
                       // ignored files not); true when there is no repo or no commit
};

// The git state of `dir` itself (parent folders are not searched: an output inside a workspace
// that is itself under git is still "not a repo"). Errors: kIOError if the status cannot be read.
Result<State> state(const std::filesystem::path& dir);

// The summary lines of the commits reachable from HEAD along first parents, newest first; empty
// when `dir` has no repo or no commit. Errors: kIOError with libgit2's message.
Result<std::vector<std::string>> log(const std::filesystem::path& dir);

}  // namespace reel::git
