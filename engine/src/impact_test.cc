#include "reel/engine/impact.h"

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace reel {
namespace {

using engine_testing::RepoTest;

std::string row(const ReverseDependency& r) {
  return r.package + " " + r.version.to_string() + (r.group.empty() ? "" : " [" + r.group + "]") +
         " " + r.range_text + " " + std::string(dependency_kind_name(r.kind)) +
         (r.newest ? " newest" : "");
}

TEST_F(RepoTest, ReverseDependenciesListEveryDependentVersionWithItsKind) {
  auto repo = make_repo("blessed");
  ASSERT_TRUE(publish(*repo, asset("Table", "3.2.1", "t")));
  ASSERT_TRUE(publish(*repo, asset("KitchenSet", "1.4.0", "k1", "Table = \"==3.2.1\"\n")));
  ASSERT_TRUE(publish(*repo, asset("KitchenSet", "1.5.0", "k2", "table = \">=3.2,<4\"\n")));
  ASSERT_TRUE(publish(*repo, asset("Diner", "2.0.0", "d", "TABLE = \"*\"\nChair = \"^1\"\n")));
  ASSERT_TRUE(publish(*repo, asset("Chair", "1.0.0", "c")));
  fs::path group_asset = asset("Props", "0.1.0", "p");
  testing::write_file(group_asset / "asset.toml",
                      "[asset]\nname = \"Props\"\nversion = \"0.1.0\"\n"
                      "[dependency-groups]\nedit = { Table = \"^3\" }\n");
  ASSERT_TRUE(publish(*repo, group_asset));

  auto rdeps = reverse_dependencies(*repo, "TABLE");
  ASSERT_TRUE(rdeps) << rdeps.error().message;
  std::vector<std::string> rows;
  for (const auto& r : *rdeps) rows.push_back(row(r));
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "Diner 2.0.0 * abstract newest",
                      "KitchenSet 1.4.0 ==3.2.1 concrete",
                      "KitchenSet 1.5.0 >=3.2,<4 bounded newest",
                      "Props 0.1.0 [edit] ^3 bounded newest",
                  }));
  EXPECT_TRUE(reverse_dependencies(*repo, "Lamp").value().empty());

  // A push of Table 3.3.0: the abstract and the bounded ones take it, the pin must be pulled.
  Version next(3, 3, 0);
  EXPECT_EQ(impact_of((*rdeps)[0], next), Impact::kTakes);
  EXPECT_EQ(impact_of((*rdeps)[1], next), Impact::kPull);
  EXPECT_EQ(impact_of((*rdeps)[2], next), Impact::kTakes);
  // Table 4.0.0 leaves the bounded ranges behind; the pin on exactly 3.2.1 takes 3.2.1.
  Version major(4, 0, 0);
  EXPECT_EQ(impact_of((*rdeps)[0], major), Impact::kTakes);
  EXPECT_EQ(impact_of((*rdeps)[2], major), Impact::kExcluded);
  EXPECT_EQ(impact_of((*rdeps)[3], major), Impact::kExcluded);
  EXPECT_EQ(impact_of((*rdeps)[1], Version(3, 2, 1)), Impact::kTakes);
  EXPECT_EQ(impact_name(Impact::kPull), "pull");
}

TEST_F(RepoTest, ReverseDependenciesNameTheMalformedIndex) {
  auto repo = make_repo("blessed");
  ASSERT_TRUE(publish(*repo, asset("Table", "1.0.0", "t")));
  testing::write_file(dir.path() / "blessed" / "index" / "chair.json", "{\"format\": 1,");
  auto rdeps = reverse_dependencies(*repo, "Table");
  ASSERT_FALSE(rdeps);
  EXPECT_NE(rdeps.error().message.find("chair.json"), std::string::npos) << rdeps.error().message;
}

}  // namespace
}  // namespace reel
