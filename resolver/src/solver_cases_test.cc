// Runs every resolver/testdata/*.case file (libsolv's testcase style: an inline index, a request,
// the expected solution or the full expected explanation). Format, one statement a line:
//   package NAME VERSION[: DEP RANGE; DEP RANGE ...]   a published version and its dependencies
//   yanked NAME VERSION | locked NAME VERSION | upgrade NAME | upgrade-all
//   missing NAME VERSION                                listed, but its dependencies cannot be read
//   request NAME RANGE                                  a root requirement
//   expect NAME VERSION                                 one line per selected package
//   expect-error                                        the explanation follows, up to `end`
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "reel/resolver/solver.h"

namespace reel {
namespace {

struct MemoryProvider : PackageProvider {
  std::map<std::string, std::map<Version, std::vector<Dependency>>> packages;
  std::map<std::string, std::set<Version>> yanked;
  std::map<std::string, std::set<Version>> missing;
  std::vector<VersionInfo> versions(const std::string& name) override {
    std::vector<VersionInfo> out;
    auto it = packages.find(name);
    if (it == packages.end()) return out;
    for (const auto& [v, deps] : it->second) out.push_back({v, yanked[name].count(v) > 0});
    return out;
  }
  std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                      const Version& v) override {
    auto it = packages.find(name);
    if (it == packages.end()) return std::nullopt;
    auto jt = it->second.find(v);
    if (jt == it->second.end() || missing[name].count(v) > 0) return std::nullopt;
    return jt->second;
  }
};

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Dependency dependency(const std::string& text) {
  std::string t = trim(text);
  auto sp = t.find(' ');
  std::string name = t.substr(0, sp);
  std::string range = sp == std::string::npos ? "*" : trim(t.substr(sp + 1));
  auto r = Range::parse(range);
  EXPECT_TRUE(r) << text;
  return Dependency{name, r ? *r : Range::any()};
}

Version version(const std::string& text) {
  auto v = Version::parse(trim(text));
  EXPECT_TRUE(v) << text;
  return v ? *v : Version();
}

// Name -> version text, for readable comparisons of solutions.
std::map<std::string, std::string> version_texts(const std::map<std::string, Version>& versions) {
  std::map<std::string, std::string> out;
  for (const auto& [n, v] : versions) out[n] = v.to_string();
  return out;
}

class SolverCase : public ::testing::TestWithParam<std::string> {};

TEST_P(SolverCase, MatchesExpectation) {
  std::ifstream in(GetParam());
  ASSERT_TRUE(in) << GetParam();
  MemoryProvider provider;
  ResolveRequest request;
  std::map<std::string, Version> expected;
  std::optional<std::string> expected_error;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string verb;
    words >> verb;
    std::string rest;
    std::getline(words, rest);
    rest = trim(rest);
    if (verb == "package") {
      auto colon = rest.find(':');
      std::string head = rest.substr(0, colon);
      std::istringstream hw(head);
      std::string name, ver;
      hw >> name >> ver;
      auto& deps = provider.packages[name][version(ver)];
      if (colon != std::string::npos) {
        std::stringstream ds(rest.substr(colon + 1));
        std::string d;
        while (std::getline(ds, d, ';')) {
          if (!trim(d).empty()) deps.push_back(dependency(d));
        }
      }
    } else if (verb == "yanked" || verb == "locked" || verb == "missing") {
      std::istringstream w(rest);
      std::string name, ver;
      w >> name >> ver;
      if (verb == "yanked")
        provider.yanked[name].insert(version(ver));
      else if (verb == "missing")
        provider.missing[name].insert(version(ver));
      else
        request.preferred[name] = version(ver);
    } else if (verb == "upgrade") {
      request.upgrade.insert(rest);
    } else if (verb == "upgrade-all") {
      request.upgrade_all = true;
    } else if (verb == "request") {
      request.requirements.push_back(dependency(rest));
    } else if (verb == "expect") {
      std::istringstream w(rest);
      std::string name, ver;
      w >> name >> ver;
      expected[name] = version(ver);
    } else if (verb == "expect-error") {
      std::string text, l;
      while (std::getline(in, l) && l != "end") text += (text.empty() ? "" : "\n") + l;
      expected_error = text;
    } else {
      FAIL() << "unknown statement: " << line;
    }
  }
  ResolveResult result = resolve(provider, request);
  if (expected_error) {
    ASSERT_TRUE(std::holds_alternative<Unsolvable>(result)) << "expected no solution";
    EXPECT_EQ(std::get<Unsolvable>(result).explanation, *expected_error);
  } else {
    ASSERT_TRUE(std::holds_alternative<Solution>(result))
        << std::get<Unsolvable>(result).explanation;
    const auto& got = std::get<Solution>(result).versions;
    EXPECT_EQ(version_texts(got), version_texts(expected));
  }
}

