// The power-loss model of FaultInjectingFileSystem (power_loss.h), operation by operation, and
// the write-point hook.
#include "reel/storage/power_loss.h"

#include <gtest/gtest.h>

#include "reel/storage/fault_injection.h"
#include "reel/storage/object_store.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;

constexpr PowerLossModel kStrict = PowerLossModel::kUnsyncedEntriesLost;
constexpr PowerLossModel kExt4 = PowerLossModel::kMetadataKeptDataLost;

// A tracked world: files under dir/world, the stash beside it.
struct PowerLossTest : ::testing::Test {
  TempDir dir{"reel-power-loss"};
  std::unique_ptr<FileSystem> real = make_real_file_system();
  FaultInjectingFileSystem fs{*real};
  fs::path world = dir.path() / "world";

  void SetUp() override {
    ASSERT_TRUE(real->create_directories(world));
    fs.track_durability(dir.path() / "stash");
  }
  // The file's bytes, or "<missing>".
  std::string text(const fs::path& path) {
    auto st = real->stat(path);
    if (!st || st->type == FileType::kMissing) return "<missing>";
    return real->read_file(path).value();
  }
  FileType type(const fs::path& path) { return real->stat(path).value().type; }
};

TEST_F(PowerLossTest, AtomicWriteWithoutSyncIsLostWithSyncIsKept) {
  testing::write_file(world / "index.json", "old");  // before tracking: durable
  ASSERT_TRUE(fs.write_file_atomic(world / "index.json", "new", false));
  ASSERT_TRUE(fs.write_file_atomic(world / "other.json", "other", false));
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(text(world / "index.json"), "old");  // the rename went back, the old file with it
  EXPECT_EQ(text(world / "other.json"), "<missing>");
  EXPECT_TRUE(real->list_dir(dir.path() / "stash").value().empty());

  ASSERT_TRUE(fs.write_file_atomic(world / "index.json", "new", true));
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(text(world / "index.json"), "new");
  EXPECT_EQ(real->list_dir(world).value().size(), 1u);  // no temp file either
}

TEST_F(PowerLossTest, SyncedDirectoryWithUnsyncedDataLeavesAnEmptyFile) {
  // Renamed into place and the folder synced, but the file itself never fsynced.
  for (PowerLossModel model : {kStrict, kExt4}) {
    auto out = fs.create_temp(world).value();
    ASSERT_TRUE(out->write("object bytes"));
    ASSERT_TRUE(out->commit(world / "object"));
    ASSERT_TRUE(fs.sync_directory(world));
    ASSERT_TRUE(fs.simulate_power_loss(model));
    EXPECT_EQ(text(world / "object"), "") << power_loss_model_name(model);
    ASSERT_TRUE(real->remove(world / "object"));
  }
}

TEST_F(PowerLossTest, Ext4KeepsEveryEntryAndReplacedByRenameData) {
  testing::write_file(world / "index.json", "old");
  ASSERT_TRUE(fs.write_file_atomic(world / "index.json", "new", false));    // replaces: kept
  ASSERT_TRUE(fs.write_file_atomic(world / "fresh.json", "fresh", false));  // new: emptied
  ASSERT_TRUE(fs.create_directories(world / "a" / "b"));
  ASSERT_TRUE(fs.rename(world / "fresh.json", world / "a" / "b" / "moved.json"));
  ASSERT_TRUE(fs.simulate_power_loss(kExt4));
  EXPECT_EQ(text(world / "index.json"), "new");
  EXPECT_EQ(text(world / "a" / "b" / "moved.json"), "");
}

TEST_F(PowerLossTest, RemovalsComeBackUnlessTheirFolderWasSynced) {
  testing::write_file(world / "pkg" / "a.txt", "a");
  testing::write_file(world / "pkg" / "sub" / "b.txt", "b");
  testing::write_file(world / "gone.txt", "gone");
  testing::write_file(world / "kept.txt", "kept");
  ASSERT_TRUE(fs.remove_all(world / "pkg"));
  ASSERT_TRUE(fs.remove(world / "kept.txt"));
  EXPECT_EQ(type(world / "pkg"), FileType::kMissing);
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(text(world / "pkg" / "sub" / "b.txt"), "b");
  EXPECT_EQ(text(world / "kept.txt"), "kept");

  ASSERT_TRUE(fs.remove(world / "gone.txt"));
  ASSERT_TRUE(fs.sync_directory(world));
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(text(world / "gone.txt"), "<missing>");
}

