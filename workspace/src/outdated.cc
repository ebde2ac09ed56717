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
  auto requirements = workspace_requirements(ws, options);
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
  for (const auto& locked : lock.packages) {
    std::optional<Version> latest;
    for (const auto& v : provider.versions(locked.name)) {
      if (!v.yanked && (!latest || *latest < v.version)) latest = v.version;
    }
    if (provider.error()) return tl::unexpected(*provider.error());
    OutdatedPackage row;
    row.name = locked.name;
    row.locked = locked.version;
    auto c = compatible.find(lower_name(locked.name));
    if (c != compatible.end()) row.compatible = c->second->version;
    row.latest = latest.value_or(locked.version);
    const std::string key = lower_name(locked.name);
    for (const auto& r : *requirements) row.direct = row.direct || lower_name(r.name) == key;
    bool newer_compatible = row.compatible && locked.version < *row.compatible;
    bool newer_latest = locked.version < row.latest;
    if (!newer_compatible && !newer_latest) continue;
    if (!row.compatible || *row.compatible < row.latest) {
      for (const auto& r : *requirements) {
        if (lower_name(r.name) == key && !r.range.contains(row.latest))
          row.excluded_by.push_back("the workspace requires " + locked.name + " " + r.range_text);
      }
      if (upgraded->lock) {
        for (const auto& q : upgraded->lock->packages) {
          const IndexEntry* entry = provider.entry(q.name, q.version);
          if (entry == nullptr) continue;
          for (const auto& d : entry->dependencies) {
            if (lower_name(d.name) == key && !d.range.contains(row.latest)) {
              row.excluded_by.push_back(q.name + " " + q.version.to_string() + " requires " +
                                        locked.name + " " + d.range_text);
            }
          }
        }
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
