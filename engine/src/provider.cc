// The resolver's provider over a workspace's repos (DESIGN §2 "first repo wins", §4).
#include "reel/engine/provider.h"

#include "reel/engine/names.h"

namespace reel {

RepoProvider::RepoProvider(std::vector<std::pair<std::string, Repo*>> repos)
    : repos_(std::move(repos)) {}

RepoProvider::Found* RepoProvider::find(const std::string& name) {
  std::string key = lower_name(name);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second ? &*it->second : nullptr;
  std::optional<Found> found;
  for (const auto& [repo_name, repo] : repos_) {
    auto index = repo->read_index_view(name);
    if (!index) {
      // Stop here rather than take the name from a later repo: a repo that cannot be read must
      // not let another one supply the name (dependency confusion).
      if (!error_) error_ = index.error();
      break;
    }
    if (*index) {
      found = Found{repo_name, repo, std::move(**index)};
      break;
    }
  }
  auto& slot = cache_[key];
  slot = std::move(found);
  return slot ? &*slot : nullptr;
}

std::vector<VersionInfo> RepoProvider::versions(const std::string& name) {
  std::vector<VersionInfo> out;
  const Found* f = find(name);
  if (!f) return out;
  out.reserve(f->index.versions().size());
  for (const auto& e : f->index.versions()) out.push_back({e.version, e.yanked});
  return out;
}

std::optional<std::vector<Dependency>> RepoProvider::dependencies(const std::string& name,
                                                                  const Version& version) {
  Found* f = find(name);
  if (!f) return std::nullopt;
  auto found = f->index.dependencies(version);
  if (!found) {
    if (!error_) error_ = found.error();
    return std::nullopt;
  }
  if (*found == nullptr) return std::nullopt;
  std::vector<Dependency> deps;
  deps.reserve((*found)->size());
  // Spelled as the index spells them: the solver keys names by package_key, so reading each
  // dependency's own index for its spelling (a third more index files on a studio repo, for the
  // versions next to the picked ones) waits until the solver loads that package.
  for (const auto& d : **found) deps.push_back(Dependency{d.name, d.range});
  return deps;
}

std::string RepoProvider::package_key(const std::string& name) { return lower_name(name); }

std::string RepoProvider::package_name(const std::string& name) {
  auto canonical = canonical_name(name);
  return canonical ? *canonical : name;
}

std::optional<std::string> RepoProvider::canonical_name(const std::string& name) {
  const Found* f = find(name);
  if (!f) return std::nullopt;
  return f->index.name();
}

std::optional<std::pair<std::string, Repo*>> RepoProvider::repo_of(const std::string& name) {
  const Found* f = find(name);
  if (!f) return std::nullopt;
  return std::make_pair(f->repo_name, f->repo);
}

const IndexEntry* RepoProvider::entry(const std::string& name, const Version& version) {
  Found* f = find(name);
  if (!f) return nullptr;
  auto e = f->index.entry(version);
  if (!e) {
    if (!error_) error_ = e.error();
    return nullptr;
  }
  return *e;
}

}  // namespace reel
