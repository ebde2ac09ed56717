// What killed commands leave behind, and who removes it (issue 11): the next publish removes a
// dead publisher's temp files from its repo, gc removes the cache's, and a sync leaves no fetch
// lock behind.
#include <gtest/gtest.h>

#include "reel/workspace/gc.h"
#include "reel/workspace/install.h"
#include "reel/workspace/outputs.h"
#include "world.h"

namespace reel::crash {
namespace {

bool exists(World& w, const fs::path& p) {
  return w.real().stat(p).value().type != FileType::kMissing;
}

TEST(Leftovers, NextPublishRemovesDeadPublishersTempFiles) {
  World w;
  w.init_repo("blessed");
  w.publish("blessed", "Table", "1.0.0", table_v1());
  const fs::path repo = w.repo("blessed");
  // A publisher killed an hour ago building into objects/tmp (a zero-byte temp, as kill -9
  // leaves), and one killed while writing the archive and the index (under the repo lock);
  // another publisher is building right now.
  const fs::path dead_object = repo / "objects" / "tmp" / ".tmp-4242-0000dead";
  const fs::path dead_archive = repo / "packages" / "table" / ".tmp-4242-0000beef";
  const fs::path dead_index = repo / "index" / ".tmp-4242-0000cafe";
  const fs::path live_object = repo / "objects" / "tmp" / ".tmp-4343-00001ive";
  for (const auto& p : {dead_object, dead_archive, dead_index}) testing::write_file(p, "");
  w.age(repo / "objects" / "tmp");
  testing::write_file(live_object, "half a frame");

  w.make_workspace("pub", {"blessed"}, {});
  w.write_asset(w.workspace("pub") / "outputs" / "Table", "Table", "2.0.0", table_v2());
  Session s(w.real(), w.cache_dir());
  auto ws = Workspace::find(s.ctx, w.workspace("pub")).value();
  auto published = publish_output(ws, "Table", std::nullopt, true);
  ASSERT_TRUE(published) << published.error().message;

  EXPECT_FALSE(exists(w, dead_object));
  EXPECT_FALSE(exists(w, dead_archive));  // only publish writes there, under the lock
  EXPECT_FALSE(exists(w, dead_index));
  EXPECT_TRUE(exists(w, live_object)) << "a live publisher's temp file was removed";
  EXPECT_EQ(repo_problems(w.real(), repo), std::vector<std::string>{});
}

TEST(Leftovers, SyncLeavesNoFetchLock) {
  World w;
  w.init_repo("blessed");
  w.publish("blessed", "Leg", "1.0.0", leg_v1());
  w.make_workspace("ws", {"blessed"}, {{"Leg", "*"}});
  w.sync("ws");
  auto locks = w.real().list_dir(w.cache_dir() / "locks").value();
  for (const auto& e : locks) EXPECT_NE(e.name.rfind("fetch-", 0), 0u) << e.name;
  EXPECT_FALSE(locks.empty());  // the gc lock is there: the folder was used
}

TEST(Leftovers, GcRemovesWhatKilledCommandsLeftInTheCache) {
  World w;
  w.init_repo("blessed");
  w.publish("blessed", "Leg", "1.0.0", leg_v1());
  w.make_workspace("ws", {"blessed"}, {{"Leg", "*"}});
  w.sync("ws");
  const fs::path cache = w.cache_dir();
  const fs::path temp = cache / "objects-v1" / "tmp" / ".tmp-4242-0000dead";
  const fs::path staging = cache / "objects-v1" / "tmp" / "import-4242-17";
  const fs::path registration = cache / "workspaces-v1" / ".tmp-4242-0000beef";
  const fs::path stamp = cache / "locks" / ".tmp-4242-0000cafe";
  const fs::path fetch_lock = cache / "locks" / "fetch-00c0ffee";
  for (const auto& p : {temp, staging / "ab12", registration, stamp, fetch_lock})
    testing::write_file(p, "");
  for (const auto& d : {cache / "objects-v1" / "tmp", cache / "workspaces-v1", cache / "locks"})
    w.age(d);

  Session s(w.real(), cache);
  auto report = collect_garbage(s.ctx, {});
  ASSERT_TRUE(report) << report.error().message;
  for (const auto& p : {temp, staging, registration, stamp, fetch_lock})
    EXPECT_FALSE(exists(w, p)) << p;
  EXPECT_EQ(report->temp_files_removed, 4u);  // the fetch lock is not a temp file
  EXPECT_EQ(temp_files(cache), std::vector<std::string>{});
  EXPECT_EQ(report->objects_removed, 0u);  // what the workspace uses stays
}

}  // namespace
}  // namespace reel::crash
