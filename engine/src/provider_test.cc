#include "reel/engine/provider.h"

#include <gtest/gtest.h>

#include <map>

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
  // As Chair's index spells them: the solver keys names by package_key and names a package by
  // package_name once it reads its versions, so no other index is read here.
  EXPECT_EQ((*deps)[0].name, "ghost");
  EXPECT_EQ((*deps)[1].name, "TABLE");
  EXPECT_EQ(provider.package_key("TaBle"), "table");
  EXPECT_EQ(provider.package_name("TABLE"), "Table");  // canonical spelling
  EXPECT_EQ(provider.package_name("ghost"), "ghost");  // unknown: kept as written
  // Resolved, the solution spells every name as its index does.
  ResolveRequest request;
  request.requirements = {Dependency{"CHAIR", Range::any()}, Dependency{"table", Range::any()}};
  ResolveResult result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Unsolvable>(result));  // ghost is in no repo
  EXPECT_NE(std::get<Unsolvable>(result).explanation.find("ghost"), std::string::npos);
  ASSERT_TRUE(publish(*blessed, asset("ghost", "1.0.0", "g")));
  RepoProvider fresh({{"review", review.get()}, {"blessed", blessed.get()}});
  result = resolve(fresh, request);
  ASSERT_TRUE(std::holds_alternative<Solution>(result)) << std::get<Unsolvable>(result).explanation;
  const Solution& solution = std::get<Solution>(result);
  std::map<std::string, std::string> got;
  for (const auto& [n, v] : solution.versions) got[n] = v.to_string();
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"Chair", "1.0.0"}, {"Table", "2.0.0"}, {"ghost", "1.0.0"}}));
  EXPECT_EQ(solution.dependencies.at("Chair"), (std::vector<std::string>{"Table", "ghost"}));
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
