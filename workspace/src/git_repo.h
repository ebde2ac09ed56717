// A small RAII wrapper over libgit2 1.5 for outputs (private to the workspace library).
#pragma once

#include <filesystem>
#include <string>

#include "reel/storage/error.h"

namespace reel::git {

// `git init` (if needed), stage everything (honouring .gitignore), and commit with `message`.
// The author is git's configured identity, else "reel <reel@localhost>". Returns the commit hex.
Result<std::string> init_and_commit_all(const std::filesystem::path& dir, const std::string& message);

struct State {
  bool is_repo = false;
  std::string head;    // HEAD commit hex, "" if none
  bool dirty = false;  // uncommitted changes, untracked files included
};

// The git state of `dir`; a folder that is not a repository gives is_repo = false.
Result<State> state(const std::filesystem::path& dir);

}  // namespace reel::git
