// `reel verify --fix` (install.h, repair_workspace): re-hash, quarantine, re-materialise.
#include <set>

#include "reel/engine/names.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/install.h"

namespace reel {

Result<RepairReport> repair_workspace(Workspace& ws, const LockFile& lock) {
  Context& ctx = ws.context();
  ObjectStore& objects = ctx.cache.objects();
  RepairReport report;
  SyncOptions reinstall;
  for (const auto& locked : lock.packages) {
    auto package = locked_package(ws, locked);
    if (!package) return tl::unexpected(package.error());
    // The cache first: an object whose bytes no longer hash to its name (a write through a hard
    // link) is moved aside, so the reinstall below fetches a good copy.
    std::set<Digest> seen;
    for (const auto& f : package->files) {
      if (f.symlink || !seen.insert(f.sha256).second) continue;
      auto st = objects.verify(f.sha256);
      if (st || st.error().code == ErrorCode::kNotFound) continue;
      if (st.error().code != ErrorCode::kCorruption) return tl::unexpected(st.error());
      REEL_TRY(objects.quarantine(f.sha256, ctx.cache.quarantine_dir()));
      report.quarantined.push_back(f.sha256.prefixed() + " (" + locked.name + ": " + f.path + ")");
      reinstall.reinstall.insert(lower_name(locked.name));
    }
    auto problems = verify_package(ws, locked);
    if (!problems) return tl::unexpected(problems.error());
    if (!problems->empty()) reinstall.reinstall.insert(lower_name(locked.name));
    report.problems.insert(report.problems.end(), problems->begin(), problems->end());
  }
  if (reinstall.reinstall.empty()) return report;
  auto synced = sync_workspace(ws, SyncMode::kFrozen, LockOptions{}, reinstall);
  if (!synced) return tl::unexpected(synced.error().with_context("repairing inputs/"));
  report.sync = std::move(*synced);
  // Whatever the reinstall could not mend shows up here.
  auto after = verify_inputs(ws, lock);
  if (!after) return tl::unexpected(after.error());
  report.remaining = std::move(*after);
  return report;
}

}  // namespace reel
