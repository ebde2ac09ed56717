#include "reel/storage/stat_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;
using testing::write_file;

// Sets `path`'s mtime `seconds` from now (the racy rule compares file times with the cache's).
void set_mtime_from_now(const fs::path& path, int seconds) {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  timespec times[2] = {now, now};
  times[1].tv_sec += seconds;
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

struct StatCacheTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  fs::path file = dir.path() / "frame.0001.exr";
  fs::path cache_file = dir.path() / "state" / "stat-cache";

  FileStat stat_of(const fs::path& p) { return fs->stat(p).value(); }

  // Saves `cache`, dates the cache file 10 s ahead (so every file is older: not racy), reloads.
  void save_and_reload(const StatCache& cache, StatCache& into) {
    ASSERT_TRUE(cache.save(*fs, cache_file));
    set_mtime_from_now(cache_file, 10);
    ASSERT_TRUE(into.load(*fs, cache_file));
  }
};

TEST_F(StatCacheTest, RoundTripsAndMatchesOnlyTheSameStat) {
  write_file(file, "frame one");
  const Digest digest = sha256_bytes("frame one");
  StatCache cache;
  cache.record("renders/frame.0001.exr", stat_of(file), digest);
  cache.record("with space/and ünïcode.exr", stat_of(file), digest);
  StatCache loaded;
  save_and_reload(cache, loaded);
  EXPECT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.lookup("renders/frame.0001.exr", stat_of(file)), digest);
  EXPECT_EQ(loaded.lookup("with space/and ünïcode.exr", stat_of(file)), digest);
  EXPECT_EQ(loaded.lookup("renders/other.exr", stat_of(file)), std::nullopt);
  // Each stat field on its own invalidates the entry.
  for (int field = 0; field < 4; ++field) {
    FileStat st = stat_of(file);
    if (field == 0) st.size += 1;
    if (field == 1) st.mtime_ns -= 1;
    if (field == 2) st.ctime_ns -= 1;
    if (field == 3) st.inode += 1;
    EXPECT_EQ(loaded.lookup("renders/frame.0001.exr", st), std::nullopt) << "field " << field;
  }
}

TEST_F(StatCacheTest, RacyEntriesAreNotTrusted) {
  write_file(file, "frame one");
  StatCache cache;
  cache.record("f.exr", stat_of(file), sha256_bytes("frame one"));
  ASSERT_TRUE(cache.save(*fs, cache_file));
  // The file is as new as the cache file (written in the same granule, or later): not trusted.
  set_mtime_from_now(cache_file, -10);
  StatCache loaded;
  ASSERT_TRUE(loaded.load(*fs, cache_file));
  EXPECT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded.lookup("f.exr", stat_of(file)), std::nullopt);
  // A cache that was never loaded trusts nothing it did not record itself after the fact.
  StatCache fresh;
  EXPECT_EQ(fresh.lookup("f.exr", stat_of(file)), std::nullopt);
}

TEST_F(StatCacheTest, MissingOrMalformedFilesLeaveItEmpty) {
  StatCache cache;
  ASSERT_TRUE(cache.load(*fs, dir.path() / "absent"));
  EXPECT_EQ(cache.size(), 0u);
  const std::string hex = sha256_bytes("x").hex();
  for (const std::string& text : std::vector<std::string>{
           std::string("not a stat cache\n"),
           "reel-stat-cache 2\n" + hex + " 1 2 3 4 a\n",
           "reel-stat-cache 1\n" + hex + " 1 2 3 4 a",   // truncated: no newline
           "reel-stat-cache 1\n" + hex + " 1 2 3 a\n",   // a field missing
           "reel-stat-cache 1\n" + hex + " -1 2 3 4 a\n",  // negative size
           std::string("reel-stat-cache 1\nzz 1 2 3 4 a\n"),  // not a digest
           "reel-stat-cache 1\n" + hex + " 1 2 3 4 \n",    // empty path
       }) {
    write_file(cache_file, text);
    ASSERT_TRUE(cache.load(*fs, cache_file)) << text;
    EXPECT_EQ(cache.size(), 0u) << text;
  }
  write_file(cache_file, "reel-stat-cache 1\n" + hex + " 1 2 3 4 a b\n");
  ASSERT_TRUE(cache.load(*fs, cache_file));
  EXPECT_EQ(cache.size(), 1u);  // the path is the rest of the line, spaces included
}

TEST_F(StatCacheTest, PruneKeepsOnlyWhatWasUsed) {
  write_file(file, "a");
  write_file(dir.path() / "b", "b");
  StatCache cache;
  cache.record("a", stat_of(file), sha256_bytes("a"));
  cache.record("b", stat_of(dir.path() / "b"), sha256_bytes("b"));
  StatCache loaded;
  save_and_reload(cache, loaded);
  EXPECT_TRUE(loaded.lookup("a", stat_of(file)));  // still there
  loaded.prune_unused();                            // "b" was deleted from the folder
  EXPECT_EQ(loaded.size(), 1u);
  EXPECT_TRUE(loaded.lookup("a", stat_of(file)));
}

}  // namespace
}  // namespace reel
