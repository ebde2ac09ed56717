// Installability checks for publish and promote (installable.h).
#include "reel/engine/installable.h"

#include "reel/engine/provider.h"

namespace reel {
namespace {

// Resolves one requirement list; nullopt when solved (closure filled), else the explanation.
Result<std::optional<std::string>> solve(RepoProvider& provider, const std::string& label,
                                         const std::vector<DependencySpec>& specs,
                                         Installability& out) {
  ResolveRequest request;
  request.root_name = label;
  for (const auto& d : specs) {
    auto canonical = provider.canonical_name(d.name);
    request.requirements.push_back(Dependency{canonical ? *canonical : d.name, d.range});
  }
  ResolveResult result = resolve(provider, request);
  if (provider.error()) return tl::unexpected(*provider.error());
  if (auto* no = std::get_if<Unsolvable>(&result)) return std::optional<std::string>(no->explanation);
  for (const auto& [name, version] : std::get<Solution>(result).versions) {
    auto where = provider.repo_of(name);
    out.closure[name] = {version, where ? where->first : std::string()};
  }
  return std::optional<std::string>();
}

}  // namespace

Result<Installability> check_installable(
    const std::vector<std::pair<std::string, Repo*>>& repos, const std::string& label,
    const std::vector<DependencySpec>& dependencies,
    const std::map<std::string, std::vector<DependencySpec>>& groups) {
  RepoProvider provider(repos);
  Installability out;
  auto plain = solve(provider, label, dependencies, out);
  if (!plain) return tl::unexpected(plain.error());
  if (*plain) {
    out.explanation = **plain;
    out.closure.clear();
    return out;
  }
  for (const auto& [group, extra] : groups) {
    std::vector<DependencySpec> specs = dependencies;
    specs.insert(specs.end(), extra.begin(), extra.end());
    auto with = solve(provider, label + " (with its " + group + " group)", specs, out);
    if (!with) return tl::unexpected(with.error());
    if (*with) {
      out.explanation = **with;
      out.group = group;
      out.closure.clear();
      return out;
    }
  }
  return out;
}

}  // namespace reel
