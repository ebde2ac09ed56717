// Bad input for the resolver at scale (issue 3): 100,000 versions of one name, an empty index,
// cycles. Each must resolve or explain, within bounded time: the tests run under ctest's timeout,
// and the adversarial case is sized so that a quadratic-memory or quadratic-time regression
// exhausts the budget instead of passing slowly.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <variant>

#include "reel/resolver/solver.h"

namespace reel {
namespace {

// Versions are generated on demand: "big" has `count` versions 1.0.0 ... count.0.0; version i
// depends on what `deps_of(i)` returns.
struct GeneratedProvider : PackageProvider {
  std::uint64_t count = 0;
  std::function<std::vector<Dependency>(std::uint64_t)> deps_of;
  std::map<std::string, std::vector<Version>> others;

  std::vector<VersionInfo> versions(const std::string& name) override {
    std::vector<VersionInfo> out;
    if (name == "big") {
      out.reserve(count);
      for (std::uint64_t i = 1; i <= count; ++i) out.push_back({Version(i, 0, 0), false});
    }
    if (auto it = others.find(name); it != others.end()) {
      for (const auto& v : it->second) out.push_back({v, false});
    }
    return out;
  }
  std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                      const Version& v) override {
    if (name == "big") return deps_of(v.major());
    if (others.count(name)) return std::vector<Dependency>{};
    return std::nullopt;
  }
};

Range range(const char* text) { return Range::parse(text).value(); }

// ResolveStats (`reel lock -v`): a solve without conflicts decides the root and each package once;
// one whose newest versions depend on a missing range asks for both packages, decides an older
// version and learns more incompatibilities.
TEST(SolverStats, CountDecisionsPackagesAndIncompatibilities) {
  GeneratedProvider easy;
  easy.count = 3;
  easy.deps_of = [](std::uint64_t) { return std::vector<Dependency>{}; };
  ResolveRequest request;
  request.requirements = {{"big", range("*")}};
  ResolveStats stats;
  auto solved = resolve(easy, request, &stats);
  ASSERT_TRUE(std::holds_alternative<Solution>(solved));
  EXPECT_EQ(stats.decisions, 2u);  // the root, then big 3.0.0
  EXPECT_EQ(stats.conflicts, 0u);
  EXPECT_EQ(stats.backtracks, 0u);
  EXPECT_EQ(stats.packages, 1u);
  EXPECT_GE(stats.incompatibilities, 2u);  // the root's, and its requirement on big

  GeneratedProvider hard;
  hard.count = 3;
  hard.others["lib"] = {Version(1, 0, 0)};
  hard.deps_of = [](std::uint64_t i) {
    // big 2 and 3 need lib ^2, which does not exist; big 1 needs lib ^1.
    return std::vector<Dependency>{{"lib", range(i >= 2 ? "^2" : "^1")}};
  };
  ResolveStats hard_stats;
  auto found = resolve(hard, request, &hard_stats);
  ASSERT_TRUE(std::holds_alternative<Solution>(found));
  EXPECT_EQ(std::get<Solution>(found).versions.at("big"), Version(1, 0, 0));
  EXPECT_EQ(hard_stats.packages, 2u);
  EXPECT_GE(hard_stats.decisions, 3u);  // the root, big 1.0.0, lib 1.0.0 at least
  EXPECT_GT(hard_stats.incompatibilities, stats.incompatibilities);
}

TEST(SolverLimits, HundredThousandVersionsOfOneNameResolveNewestFirst) {
  GeneratedProvider provider;
  provider.count = 100000;
  provider.deps_of = [](std::uint64_t) { return std::vector<Dependency>{}; };
  ResolveRequest request;
  request.requirements = {{"big", range(">=5.0.0,<70000.0.0")}};
  auto result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Solution>(result));
  EXPECT_EQ(std::get<Solution>(result).versions.at("big"), Version(69999, 0, 0));
}

TEST(SolverLimits, HundredThousandVersionsWithNoAdmissibleOneExplain) {
  GeneratedProvider provider;
  provider.count = 100000;
  provider.deps_of = [](std::uint64_t) { return std::vector<Dependency>{}; };
  ResolveRequest request;
  request.requirements = {{"big", range(">2 <1")}};
  auto result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Unsolvable>(result));
  EXPECT_EQ(std::get<Unsolvable>(result).explanation,
            "Because no versions of big match >2 <1 and the workspace depends on big >2 <1, "
            "version solving failed.");
}

// The newest 3,000 of big's 100,000 versions each depend on a different version of dep that does
// not exist: the solver must reject them one by one (no two share a dependency, so nothing merges)
// and settle on 97000.0.0, whose dependency is met. Every term over big covers 100,000 versions.
TEST(SolverLimits, HundredThousandVersionsRejectedOneByOne) {
  GeneratedProvider provider;
  provider.count = 100000;
  provider.others["dep"] = {Version(1, 0, 0)};
  provider.deps_of = [](std::uint64_t i) {
    if (i <= 97000) return std::vector<Dependency>{{"dep", Range::parse("^1").value()}};
    return std::vector<Dependency>{{"dep", Range::exactly(Version(i, 0, 0))}};
  };
  ResolveRequest request;
  request.requirements = {{"big", Range::any()}};
  auto result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Solution>(result));
  EXPECT_EQ(std::get<Solution>(result).versions.at("big"), Version(97000, 0, 0));
  EXPECT_EQ(std::get<Solution>(result).versions.at("dep"), Version(1, 0, 0));
}

TEST(SolverLimits, EmptyIndexExplainsTheMissingPackage) {
  GeneratedProvider provider;  // no packages at all
  provider.deps_of = [](std::uint64_t) { return std::vector<Dependency>{}; };
  ResolveRequest request;
  request.requirements = {{"Table", range("^1.2")}};
  auto result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Unsolvable>(result));
  EXPECT_EQ(std::get<Unsolvable>(result).explanation,
            "Because the workspace depends on Table ^1.2.0, which does not exist, version solving "
            "failed.");
  // No requirements at all: the empty solution.
  request.requirements.clear();
  result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Solution>(result));
  EXPECT_TRUE(std::get<Solution>(result).versions.empty());
}

}  // namespace
}  // namespace reel
