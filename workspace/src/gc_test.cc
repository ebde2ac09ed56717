// The cache's registrations, verification and garbage collection (gc.h), against real folder
// repos and workspaces in temp dirs.
#include "reel/workspace/gc.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "reel/workspace/inspect.h"
#include "reel/workspace/outputs.h"
#include "workspace_fixture.h"

namespace reel {
namespace {

bool cached(Cache& cache, const std::string& content) {
  return cache.objects().contains(sha256_bytes(content)).value();
}

// File times have the kernel's tick as granularity: let it pass, so that what a test wrote
// before collecting is older than the collection's start.
void let_a_tick_pass() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

TEST_F(WorkspaceFixture, GcKeepsWhatWorkspacesUseAndRemovesTheRest) {
  Workspace a = make("a");
  require(a, {{"Lamp", "*"}});
  ASSERT_TRUE(sync_workspace(a, SyncMode::kResolveIfNeeded, {}));
  Workspace b = make("b");
  require(b, {{"Table", "^1"}});
  ASSERT_TRUE(sync_workspace(b, SyncMode::kResolveIfNeeded, {}));
  require(b, {{"Table", "^2"}});
  ASSERT_TRUE(sync_workspace(b, SyncMode::kResolveIfNeeded, {}));
  ASSERT_TRUE(cached(cache, "table-v1"));
  let_a_tick_pass();

  GcOptions dry;
  dry.dry_run = true;
  auto preview = collect_garbage(ctx, dry);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_EQ(preview->workspaces, 2u);
  EXPECT_EQ(preview->objects_removed, 1u);   // table-v1
  EXPECT_EQ(preview->archives_removed, 1u);  // Table 1.0.0's archive
  EXPECT_GT(preview->bytes_removed, 8u);      // table-v1 and the archive
  EXPECT_TRUE(cached(cache, "table-v1"));  // a dry run removes nothing

  auto report = collect_garbage(ctx, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->objects_removed, 1u);
  EXPECT_EQ(report->objects_kept, 3u);  // lamp, leg-v1, table-v2
  EXPECT_FALSE(cached(cache, "table-v1"));
  for (const char* kept : {"lamp", "leg-v1", "table-v2"}) EXPECT_TRUE(cached(cache, kept)) << kept;
  // Both workspaces still verify and sync without fetching anything.
  for (Workspace* ws : {&a, &b}) {
    EXPECT_TRUE(verify_inputs(*ws, ws->read_lock().value().value()).value().empty());
    auto again = sync_workspace(*ws, SyncMode::kFrozen, {});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->files, 0u);
  }
  // A second collection finds nothing more.
  report = collect_garbage(ctx, {});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->objects_removed + report->archives_removed, 0u);
}

TEST_F(WorkspaceFixture, GcForgetsWorkspacesThatAreGone) {
  Workspace a = make("a");
  require(a, {{"Lamp", "*"}});
  ASSERT_TRUE(sync_workspace(a, SyncMode::kResolveIfNeeded, {}));
  ASSERT_TRUE(fs->remove_all(a.root()));
  let_a_tick_pass();
  auto report = collect_garbage(ctx, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->workspaces, 0u);
  EXPECT_EQ(report->forgotten, std::vector<std::string>{a.root().string()});
  EXPECT_FALSE(cached(cache, "lamp"));
  EXPECT_TRUE(fs->list_dir(workspaces_dir(cache)).value().empty());
}

