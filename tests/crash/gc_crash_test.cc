// Crash sweep of `reel gc`: one workspace still using Table 2.0.0, one that used 1.0.0 deleted,
// and what killed commands left in the cache (a temp file, an import's staging folder, a fetch
// lock, a half-written registration).
#include <gtest/gtest.h>

#include "reel/workspace/gc.h"
#include "reel/workspace/install.h"
#include "sweep.h"

namespace reel::crash {
namespace {

// Every archive and object workspace "a" locks is in the cache, whole: it syncs offline.
void expect_a_is_whole(World& w) {
  Session s(w.real(), w.cache_dir());
  auto ws = Workspace::find(s.ctx, w.workspace("a")).value();
  const LockFile lock = ws.read_lock().value().value();
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

TEST(CrashSweep, Gc) {
  Operation op;
  op.name = "gc";
  op.setup = [](World& w) {
    w.init_repo("blessed");
    w.publish("blessed", "Leg", "1.0.0", leg_v1());
    w.publish("blessed", "Table", "1.0.0", table_v1(), "Leg = \"^1\"\n");
    w.publish("blessed", "Table", "2.0.0", table_v2(), "Leg = \"^1\"\n");
    w.make_workspace("a", {"blessed"}, {{"Table", "==2.0.0"}});
    w.sync("a");
    w.make_workspace("b", {"blessed"}, {{"Table", "==1.0.0"}});
    w.sync("b");
    ASSERT_TRUE(w.real().remove_all(w.workspace("b")));
    // Leftovers of killed commands, an age ago.
    const fs::path cache = w.cache_dir();
    testing::write_file(cache / "objects-v1" / "tmp" / ".tmp-4242-00ff", "half an object");
    testing::write_file(cache / "objects-v1" / "tmp" / "import-4242-7" / "ab12", "staged");
    testing::write_file(cache / "workspaces-v1" / ".tmp-4242-0a0a", "/half/a/path");
    testing::write_file(cache / "locks" / "fetch-0123abcd", "");
    w.age(cache / "objects-v1" / "tmp");
    w.age(cache / "workspaces-v1");
  };
  op.run = [](World& w, FileSystem& fs) -> Status {
    Session s(fs, w.cache_dir());
    auto gc = collect_garbage(s.ctx, {});
    if (!gc) return tl::unexpected(gc.error());
    return ok();
  };
  op.check = [](World& w, PowerLossModel model, bool complete) {
    EXPECT_EQ(cache_problems(w.real(), w.cache_dir(), model, w.object_sizes()),
              std::vector<std::string>{});
    expect_a_is_whole(w);
    if (!complete) return;
    Session s(w.real(), w.cache_dir());
    EXPECT_FALSE(s.cache.objects().contains(sha256_bytes("table model v1")).value());
    EXPECT_FALSE(s.cache.objects().contains(sha256_bytes("dropped in 2.0.0")).value());
    EXPECT_EQ(temp_files(w.cache_dir()), std::vector<std::string>{});
    for (const auto& e : std::vector<DirEntry>(w.real().list_dir(w.cache_dir() / "locks").value()))
      EXPECT_NE(e.name.rfind("fetch-", 0), 0u) << e.name;
    EXPECT_EQ(w.real().list_dir(workspaces_dir(s.cache)).value().size(), 1u);  // b forgotten
  };
  EXPECT_GT(sweep_both(op), 5u);
}

}  // namespace
}  // namespace reel::crash
