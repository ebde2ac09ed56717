#include "reel/workspace/user_config.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

TEST(UserConfig, ReadsEveryKey) {
  auto c = parse_user_config(
      "# mine\ncache-dir = \"/scratch/reel\"\nlink-mode = \"hardlink\"\ncolor = \"never\"\n"
      "parallel-transfers = 16\n\n[[repo]]\nname = \"blessed\"\nurl = \"/studio/blessed\"\n\n"
      "[[repo]]\nname = \"review\"\nurl = \"https://assets.example/review\"\ndefault = true\n",
      "config.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->cache_dir, "/scratch/reel");
  EXPECT_EQ(c->link_mode, LinkMode::kHardlink);
  EXPECT_EQ(c->color, "never");
  EXPECT_EQ(c->parallel_transfers, 16);
  ASSERT_EQ(c->repos.size(), 2u);
  EXPECT_EQ(c->repos[1].name, "review");
  EXPECT_TRUE(c->repos[1].is_default);
  EXPECT_FALSE(c->repos[0].is_default);
  auto empty = parse_user_config("", "config.toml");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->repos.empty());
  EXPECT_FALSE(empty->link_mode);
}

TEST(UserConfig, RefusesWhatItDoesNotKnowNamingFileAndLine) {
  struct Case {
    std::string text, says;
  };
  for (const Case& c : std::vector<Case>{
           {"colour = \"never\"\n", "config.toml:1: colour: unknown key"},
           {"\ncolor = \"purple\"\n", "config.toml:2: color: expected auto, always or never"},
           {"link-mode = \"teleport\"\n", "link-mode"},
           {"parallel-transfers = 0\n", "expected a whole number 1-64"},
           {"parallel-transfers = \"8\"\n", "expected a whole number 1-64"},
           {"cache-dir = \"relative/cache\"\n", "expected an absolute path"},
           {"[[repo]]\nname = \"b\"\nurl = \"repos/b\"\n", "is relative"},
           {"[[repo]]\nname = \"b\"\n", "needs a name and a url"},
           {"[[repo]]\nname = \"b\"\nurl = \"/b\"\n[[repo]]\nname = \"b\"\nurl = \"/c\"\n",
            "defined twice"},
           {"[[repo]]\nname = \"b\"\nurl = \"/b\"\ntoken = \"x\"\n", "unknown key"},
           {"cache-dir = \n", "invalid TOML"},
       }) {
    auto parsed = parse_user_config(c.text, "config.toml");
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find(c.says), std::string::npos)
        << c.text << " -> " << parsed.error().message;
  }
}

TEST(UserConfig, InputChecksRunBeforeToml11) {
  // The bytes that overflow Debian toml11 3.7.1's heap buffer (DESIGN §8), other non-UTF-8 text,
  // a control character and deep nesting are refused before toml11 sees them.
  std::string nested = "x = " + std::string(200, '[') + std::string(200, ']') + "\n";
  for (const std::string& text :
       {std::string("\n'\xe1'\xe1\x01", 6), std::string("color = \"\xff\"\n"),
        std::string("color = \"a\x07\"\n"), nested}) {
    auto parsed = parse_user_config(text, "config.toml");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message.find("invalid TOML"), std::string::npos)
        << parsed.error().message;
  }
}

TEST(UserConfig, PathFollowsXdgThenHome) {
  EXPECT_EQ(user_config_path({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}}),
            fs::path("/x/reel/config.toml"));
  EXPECT_EQ(user_config_path({{"HOME", "/h"}}), fs::path("/h/.config/reel/config.toml"));
  EXPECT_EQ(user_config_path({{"XDG_CONFIG_HOME", "relative"}, {"HOME", "/h"}}),
            fs::path("/h/.config/reel/config.toml"));
  EXPECT_TRUE(user_config_path({}).empty());
}

}  // namespace
}  // namespace reel
