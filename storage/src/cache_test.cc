#include "reel/storage/cache.h"

#include <gtest/gtest.h>

#include "reel/storage/clock.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

TEST(Cache, DirectoryPrecedence) {
  std::map<std::string, std::string> env = {
      {"REEL_CACHE_DIR", "/c/reel"}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/home/u"}};
  EXPECT_EQ(default_cache_dir(env, "/override").value(), fs::path("/override"));
  EXPECT_EQ(default_cache_dir(env, "").value(), fs::path("/c/reel"));
  env.erase("REEL_CACHE_DIR");
  EXPECT_EQ(default_cache_dir(env, "").value(), fs::path("/x/reel"));
  env["XDG_CACHE_HOME"] = "";  // empty counts as unset
  EXPECT_EQ(default_cache_dir(env, "").value(), fs::path("/home/u/.cache/reel"));
  env.erase("HOME");
  auto none = default_cache_dir(env, "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument);
  // A relative directory is made absolute.
  EXPECT_TRUE(default_cache_dir({{"REEL_CACHE_DIR", "rel/cache"}}, "").value().is_absolute());
}

TEST(Cache, VersionedBuckets) {
  testing::TempDir dir;
  auto fs = make_real_file_system();
  Cache cache(*fs, dir.path());
  EXPECT_EQ(cache.objects().root(), dir.path() / "objects-v1");
  EXPECT_EQ(cache.archives().root(), dir.path() / "archives-v1");
  EXPECT_EQ(cache.http_dir(), dir.path() / "http-v1");
  EXPECT_EQ(cache.locks_dir(), dir.path() / "locks");
  Digest d = cache.archives().put_bytes("archive bytes").value();
  EXPECT_TRUE(cache.archives().contains(d).value());
  EXPECT_FALSE(cache.objects().contains(d).value());
}

TEST(Clock, Rfc3339Utc) {
  EXPECT_EQ(format_rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_utc(testing::FixedClock().now_unix_seconds()), "2026-11-18T11:06:40Z");
  EXPECT_EQ(format_rfc3339_utc(951782400), "2000-02-29T00:00:00Z");  // a leap day
  auto clock = make_system_clock();
  EXPECT_GT(clock->now_unix_seconds(), 1700000000);  // after November 2023
}

}  // namespace
}  // namespace reel
