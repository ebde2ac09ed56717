// The `--repo R` argument of commands that read repos (rdeps, list, search, show, log, export
// watchtower): a workspace repo's name, else a path or URL.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"

namespace reel::cli {

// Opens `repo`: the workspace's repo of that name when run in a workspace that has one (labelled
// by that name), else the path (relative to -C) or URL, opened with Cli::open_repo_url and kept in
// `owned` (labelled by its reel-repo.json name). Errors: the workspace's or open_repo_url's.
Result<std::pair<std::string, Repo*>> open_repo_arg(Cli& cli, const std::string& repo,
                                                    std::vector<std::unique_ptr<Repo>>& owned);

}  // namespace reel::cli