TEST_F(WorkspaceFixture, GcKeepsBuildsAndYoungObjectsAndRemovesOldTempFiles) {
  Workspace ws = make("ws");
  testing::write_file(ws.root() / "outputs" / "Prop" / "asset.toml",
                      "[asset]\nname = \"Prop\"\nversion = \"0.1.0\"\n");
  testing::write_file(ws.root() / "outputs" / "Prop" / "prop.obj", "prop mesh");
  ASSERT_TRUE(build_output(ws, "Prop"));
  // An object nothing refers to, written "after" the collection starts (dated ahead), and a temp
  // file left by a killed put.
  Digest young = cache.objects().put_bytes("young").value();
  fs::path young_path = cache.objects().object_path(young);
  timespec later[2];
  clock_gettime(CLOCK_REALTIME, &later[0]);
  later[0].tv_sec += 60;
  later[1] = later[0];
  ASSERT_EQ(utimensat(AT_FDCWD, young_path.c_str(), later, 0), 0);
  testing::write_file(cache.objects().temp_dir() / ".tmp-1-dead", "partial");
  // And one of a killed index cache write, beside an entry that stays.
  testing::write_file(cache.index_dir() / "ab" / ".tmp-2-dead", "partial entry");
  testing::write_file(cache.index_dir() / "ab" / "cdef.idx", "an entry");
  // And a killed download's, beside the objects of its shard.
  testing::write_file(cache.objects().root() / "sha256" / "ab" / ".tmp-3-dead", "partial object");
  let_a_tick_pass();

  auto report = collect_garbage(ctx, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(cached(cache, "prop mesh"));  // build/Prop-0.1.0.reel names it
  EXPECT_TRUE(cache.objects().contains(young).value());
  EXPECT_EQ(report->temp_files_removed, 3u);
  EXPECT_EQ(fs->stat(cache.objects().root() / "sha256" / "ab" / ".tmp-3-dead").value().type,
            FileType::kMissing);
  EXPECT_EQ(fs->stat(cache.index_dir() / "ab" / ".tmp-2-dead").value().type, FileType::kMissing);
  EXPECT_EQ(fs->stat(cache.index_dir() / "ab" / "cdef.idx").value().type, FileType::kRegular);
  // Without the build archive the mesh goes.
  ASSERT_TRUE(fs->remove(ws.build_dir() / "Prop-0.1.0.reel"));
  report = collect_garbage(ctx, {});
  ASSERT_TRUE(report);
  EXPECT_FALSE(cached(cache, "prop mesh"));
}

TEST_F(WorkspaceFixture, GcRefusesToGuessWhenALockIsUnreadable) {
  Workspace a = make("a");
  require(a, {{"Lamp", "*"}});
  ASSERT_TRUE(sync_workspace(a, SyncMode::kResolveIfNeeded, {}));
  Workspace b = make("b");
  require(b, {{"Table", "^1"}});
  ASSERT_TRUE(sync_workspace(b, SyncMode::kResolveIfNeeded, {}));
  testing::write_file(b.lock_path(), "this is not a lock\n");
  let_a_tick_pass();
  auto report = collect_garbage(ctx, {});
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("gc: workspace " + b.root().string()), std::string::npos)
      << report.error().message;
  EXPECT_NE(report.error().message.find("reel.lock"), std::string::npos) << report.error().message;
  for (const char* kept : {"lamp", "leg-v1", "table-v1"}) EXPECT_TRUE(cached(cache, kept)) << kept;
}

TEST_F(WorkspaceFixture, GcWaitsForRunningSyncsAndBuilds) {
  auto hold = hold_cache(ctx);  // what a running sync holds
  ASSERT_TRUE(hold) << hold.error().message;
  std::atomic<bool> done{false};
  std::thread gc([&] {
    EXPECT_TRUE(collect_garbage(ctx, {}));
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(done.load());
  hold->reset();
  gc.join();
  EXPECT_TRUE(done.load());
}

TEST_F(WorkspaceFixture, VerifyCacheListsDamagedObjects) {
  Workspace ws = make("ws");
  require(ws, {{"Table", "^1"}, {"Lamp", "*"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  std::uint64_t checked = 0;
  auto clean = verify_cache(ctx, &checked);
  ASSERT_TRUE(clean) << clean.error().message;
  EXPECT_TRUE(clean->empty());
  EXPECT_EQ(checked, 6u);  // 3 objects, 3 archives
  // Same size, other bytes: only re-hashing sees it.
  fs::path object = cache.objects().object_path(sha256_bytes("lamp"));
  ASSERT_EQ(chmod(object.c_str(), 0644), 0);
  testing::write_file(object, "LAMP");
  auto damaged = verify_cache(ctx, &checked);
  ASSERT_TRUE(damaged) << damaged.error().message;
  ASSERT_EQ(damaged->size(), 1u);
  EXPECT_EQ((*damaged)[0], object.string() + ": content does not match its name (" +
                               sha256_bytes("lamp").prefixed() + ")");
}

}  // namespace
}  // namespace reel
