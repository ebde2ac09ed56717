// `reel outdated`: the lock against an upgraded resolve and the newest publications (outdated.h).
#include "reel/workspace/outdated.h"

#include <algorithm>
#include <map>

#include "reel/engine/names.h"
#include "sourced_provider.h"

namespace reel {

Result<OutdatedReport> outdated(Workspace& ws, const LockFile& lock, const LockOptions& options) {
  LockOptions upgrade = options;
  upgrade.upgrade_all = true;
  upgrade.dry_run = true;
  auto upgraded = lock_workspace(ws, upgrade);
  if (!upgraded) return tl::unexpected(upgraded.error());
  std::vector<std::string> requested_by;
  auto requirements = workspace_requirements(ws, options, &requested_by);
  if (!requirements) return tl::unexpected(requirements.error());
  auto made = workspace_provider(ws);
  if (!made) return tl::unexpected(made.error());
  SourcedProvider& provider = **made;

  OutdatedReport report;
  report.explanation = upgraded->explanation;
  std::map<std::string, const LockedPackage*> compatible;  // by lower name
  if (upgraded->lock) {
    for (const auto& p : upgraded->lock->packages) compatible[lower_name(p.name)] = &p;
  }
  // Every range that constrains a name: the workspace's requirements, and the dependencies of the
  // locked and the upgraded packages.
  std::multimap<std::string, Range> ranges;  // by lower name
  for (const auto& r : *requirements) ranges.emplace(lower_name(r.name), r.range);
  const LockFile* upgraded_lock = upgraded->lock ? &*upgraded->lock : nullptr;
  for (const LockFile* l : {&lock, upgraded_lock}) {
    if (l == nullptr) continue;
    for (const auto& q : l->packages) {
      const IndexEntry* entry = provider.entry(q.name, q.version);
      if (entry == nullptr) continue;
      for (const auto& d : entry->dependencies) ranges.emplace(lower_name(d.name), d.range);
    }
  }
  for (const auto& locked : lock.packages) {
    const std::string key = lower_name(locked.name);
    // DESIGN §3's prerelease rule: a prerelease is "latest" only if a range on the name admits
    // it (one of its comparators names a prerelease of the same MAJOR.MINOR.PATCH).
    auto admitted_somewhere = [&](const Version& v) {
      auto span = ranges.equal_range(key);
      for (auto it = span.first; it != span.second; ++it)
        if (it->second.contains(v)) return true;
      return false;
    };
    std::optional<Version> latest;
    for (const auto& v : provider.versions(locked.name)) {
      if (v.yanked || (latest && !(*latest < v.version))) continue;
      if (v.version.is_prerelease() && !admitted_somewhere(v.version)) continue;
      latest = v.version;
    }
    if (provider.error()) return tl::unexpected(*provider.error());
    OutdatedPackage row;
    row.name = locked.name;
    row.locked = locked.version;
    auto c = compatible.find(key);
    if (c != compatible.end()) row.compatible = c->second->version;
    row.latest = latest.value_or(locked.version);
    for (const auto& r : *requirements) row.direct = row.direct || lower_name(r.name) == key;
    bool newer_compatible = row.compatible && locked.version < *row.compatible;
    bool newer_latest = locked.version < row.latest;
    if (!newer_compatible && !newer_latest) continue;
    if (row.compatible && !(*row.compatible < row.latest)) {
      report.packages.push_back(std::move(row));
      continue;
    }
    for (std::size_t i = 0; i < requirements->size(); ++i) {
      const DependencySpec& r = (*requirements)[i];
      if (lower_name(r.name) == key && !r.range.contains(row.latest))
        row.excluded_by.push_back(requested_by[i] + " requires " + r.name + " " + r.range_text);
    }
    if (upgraded->lock) {
      for (const auto& q : upgraded->lock->packages) {
        const IndexEntry* entry = provider.entry(q.name, q.version);
        if (entry == nullptr) continue;
        for (const auto& d : entry->dependencies) {
          if (lower_name(d.name) == key && !d.range.contains(row.latest)) {
            row.excluded_by.push_back(q.name + " " + q.version.to_string() + " requires " + d.name +
                                      " " + d.range_text);
          }
        }
      }
      if (row.excluded_by.empty()) {
        // Every range admits it, yet the upgraded solution does not take it: its own
        // dependencies conflict with the rest.
        row.excluded_by.push_back(
            "no range leaves it out, but no solution takes it (try `reel "
            "add " +
            locked.name + "==" + row.latest.to_string() +
            "`: it says why, and changes nothing if it fails)");
      }
    }
    report.packages.push_back(std::move(row));
  }
  std::sort(report.packages.begin(), report.packages.end(),
            [](const OutdatedPackage& a, const OutdatedPackage& b) {
              return lower_name(a.name) < lower_name(b.name);
            });
  return report;
}

}  // namespace reel
