// `reel shell [-- CMD]` (DESIGN §5; rez-env): the user's shell started in the workspace
// environment, with a prompt marker "(reel:WORKSPACE) " so it is plain which shell is which.
#pragma once

#include <string>
#include <vector>

#include "reel/workspace/environment.h"
#include "reel/workspace/process.h"

namespace reel {

// The process for `reel shell`: `shell` (a path; its file name picks the dialect) with `env`'s
// variables plus REEL_SHELL=<workspace name>, in `cwd`.
//   - with `command` words: SHELL -c TEXT, TEXT being the one word as it is (a script line, as
//     `sh -c` takes it) or several words each quoted (posix_quote), so each stays one argument;
//   - without: an interactive shell whose prompt starts with the marker: bash gets
//     --rcfile WORKSPACE/.reel/shell/bashrc (which sources ~/.bashrc first), zsh a ZDOTDIR of
//     WORKSPACE/.reel/shell/zsh (its .zshenv and .zshrc source the user's, then set PROMPT),
//     fish an --init-command wrapping fish_prompt, any other shell PS1 in its environment.
// The rc files are written atomically through the file system seam each time (they hold the
// marker). Errors: the file system's.
Result<ProcessRequest> shell_request(Workspace& ws, const WorkspaceEnvironment& env,
                                     const std::string& shell,
                                     const std::vector<std::string>& command, const fs::path& cwd);

}  // namespace reel
