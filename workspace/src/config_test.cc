// workspace.toml parsing and `reel add` requirement specs.
#include "reel/workspace/config.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

constexpr const char* kRepos = R"([[repo]]
name = "blessed"
url = "/studio/blessed"
blessed = true
[[repo]]
name = "review"
url = "https://assets.example/review"
default = true
)";

TEST(WorkspaceConfig, SourcesRoundTripAndLookup) {
  auto c = parse_workspace_config(std::string(kRepos) +
                                      "[requirements]\nTable = \"^1\"\n"
                                      "[sources]\ntable = \"review\"\n",
                                  "workspace.toml");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->sources.size(), 1u);
  ASSERT_NE(c->source_of("TABLE"), nullptr);
  EXPECT_EQ(*c->source_of("TABLE"), "review");
  EXPECT_EQ(c->source_of("Lamp"), nullptr);
  std::string text = serialize_workspace_config(*c);
  EXPECT_NE(text.find("[sources]\ntable = \"review\"\n"), std::string::npos) << text;
  auto again = parse_workspace_config(text, "again.toml");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->sources, c->sources);
  EXPECT_EQ(again->requirements, c->requirements);
  // No [sources] section is written when there are none.
  c->sources.clear();
  EXPECT_EQ(serialize_workspace_config(*c).find("[sources]"), std::string::npos);
}

TEST(WorkspaceConfig, KeysAreQuotedOnlyWhenTheyMustBe) {
  // Bare keys are [A-Za-z0-9_-] (TOML 1.0); a name with a dot is quoted, or it would be a dotted
  // key (a table).
  auto c =
      parse_workspace_config(std::string(kRepos) +
                                 "[requirements]\nTable = \"^1\"\n\"my.pkg\" = \"*\"\n"
                                 "Lamp_2-x = \"==1.0.0\"\n[sources]\n\"my.pkg\" = \"review\"\n",
                             "workspace.toml");
  ASSERT_TRUE(c) << c.error().message;
  std::string text = serialize_workspace_config(*c);
  EXPECT_NE(
      text.find("\n[requirements]\nLamp_2-x = \"==1.0.0\"\n\"my.pkg\" = \"*\"\nTable = \"^1\"\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("[sources]\n\"my.pkg\" = \"review\"\n"), std::string::npos) << text;
  auto again = parse_workspace_config(text, "again.toml");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->requirements, c->requirements);
}

TEST(WorkspaceConfig, ErrorsNameTheFileLineAndField) {
  struct Case {
    std::string text;
    std::string expected;  // a piece of the message
  };
  std::vector<Case> cases = {
      {std::string(kRepos) + "[sources]\nTable = \"nowhere\"\n", "no [[repo]] named 'nowhere'"},
      {std::string(kRepos) + "[sources]\nTable = true\n", "[sources] Table"},
      {"[workspace]\nname = \"a\"\n\n[requirements]\nTable = \">=1..2\"\n",
       "workspace.toml:5: [requirements] Table"},
      {"[requirements]\n\"-bad\" = \"*\"\n", "[requirements] -bad"},
      {"[requirements]\nTable = 3\n", "expected a range string"},
      {"[workspace]\ncolour = \"red\"\n", "[workspace] colour: unknown key"},
      {"[[repo]]\nname = \"a\"\nurl = \"/a\"\n[[repo]]\nname = \"a\"\nurl = \"/b\"\n",
       "defined twice"},
      {"[[repo]]\nname = \"a\"\nurl = \"/a\"\nblessed = \"yes\"\n", "expected true or false"},
      {"[workspace\n", "invalid TOML"},
      {"[workspace]\nname = \"a\x01\"\n", "workspace.toml"},      // control character
      {"[workspace]\nname = \"\xe1'\xe1\"\n", "workspace.toml"},  // not UTF-8
  };
  for (const auto& c : cases) {
    auto r = parse_workspace_config(c.text, "workspace.toml");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.error().message.find("workspace.toml"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
  }
}

// Found by fuzz_workspace_config (escaped-control-character.toml): an escaped control character
// in a string was written back raw, and the saved file could not be read again.
TEST(WorkspaceConfig, EscapedControlCharactersRoundTrip) {
  auto c = parse_workspace_config(
      "[workspace]\nname = \"a\\u0001b\\nc\\td\"\n[[repo]]\nname = \"x\"\nurl = \"/r\\u007f\"\n",
      "workspace.toml");
  ASSERT_TRUE(c) << c.error().message;
  const std::string text = serialize_workspace_config(*c);
  auto back = parse_workspace_config(text, "workspace.toml");
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(back->name, std::string("a\x01" "b\nc\td"));
  EXPECT_EQ(back->repos[0].url, std::string("/r\x7f"));
}

TEST(RequirementSpec, NameIsTheLongestPrefixOfNameCharacters) {
  struct Case {
    const char* spec;
    const char* name;
    const char* range;
  };
  for (const Case& c :
       {Case{"Table", "Table", "*"}, Case{"Table==3.2.1", "Table", "==3.2.1"},
        Case{"Table>=1.2,<2", "Table", ">=1.2,<2"}, Case{"Table >=1.2", "Table", ">=1.2"},
        Case{"my.rig-v2_x ^1", "my.rig-v2_x", "^1"}, Case{"Table  ", "Table", "*"}}) {
    auto parsed = parse_requirement_spec(c.spec);
    ASSERT_TRUE(parsed) << c.spec << ": " << parsed.error().message;
    EXPECT_EQ(parsed->first, c.name) << c.spec;
    EXPECT_EQ(parsed->second, c.range) << c.spec;
  }
  for (const char* bad : {"", ">=1", "Table>=", "Table abc", "-Table"}) {
    auto parsed = parse_requirement_spec(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << parsed.error().message;
  }
}

}  // namespace
}  // namespace reel
