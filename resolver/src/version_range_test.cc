#include <gtest/gtest.h>

#include "reel/resolver/range.h"
#include "reel/resolver/version.h"

namespace reel {
namespace {

Version v(const char* text) { return Version::parse(text).value(); }

TEST(Version, PrecedenceChainOfSemverOrg) {
  // semver.org §11.4's example chain.
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                         "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0",
                         "2.1.0", "2.1.1"};
  for (std::size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(v(chain[i]), v(chain[i + 1])) << chain[i] << " < " << chain[i + 1];
  }
  EXPECT_EQ(v("1.0.0+a"), v("1.0.0+b"));
}

TEST(Version, TgzrSuffixIsNormalised) {
  EXPECT_EQ(v("1.2.3.rc1").to_string(), "1.2.3-rc1");
  EXPECT_EQ(v("v1.2.3").to_string(), "1.2.3");
  EXPECT_EQ(v("1.2.3-rc.1+build.5").to_string(), "1.2.3-rc.1+build.5");
}

TEST(Version, BadInputNamesPosition) {
  struct Case { const char* text; std::size_t position; };
  for (auto c : {Case{"1.2", 3}, Case{"01.2.3", 0}, Case{"1.2.3.4.5", 5}, Case{"1.2.3-", 6},
                 Case{"1.2.3-01", 6}, Case{"", 0}, Case{"a.b.c", 0}}) {
    auto r = Version::parse(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().position, c.position) << c.text << ": " << r.error().to_string();
  }
}

struct RangeCase {
  const char* range;
  const char* version;
  bool admitted;
};

// Modelled on node-semver's range-include / range-exclude fixtures, plus reel's additions.
const RangeCase kRangeCases[] = {
    {"1.0.0 - 2.0.0", "1.2.3", true},   {"1.0.0 - 2.0.0", "2.0.1", false},
    {"1.2.3 - 2", "2.9.9", true},       {"1.2.3 - 2", "3.0.0", false},
    {"1.2 - 2.3.4", "1.2.0", true},     {"^1.2.3", "1.8.1", true},
    {"^1.2.3", "2.0.0", false},         {"^0.1.2", "0.1.9", true},
    {"^0.1.2", "0.2.0", false},         {"^0.0.3", "0.0.4", false},
    {"^1.2", "1.9.0", true},            {"^0", "0.9.9", true},
    {"~1.2.3", "1.2.9", true},          {"~1.2.3", "1.3.0", false},
    {"~1", "1.9.9", true},              {"~1", "2.0.0", false},
    {"1.2.x", "1.2.7", true},           {"1.2.*", "1.3.0", false},
    {"1.2", "1.2.9", true},             {"1", "1.99.0", true},
    {"*", "3.0.0", true},               {"", "3.0.0", true},
    {"*", "3.0.0-rc1", false},          {">=1.2", "1.2.0", true},
    {"<1.2", "1.1.9", true},            {"<1.2", "1.2.0-rc1", false},
    {">1.2", "1.2.9", false},           {">1.2", "1.3.0", true},
    {"<=1.2", "1.2.9", true},           {">=1.2.3 <2", "1.9.0", true},
    {">=1.2.3,<2.0", "2.0.0", false},   {">=1.2.3<2.0", "1.5.0", true},
    {">=1.2.3<2.0", "2.1.0", false},    {"==3.2.1", "3.2.1", true},
    {"=3.2.1", "3.2.2", false},         {"!=1.5.0", "1.5.0", false},
    {"!=1.5.0", "1.5.1", true},         {"<1 || >=3", "3.1.0", true},
    {"<1 || >=3", "2.0.0", false},      {"~=1.2", "1.9.0", true},
    {"~=1.2", "2.0.0", false},          {"~=1.2.3", "1.2.9", true},
    {"~=1.2.3", "1.3.0", false},        {">=1.2.3-beta.1", "1.2.3-beta.2", true},
    {">=1.2.3-beta.1", "1.2.4-beta.1", false}, {"^1.2.3-rc.1", "1.2.3-rc.2", true},
    {"^1.2.3-rc.1", "1.3.0-rc.1", false}, {">2 <1", "1.5.0", false},
};

TEST(Range, MatchesNodeSemverMeaning) {
  for (const auto& c : kRangeCases) {
    auto r = Range::parse(c.range);
    ASSERT_TRUE(r) << c.range << ": " << r.error().to_string();
    EXPECT_EQ(r->contains(v(c.version)), c.admitted) << "'" << c.range << "' vs " << c.version;
  }
}

TEST(Range, SimplestText) {
  struct Case { const char* in; const char* out; };
  for (auto c : {Case{"*", "*"}, Case{"==1.2.3", "==1.2.3"}, Case{">=1.2.3", ">=1.2.3"},
                 Case{">=1.2.3,<2.0", "^1.2.3"}, Case{"1.2.3 - 2.3.4", ">=1.2.3,<=2.3.4"},
                 Case{"~1.2.3", ">=1.2.3,<1.3.0"}, Case{"<1 || >=2", "<1.0.0 || >=2.0.0"},
                 Case{">2 <1", "no versions"}, Case{"^0.2.3", "^0.2.3"}}) {
    EXPECT_EQ(Range::parse(c.in).value().to_string(), c.out) << c.in;
  }
}

TEST(Range, KindsOfDependency) {
  EXPECT_TRUE(Range::parse("*").value().is_any());
  EXPECT_FALSE(Range::parse(">=1").value().is_any());
  EXPECT_EQ(Range::parse("==3.2.1").value().single_version()->to_string(), "3.2.1");
  EXPECT_FALSE(Range::parse(">=3.2.1").value().single_version());
  EXPECT_TRUE(Range::parse(">2 <1").value().is_empty());
}

TEST(Range, ParseErrorsNamePosition) {
  struct Case { const char* text; std::size_t position; };
  for (auto c : {Case{">=", 2}, Case{">=1..2", 4}, Case{"abc", 0}, Case{"1.2.3 -", 7},
                 Case{"~=1", 0}}) {
    auto r = Range::parse(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().position, c.position) << c.text << ": " << r.error().to_string();
    EXPECT_NE(r.error().to_string().find(c.text), std::string::npos);
  }
}

}  // namespace
}  // namespace reel
