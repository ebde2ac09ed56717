// Reverse dependencies across a repo and the push/pull impact of a new version (impact.h).
#include "reel/engine/impact.h"

#include <algorithm>

#include "reel/engine/names.h"

namespace reel {

std::string_view impact_name(Impact impact) {
  switch (impact) {
    case Impact::kTakes:
      return "takes";
    case Impact::kPull:
      return "pull";
    case Impact::kExcluded:
      return "excluded";
  }
  return "excluded";
}

Result<std::vector<ReverseDependency>> reverse_dependencies(Repo& repo, const std::string& name) {
  auto indexes = repo.read_all_indexes();
  if (!indexes) return tl::unexpected(indexes.error());
  const std::string wanted = lower_name(name);
  std::vector<ReverseDependency> out;
  for (const auto& index : *indexes) {
    const IndexEntry* newest = nullptr;
    for (const auto& e : index.versions) {
      if (!e.yanked && (newest == nullptr || newest->version < e.version)) newest = &e;
    }
    for (const auto& e : index.versions) {
      auto add = [&](const std::string& group, const std::vector<DependencySpec>& deps) {
        for (const auto& d : deps) {
          if (lower_name(d.name) != wanted) continue;
          out.push_back(ReverseDependency{index.name, e.version, e.yanked, &e == newest, group,
                                          d.range_text, d.range, dependency_kind(d.range)});
        }
      };
      add("", e.dependencies);
      for (const auto& [group, deps] : e.groups) add(group, deps);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ReverseDependency& a, const ReverseDependency& b) {
                     std::string la = lower_name(a.package), lb = lower_name(b.package);
                     if (la != lb) return la < lb;
                     if (a.version != b.version) return a.version < b.version;
                     return a.group < b.group;
                   });
  return out;
}

Impact impact_of(const ReverseDependency& dependent, const Version& v) {
  if (dependent.range.contains(v)) return Impact::kTakes;
  return dependent.kind == DependencyKind::kConcrete ? Impact::kPull : Impact::kExcluded;
}

}  // namespace reel
