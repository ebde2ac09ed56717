// Crash sweep of `reel import bundle --repo-dir R --workspace J` on a farm node with an empty
// cache: objects staged and adopted into the cache, archives stored, R created and published
// into, J's workspace.toml and reel.lock written.
#include <gtest/gtest.h>

#include "reel/workspace/bundle.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/install.h"
#include "sweep.h"

namespace reel::crash {
namespace {

fs::path farm_cache(World& w) { return w.root() / "farm-cache"; }
fs::path bundle_file(World& w) { return w.root() / "job.tar.zst"; }

// Every archive and object the job's lock names is in the farm's cache, whole.
void expect_cache_holds_the_job(World& w) {
  Session s(w.real(), farm_cache(w));
  auto ws = Workspace::find(s.ctx, w.workspace("job"));
  ASSERT_TRUE(ws) << ws.error().message;
  const LockFile lock = ws->read_lock().value().value();
  for (const auto& locked : lock.packages) {
    ASSERT_TRUE(s.cache.archives().verify(locked.archive)) << locked.name;
    auto bytes = w.real().read_file(s.cache.archives().object_path(locked.archive)).value();
    const BuiltPackage package = read_package(bytes, locked.name).value();
    for (const auto& f : package.files) {
      if (!f.symlink) {
        EXPECT_TRUE(s.cache.objects().verify(f.sha256)) << locked.name << ": " << f.path;
      }
    }
  }
}

TEST(CrashSweep, BundleImport) {
  Operation op;
  op.name = "import bundle (--repo-dir, --workspace)";
  op.setup = [](World& w) {
    w.init_repo("blessed");
    w.publish("blessed", "Leg", "1.0.0", leg_v1());
    w.publish("blessed", "Table", "2.0.0", table_v2(), "Leg = \"^1\"\n");
    w.make_workspace("src", {"blessed"}, {{"Table", "==2.0.0"}});
    auto ws = Workspace::find(w.setup().ctx, w.workspace("src")).value();
    auto exported = export_bundle(ws, bundle_file(w));
    ASSERT_TRUE(exported) << exported.error().message;
  };
  op.run = [](World& w, FileSystem& fs) -> Status {
    Session s(fs, farm_cache(w));
    ImportBundleOptions options;
    options.repo_dir = w.repo("farm");
    options.workspace_dir = w.workspace("job");
    auto imported = import_bundle(s.ctx, bundle_file(w), options);
    if (!imported) return tl::unexpected(imported.error());
    return ok();
  };
  op.check = [](World& w, PowerLossModel model, bool complete) {
    EXPECT_EQ(repo_problems(w.real(), w.repo("farm")), std::vector<std::string>{});
    EXPECT_EQ(
        cache_problems(w.real(), farm_cache(w),
                       complete ? PowerLossModel::kUnsyncedEntriesLost : model, w.object_sizes()),
        std::vector<std::string>{});
    if (!complete) return;
    expect_cache_holds_the_job(w);
    EXPECT_EQ(temp_files(w.repo("farm")), std::vector<std::string>{});
    // The job syncs from the farm's cache alone, and a gc then leaves no temp file there (the
    // killed import's, which only gc removes).
    Session s(w.real(), farm_cache(w));
    auto ws = Workspace::find(s.ctx, w.workspace("job")).value();
    auto synced = sync_workspace(ws, SyncMode::kFrozen, {});
    ASSERT_TRUE(synced) << synced.error().message;
    EXPECT_EQ(synced->objects_fetched, 0u);
    ASSERT_TRUE(collect_garbage(s.ctx, {}));
    EXPECT_EQ(temp_files(farm_cache(w)), std::vector<std::string>{});
  };
  op.before_rerun = [](World& w) { w.age(w.repo("farm")); };
  EXPECT_GT(sweep_both(op), 10u);
}

}  // namespace
}  // namespace reel::crash
