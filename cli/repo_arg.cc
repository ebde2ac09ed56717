// open_repo_arg (repo_arg.h).
#include "repo_arg.h"

namespace reel::cli {

Result<std::pair<std::string, Repo*>> open_repo_arg(Cli& cli, const std::string& repo,
                                                    std::vector<std::unique_ptr<Repo>>& owned) {
  auto ws = cli.workspace();
  if (ws && (*ws)->config().find_repo(repo)) {
    auto r = (*ws)->repo(repo);
    if (!r) return tl::unexpected(r.error());
    return std::pair<std::string, Repo*>(repo, *r);
  }
  auto ctx = cli.context();
  if (!ctx) return tl::unexpected(ctx.error());
  std::string url = repo;
  if (url.find("://") == std::string::npos) url = (cli.start_dir() / repo).lexically_normal();
  auto opened = cli.open_repo_url(url);
  if (!opened) return tl::unexpected(opened.error());
  owned.push_back(std::move(*opened));
  return std::pair<std::string, Repo*>(owned.back()->name(), owned.back().get());
}

}  // namespace reel::cli
