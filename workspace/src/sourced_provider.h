// The resolver's provider for a workspace: RepoProvider over the install repos, except that a
// package pinned in workspace.toml [sources] is read from its pinned repo only (uv's index pins).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reel/engine/provider.h"

namespace reel {

class SourcedProvider : public PackageProvider {
 public:
  // `install`: the install repos in search order. `pinned`: lower-case package name -> (repo name,
  // repo). The repos must outlive the provider.
  SourcedProvider(std::vector<std::pair<std::string, Repo*>> install,
                  const std::map<std::string, std::pair<std::string, Repo*>>& pinned);

  std::vector<VersionInfo> versions(const std::string& name) override;
  std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                      const Version& version) override;
  std::string package_key(const std::string& name) override;
  std::string package_name(const std::string& name) override;

  // As RepoProvider's, each answered by the provider that owns `name`.
  std::optional<std::string> canonical_name(const std::string& name);
  std::optional<std::pair<std::string, Repo*>> repo_of(const std::string& name);
  const IndexEntry* entry(const std::string& name, const Version& version);
  // The first error met by any of the providers.
  std::optional<Error> error() const;

 private:
  RepoProvider& for_name(const std::string& name);

  RepoProvider install_;
  std::map<std::string, std::unique_ptr<RepoProvider>> pinned_;  // by lower name
};

class Workspace;

// The provider `reel lock` resolves with: the workspace's install repos, with [sources] pins.
// Errors: a repo that cannot be opened (named with its [sources] entry).
Result<std::unique_ptr<SourcedProvider>> workspace_provider(Workspace& ws);

}  // namespace reel