TEST_F(PowerLossTest, AnUnsyncedFolderTakesItsSyncedContentWithIt) {
  ASSERT_TRUE(fs.create_directories(world / "objects" / "ab"));
  ASSERT_TRUE(fs.write_file_atomic(world / "objects" / "ab" / "cd", "data", true));
  // objects/ab is synced, objects/ and world/ are not: the whole folder is not durable.
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(type(world / "objects"), FileType::kMissing);

  ASSERT_TRUE(fs.create_directories(world / "objects" / "ab"));
  ASSERT_TRUE(fs.write_file_atomic(world / "objects" / "ab" / "cd", "data", true));
  ASSERT_TRUE(fs.sync_directory(world / "objects"));
  ASSERT_TRUE(fs.sync_directory(world));
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(text(world / "objects" / "ab" / "cd"), "data");
}

TEST_F(PowerLossTest, HardLinksShareTheirFilesData) {
  // A cache object (never fsynced, its folder never synced) linked into a synced folder: the
  // link stays, the object's name goes, and the bytes are lost through both.
  ASSERT_TRUE(fs.create_directories(world / "ws"));
  ASSERT_TRUE(fs.sync_directory(world));
  ObjectStore store(fs, world / "cache");
  Digest d = store.put_bytes("texture").value();
  ASSERT_TRUE(store.materialise(d, world / "ws" / "tex.png", LinkMode::kHardlink, false));
  ASSERT_TRUE(fs.sync_directory(world / "ws"));
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(type(world / "cache"), FileType::kMissing);
  EXPECT_EQ(text(world / "ws" / "tex.png"), "");

  // Fsynced through the link, the bytes are durable for both names.
  Digest e = store.put_bytes("normal map").value();
  ASSERT_TRUE(fs.sync_filesystem(world));
  ASSERT_TRUE(fs.hard_link(store.object_path(e), world / "ws" / "nm.png"));
  ASSERT_TRUE(fs.sync_directory(world / "ws"));
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_EQ(text(world / "ws" / "nm.png"), "normal map");
  EXPECT_EQ(text(store.object_path(e)), "normal map");
}

TEST_F(PowerLossTest, CrashAtWritePointStopsEverythingAndLeavesTempFiles) {
  ASSERT_TRUE(fs.write_file_atomic(world / "reel.lock", "v1", true));
  const std::uint64_t before = fs.write_points();
  ASSERT_EQ(before, 5u);       // create_temp, write, sync, commit, sync_directory
  fs.crash_at_write_point(4);  // the commit
  EXPECT_FALSE(fs.write_file_atomic(world / "reel.lock", "v2", true));
  EXPECT_TRUE(fs.crashed());
  EXPECT_EQ(fs.write_points(), before + 3);
  // The dead process does nothing more: reads fail, and the temp file stays.
  auto read = fs.read_file(world / "reel.lock");
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("power lost at write point"), std::string::npos);
  auto entries = real->list_dir(world).value();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name.rfind(".tmp-", 0), 0u);
  // Its data was synced but its folder was not: after the power loss, the old state.
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  EXPECT_FALSE(fs.crashed());
  EXPECT_EQ(text(world / "reel.lock"), "v1");
  EXPECT_EQ(real->list_dir(world).value().size(), 1u);
}

// The sweep the crash tests run on reel's commands, here on one atomic write: every point gives
// the old or the new file, never a mix, and the count of points is the operation's.
TEST_F(PowerLossTest, SweepOfAnAtomicWrite) {
  for (PowerLossModel model : {kStrict, kExt4}) {
    std::uint64_t n = 1;
    for (;; ++n) {
      ASSERT_TRUE(real->remove_all(world));
      testing::write_file(world / "index.json", "old");
      fs.crash_at_write_point(n);
      Status st = fs.write_file_atomic(world / "index.json", "new", true);
      if (!fs.crashed()) {
        ASSERT_TRUE(st) << st.error().message;
        break;
      }
      ASSERT_TRUE(fs.simulate_power_loss(model));
      const std::string now = text(world / "index.json");
      EXPECT_TRUE(now == "old" || now == "new") << "point " << n << ": " << now;
      ASSERT_LT(n, 20u);
    }
    EXPECT_EQ(n - 1, 5u) << power_loss_model_name(model);
    ASSERT_TRUE(fs.simulate_power_loss(model));  // the completed write is durable
    EXPECT_EQ(text(world / "index.json"), "new");
  }
}

TEST_F(PowerLossTest, AbortedTempFileIsARemoval) {
  auto out = fs.create_temp(world).value();
  ASSERT_TRUE(out->write("partial"));
  ASSERT_TRUE(fs.sync_directory(world));  // its creation is durable
  out->abort();
  EXPECT_TRUE(real->list_dir(world).value().empty());
  ASSERT_TRUE(fs.simulate_power_loss(kStrict));
  // The removal was not durable: the temp file is back, without its unsynced bytes (the
  // leftover a killed process leaves, which the next publish or gc must clean up).
  auto entries = real->list_dir(world).value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(text(world / entries[0].name), "");
}

TEST_F(PowerLossTest, NeedsTracking) {
  FaultInjectingFileSystem untracked(*real);
  auto st = untracked.simulate_power_loss(kStrict);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace reel
