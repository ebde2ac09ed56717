// Version: SemVer 2.0.0 precedence (semver.org §11), tgzr-style input, and parse errors.
#include "reel/resolver/version.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

Version v(const char* text) {
  auto r = Version::parse(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().to_string());
  return r ? *r : Version();
}

TEST(Version, PrecedenceFollowsSemverOrg) {
  // Each entry sorts strictly below the next: semver.org §11.2 and §11.4's chains, numeric
  // comparison of numeric parts and identifiers, numeric identifiers below alphanumeric ones.
  const char* chain[] = {"0.0.0-0",
                         "0.0.0",
                         "0.0.1",
                         "0.1.0",
                         "0.9.0",
                         "0.10.0",
                         "1.0.0-0",
                         "1.0.0-1",
                         "1.0.0-2",
                         "1.0.0-10",
                         "1.0.0-alpha",
                         "1.0.0-alpha.1",
                         "1.0.0-alpha.beta",
                         "1.0.0-beta",
                         "1.0.0-beta.2",
                         "1.0.0-beta.11",
                         "1.0.0-rc.1",
                         "1.0.0",
                         "1.0.1-rc.1",
                         "1.0.1",
                         "1.9.0",
                         "1.10.0",
                         "1.11.0",
                         "2.0.0",
                         "2.1.0",
                         "2.1.1",
                         "10.0.0"};
  for (std::size_t i = 0; i < std::size(chain); ++i) {
    for (std::size_t j = 0; j < std::size(chain); ++j) {
      EXPECT_EQ(v(chain[i]) <=> v(chain[j]), i <=> j) << chain[i] << " vs " << chain[j];
    }
  }
}

TEST(Version, BuildMetadataIsIgnoredForPrecedence) {
  EXPECT_EQ(v("1.0.0+a"), v("1.0.0+b"));
  EXPECT_EQ(v("1.0.0-rc.1+exp.sha.5114f85"), v("1.0.0-rc.1"));
  EXPECT_LT(v("1.0.0-rc.1+zzz"), v("1.0.0+aaa"));
}

TEST(Version, CanonicalText) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (auto c : {Case{"1.2.3", "1.2.3"}, Case{"1.2.3.rc1", "1.2.3-rc1"},  // tgzr style
                 Case{"1.2.3.beta.2", "1.2.3-beta.2"}, Case{"2.0.0.dev0", "2.0.0-dev0"},
                 Case{"v1.2.3", "1.2.3"}, Case{"1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"},
                 Case{"1.2.3+20261124", "1.2.3+20261124"}, Case{"0.0.0-0", "0.0.0-0"},
                 Case{"1.2.3-x-y-z.--", "1.2.3-x-y-z.--"},
                 Case{"999999999999999999.0.0", "999999999999999999.0.0"}}) {
    EXPECT_EQ(v(c.in).to_string(), c.out) << c.in;
  }
  EXPECT_EQ(v("1.2.3.rc1"), v("1.2.3-rc1"));
}

TEST(Version, Accessors) {
  Version x = v("4.5.6-rc.1.x+b.7");
  EXPECT_EQ(x.major(), 4u);
  EXPECT_EQ(x.minor(), 5u);
  EXPECT_EQ(x.patch(), 6u);
  EXPECT_EQ(x.prerelease(), (std::vector<std::string>{"rc", "1", "x"}));
  EXPECT_EQ(x.build(), (std::vector<std::string>{"b", "7"}));
  EXPECT_TRUE(x.is_prerelease());
  EXPECT_FALSE(x.release().is_prerelease());
  EXPECT_EQ(x.release().to_string(), "4.5.6");
  EXPECT_FALSE(v("4.5.6+b").is_prerelease());
}

TEST(Version, BadInputNamesTextAndPosition) {
  struct Case {
    const char* text;
    std::size_t position;
  };
  for (auto c : {Case{"1.2", 3}, Case{"01.2.3", 0}, Case{"1.02.3", 2}, Case{"1.2.3.4.5", 5},
                 Case{"1.2.3.4", 5}, Case{"1.2.3-", 6}, Case{"1.2.3-01", 6}, Case{"1.2.3-a..b", 8},
                 Case{"1.2.3+", 6}, Case{"", 0}, Case{"a.b.c", 0}, Case{" 1.2.3", 0},
                 Case{"1.2.3 ", 5}, Case{"1.2.3_4", 5}, Case{"1", 1}, Case{"1.2.x", 4},
                 Case{"-1.2.3", 0}, Case{"1.2.3-rc!", 8}, Case{"1234567890123456789.0.0", 0}}) {
    auto r = Version::parse(c.text);
    ASSERT_FALSE(r) << "'" << c.text << "' parsed as " << r->to_string();
    EXPECT_EQ(r.error().position, c.position) << c.text << ": " << r.error().to_string();
    EXPECT_EQ(r.error().text, c.text);
    EXPECT_NE(r.error().to_string().find("'" + std::string(c.text) + "'"), std::string::npos)
        << r.error().to_string();
  }
}

}  // namespace
}  // namespace reel
