// Differential test: thousands of small random registries (seeded), each solved by the PubGrub
// solver and by brute-force enumeration. The solver must find a solution exactly when one exists,
// and its solution must satisfy every requirement with one version per package. Registries hold
// prereleases, yanked versions and locked versions; a yanked version satisfies a requirement only
// when the requirement pins exactly it or the lock names it.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "reel/resolver/solver.h"
#include "solver_types.h"

namespace reel {
namespace {

struct Registry : PackageProvider {
  // package -> version index -> dependencies (package, range)
  std::vector<std::vector<std::vector<Dependency>>> deps;
  std::vector<std::vector<Version>> known;
  std::vector<std::vector<bool>> yanked;
  std::vector<std::string> names;
  std::map<std::string, Version> locked;

  bool is_yanked(const std::string& name, const Version& v) const {
    for (std::size_t p = 0; p < names.size(); ++p) {
      if (names[p] != name) continue;
      for (std::size_t i = 0; i < known[p].size(); ++i) {
        if (known[p][i] == v) return yanked[p][i];
      }
    }
    return false;
  }
  // The rule the solver promises (solver.h): does requirement `d` admit `v`?
  bool admits(const Dependency& d, const Version& v) const {
    if (!d.range.contains(v)) return false;
    if (!is_yanked(d.name, v)) return true;
    auto pin = d.range.single_version();
    auto lock = locked.find(d.name);
    return (pin && *pin == v) || (lock != locked.end() && lock->second == v);
  }

  std::vector<VersionInfo> versions(const std::string& name) override {
    std::vector<VersionInfo> out;
    for (std::size_t p = 0; p < names.size(); ++p) {
      if (names[p] != name) continue;
      for (std::size_t i = 0; i < known[p].size(); ++i) out.push_back({known[p][i], yanked[p][i]});
    }
    return out;
  }
  std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                      const Version& v) override {
    for (std::size_t p = 0; p < names.size(); ++p) {
      if (names[p] != name) continue;
      for (std::size_t i = 0; i < known[p].size(); ++i) {
        if (known[p][i] == v) return deps[p][i];
      }
    }
    return std::nullopt;
  }
};

Range random_range(std::mt19937& rng) {
  static const char* kRanges[] = {"*",       ">=1.0.0",           "<2.0.0",       "^1.0.0",
                                  "==2.0.0", ">=2.0.0,<3.0.0",    "^3.0.0",       "!=1.0.0",
                                  ">=4.0.0", "<1.0.0 || >=3.0.0", ">=2.0.0-rc.1", "2.0.0-rc.1",
                                  "==3.0.0"};
  const int n = static_cast<int>(std::size(kRanges));
  return Range::parse(kRanges[std::uniform_int_distribution<int>(0, n - 1)(rng)]).value();
}

// Does `choice` (version index per package, -1 = absent) satisfy the root and every chosen
// dependency?
bool valid(const Registry& r, const std::vector<Dependency>& root,
           const std::map<std::string, Version>& chosen) {
  auto ok = [&](const Dependency& d) {
    auto it = chosen.find(d.name);
    return it != chosen.end() && r.admits(d, it->second);
  };
  for (const auto& d : root)
    if (!ok(d)) return false;
  for (std::size_t p = 0; p < r.names.size(); ++p) {
    auto it = chosen.find(r.names[p]);
    if (it == chosen.end()) continue;
    for (std::size_t i = 0; i < r.known[p].size(); ++i) {
      if (!(r.known[p][i] == it->second)) continue;
      for (const auto& d : r.deps[p][i])
        if (!ok(d)) return false;
    }
  }
  return true;
}

bool brute_force(const Registry& r, const std::vector<Dependency>& root) {
  std::vector<int> choice(r.names.size(), -1);
  for (;;) {
    std::map<std::string, Version> chosen;
    for (std::size_t p = 0; p < choice.size(); ++p) {
      if (choice[p] >= 0) chosen[r.names[p]] = r.known[p][static_cast<std::size_t>(choice[p])];
    }
    if (valid(r, root, chosen)) return true;
    std::size_t p = 0;
    while (p < choice.size() && ++choice[p] == static_cast<int>(r.known[p].size()))
      choice[p++] = -1;
    if (p == choice.size()) return false;
  }
}

void run_rounds() {
  std::mt19937 rng(20261124);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int solvable = 0;
  for (int round = 0; round < 3000; ++round) {
    Registry r;
    int packages = pick(2, 5);
    for (int p = 0; p < packages; ++p) {
      r.names.push_back("p" + std::to_string(p));
      r.known.emplace_back();
      r.deps.emplace_back();
      r.yanked.emplace_back();
      static const char* kVersions[] = {"1.0.0", "2.0.0-rc.1", "2.0.0", "3.0.0", "4.0.0"};
      for (const char* text : kVersions) {
        if (pick(0, 9) < 4) continue;
        r.known[static_cast<std::size_t>(p)].push_back(Version::parse(text).value());
        r.yanked[static_cast<std::size_t>(p)].push_back(pick(0, 9) == 0);
        if (pick(0, 19) == 0)
          r.locked[r.names.back()] = r.known[static_cast<std::size_t>(p)].back();
        std::vector<Dependency> ds;
        int k = pick(0, 2);
        for (int d = 0; d < k; ++d) {
          int target = pick(0, packages);  // == packages: a package that does not exist
          std::string name = target == packages ? "ghost" : "p" + std::to_string(target);
          if (target == p) continue;
          bool dup = false;
          for (const auto& x : ds) dup = dup || x.name == name;
          if (!dup) ds.push_back({name, random_range(rng)});
        }
        r.deps[static_cast<std::size_t>(p)].push_back(ds);
      }
    }
    std::vector<Dependency> root;
    for (int i = 0, n = pick(1, 3); i < n; ++i) {
      std::string name = "p" + std::to_string(pick(0, packages - 1));
      bool dup = false;
      for (const auto& x : root) dup = dup || x.name == name;
      if (!dup) root.push_back({name, random_range(rng)});
    }
    ResolveRequest request;
    request.requirements = root;
    request.preferred = r.locked;
    ResolveResult result = resolve(r, request);
    bool exists = brute_force(r, root);
    ASSERT_EQ(std::holds_alternative<Solution>(result), exists) << "round " << round;
    if (exists) {
      ++solvable;
      EXPECT_TRUE(valid(r, root, std::get<Solution>(result).versions)) << "round " << round;
    } else {
      EXPECT_FALSE(std::get<Unsolvable>(result).explanation.empty());
    }
  }
  EXPECT_GT(solvable, 300);  // the generator makes both kinds
  EXPECT_LT(solvable, 2700);
}

TEST(SolverDifferential, AgreesWithBruteForceOnRandomRegistries) { run_rounds(); }

// The same registries with every version set in the run-list form that packages with more than
// 64 versions use (brute force cannot enumerate such packages, so the form is forced instead).
TEST(SolverDifferential, AgreesWithBruteForceInTheRunListForm) {
  pubgrub::VersionSet::small_limit = 0;
  run_rounds();
  pubgrub::VersionSet::small_limit = 64;
}

}  // namespace
}  // namespace reel
