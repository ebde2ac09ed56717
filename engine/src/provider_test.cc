#include "reel/engine/provider.h"

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace reel {
namespace {

using engine_testing::RepoTest;

TEST_F(RepoTest, ProviderTakesEachNameFromTheFirstRepoThatHasIt) {
  auto review = make_repo("review");
  auto blessed = make_repo("blessed");
  ASSERT_TRUE(publish(*review, asset("Table", "2.0.0", "t2")));
  ASSERT_TRUE(publish(*blessed, asset("Table", "1.0.0", "t1")));
  ASSERT_TRUE(publish(*blessed, asset("Table", "3.0.0", "t3")));
  ASSERT_TRUE(publish(*blessed, asset("Chair", "1.0.0", "c", "TABLE = \"*\"\nghost = \"^1\"\n")));
  RepoProvider provider({{"review", review.get()}, {"blessed", blessed.get()}});

  auto versions = provider.versions("table");
  ASSERT_EQ(versions.size(), 1u);  // review has Table: blessed's versions are never mixed in
  EXPECT_EQ(versions[0].version, Version(2, 0, 0));
  EXPECT_EQ(provider.repo_of("TaBlE")->first, "review");
  EXPECT_EQ(provider.repo_of("chair")->first, "blessed");
  EXPECT_EQ(provider.repo_of("chair")->second, blessed.get());
  EXPECT_EQ(provider.canonical_name("CHAIR"), "Chair");
  EXPECT_FALSE(provider.canonical_name("Ghost"));
  EXPECT_TRUE(provider.versions("Ghost").empty());
  EXPECT_FALSE(provider.dependencies("Table", Version(1, 0, 0)));  // blessed's, not taken
  auto deps = provider.dependencies("chair", Version(1, 0, 0));
  ASSERT_TRUE(deps);
  ASSERT_EQ(deps->size(), 2u);
  EXPECT_EQ((*deps)[0].name, "ghost");  // unknown: kept as written, for the resolver to report
  EXPECT_EQ((*deps)[1].name, "Table");  // canonical spelling
  ASSERT_NE(provider.entry("CHAIR", Version(1, 0, 0)), nullptr);
  EXPECT_EQ(provider.entry("Chair", Version(1, 0, 0))->file_count, 2u);
  EXPECT_EQ(provider.entry("Chair", Version(2, 0, 0)), nullptr);
  EXPECT_FALSE(provider.error());

  // Order matters: blessed first gives blessed's versions.
  RepoProvider blessed_first({{"blessed", blessed.get()}, {"review", review.get()}});
  EXPECT_EQ(blessed_first.versions("Table").size(), 2u);
}

TEST_F(RepoTest, ProviderReportsYankedVersionsAndCachesIndexes) {
  auto repo = make_repo("blessed");
  ASSERT_TRUE(publish(*repo, asset("Lamp", "1.0.0", "l1")));
  ASSERT_TRUE(publish(*repo, asset("Lamp", "1.1.0", "l2")));
  fs::path file = dir.path() / "blessed" / "index" / "lamp.json";
  auto index = parse_index(fs->read_file(file).value(), "lamp.json").value();
  index.versions[1].yanked = true;
  ASSERT_TRUE(fs->write_file_atomic(file, serialize_index(index), false));
  RepoProvider provider({{"blessed", repo.get()}});
  auto versions = provider.versions("Lamp");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_FALSE(versions[0].yanked);
  EXPECT_TRUE(versions[1].yanked);
  auto removed = fs->remove(file);  // read once, then served from the provider's cache
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(provider.versions("LAMP").size(), 2u);
}

TEST_F(RepoTest, ProviderRecordsTheFirstErrorAndDoesNotFallThrough) {
  auto review = make_repo("review");
  auto blessed = make_repo("blessed");
  ASSERT_TRUE(publish(*blessed, asset("Table", "1.0.0", "t1")));
  testing::write_file(dir.path() / "review" / "index" / "table.json", "{broken");
  RepoProvider provider({{"review", review.get()}, {"blessed", blessed.get()}});
  EXPECT_TRUE(provider.versions("Table").empty());  // not taken from blessed behind a broken repo
  ASSERT_TRUE(provider.error());
  EXPECT_NE(provider.error()->message.find("review/index/table.json"), std::string::npos)
      << provider.error()->message;
}

}  // namespace
}  // namespace reel