std::vector<std::string> case_files() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(REEL_SOURCE_DIR "/resolver/testdata")) {
    if (e.path().extension() == ".case") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Data, SolverCase, ::testing::ValuesIn(case_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = std::filesystem::path(info.param).stem().string();
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// Names compared case-insensitively, as reel's RepoProvider does: packages are stored by their
// lower-case name, with their own spelling, and each dependency spells names its own way.
struct CaseInsensitiveProvider : MemoryProvider {
  std::map<std::string, std::string> spelling;  // lower name -> the package's own spelling
  std::vector<std::string> loaded;              // the names versions() was asked for
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  void add(const std::string& name, const std::string& v, std::vector<Dependency> deps = {}) {
    spelling[lower(name)] = name;
    packages[lower(name)][version(v)] = std::move(deps);
  }
  std::vector<VersionInfo> versions(const std::string& name) override {
    loaded.push_back(name);
    return MemoryProvider::versions(lower(name));
  }
  std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                      const Version& v) override {
    return MemoryProvider::dependencies(lower(name), v);
  }
  std::string package_key(const std::string& name) override { return lower(name); }
  std::string package_name(const std::string& name) override {
    auto it = spelling.find(lower(name));
    return it == spelling.end() ? name : it->second;
  }
};

TEST(SolverNames, SpellingsOfOneKeyAreOnePackageNamedAsItSpellsItself) {
  CaseInsensitiveProvider provider;
  provider.add("Leg", "1.0.0");
  provider.add("Leg", "1.5.0");
  provider.add("Leg", "2.0.0");
  provider.add("Table", "1.0.0", {dependency("LEG >=1.2")});
  provider.add("Chair", "1.0.0", {dependency("leg <2")});
  ResolveRequest request;
  request.requirements = {dependency("Table"), dependency("chair")};
  ResolveResult result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Solution>(result)) << std::get<Unsolvable>(result).explanation;
  const Solution& solution = std::get<Solution>(result);
  // One Leg satisfying both spellings' ranges, named as its index spells it.
  EXPECT_EQ(version_texts(solution.versions),
            (std::map<std::string, std::string>{
                {"Chair", "1.0.0"}, {"Leg", "1.5.0"}, {"Table", "1.0.0"}}));
  EXPECT_EQ(solution.dependencies.at("Table"), std::vector<std::string>{"Leg"});
  EXPECT_EQ(solution.dependencies.at("Chair"), std::vector<std::string>{"Leg"});
  // Leg's versions were read once, whichever spelling came first.
  EXPECT_EQ(std::count_if(
                provider.loaded.begin(), provider.loaded.end(),
                [](const std::string& n) { return CaseInsensitiveProvider::lower(n) == "leg"; }),
            1);
}

TEST(SolverNames, ConflictBetweenSpellingsIsExplainedAsOnePackage) {
  CaseInsensitiveProvider provider;
  provider.add("Leg", "1.0.0");
  provider.add("Leg", "2.0.0");
  provider.add("Table", "1.0.0", {dependency("LEG >=2")});
  provider.add("Chair", "1.0.0", {dependency("leg <2")});
  ResolveRequest request;
  request.requirements = {dependency("Table"), dependency("Chair")};
  ResolveResult result = resolve(provider, request);
  ASSERT_TRUE(std::holds_alternative<Unsolvable>(result));
  const std::string& text = std::get<Unsolvable>(result).explanation;
  EXPECT_NE(text.find("Table"), std::string::npos) << text;
  EXPECT_NE(text.find("Chair"), std::string::npos) << text;
  EXPECT_NE(text.find("Leg"), std::string::npos) << text;  // the loaded package's own spelling
  EXPECT_EQ(text.find("LEG"), std::string::npos) << text;
  EXPECT_EQ(text.find("leg"), std::string::npos) << text;
}

}  // namespace
}  // namespace reel
