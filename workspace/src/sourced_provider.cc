#include "sourced_provider.h"

#include "reel/engine/names.h"
#include "reel/workspace/workspace.h"

namespace reel {

SourcedProvider::SourcedProvider(std::vector<std::pair<std::string, Repo*>> install,
                                 const std::map<std::string, std::pair<std::string, Repo*>>& pinned)
    : install_(std::move(install)) {
  for (const auto& [name, repo] : pinned) {
    pinned_[lower_name(name)] =
        std::make_unique<RepoProvider>(std::vector<std::pair<std::string, Repo*>>{repo});
  }
}

RepoProvider& SourcedProvider::for_name(const std::string& name) {
  auto it = pinned_.find(lower_name(name));
  return it == pinned_.end() ? install_ : *it->second;
}

std::vector<VersionInfo> SourcedProvider::versions(const std::string& name) {
  return for_name(name).versions(name);
}

std::optional<std::vector<Dependency>> SourcedProvider::dependencies(const std::string& name,
                                                                     const Version& version) {
  return for_name(name).dependencies(name, version);
}

std::string SourcedProvider::package_key(const std::string& name) { return lower_name(name); }

std::string SourcedProvider::package_name(const std::string& name) {
  return for_name(name).package_name(name);
}

std::optional<std::string> SourcedProvider::canonical_name(const std::string& name) {
  return for_name(name).canonical_name(name);
}

std::optional<std::pair<std::string, Repo*>> SourcedProvider::repo_of(const std::string& name) {
  return for_name(name).repo_of(name);
}

const IndexEntry* SourcedProvider::entry(const std::string& name, const Version& version) {
  return for_name(name).entry(name, version);
}

std::optional<Error> SourcedProvider::error() const {
  if (install_.error()) return install_.error();
  for (const auto& [name, provider] : pinned_) {
    if (provider->error()) return provider->error();
  }
  return std::nullopt;
}

Result<std::unique_ptr<SourcedProvider>> workspace_provider(Workspace& ws) {
  auto repos = ws.install_repos();
  if (!repos) return tl::unexpected(repos.error());
  std::map<std::string, std::pair<std::string, Repo*>> pinned;
  for (const auto& [package, repo_name] : ws.config().sources) {
    auto repo = ws.repo(repo_name);
    if (!repo) return tl::unexpected(repo.error().with_context("[sources] " + package));
    pinned[package] = {repo_name, *repo};
  }
  return std::make_unique<SourcedProvider>(*repos, pinned);
}

}  // namespace reel
