// The path rules (path_rules.h), driven by one table of good and bad paths, and listings.
#include "reel/storage/path_rules.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

struct PathCase {
  std::string path;
  const char* problem;  // a substring of the reason, or nullptr for a good path
};

const std::vector<PathCase>& path_table() {
  static const std::vector<PathCase> cases = {
      {"model.obj", nullptr},
      {"frames/shot.0001.exr", nullptr},
      {"a/b/c/d.txt", nullptr},
      {"..frames", nullptr},
      {"dir.git/x", nullptr},
      {".gitignore", nullptr},
      {".gitattributes", nullptr},
      {"git", nullptr},
      {".reelrc", nullptr},
      {"caf\xc3\xa9.png", nullptr},  // café
      {"notes:1.txt", nullptr},
      {std::string(255, 'a'), nullptr},
      {"", "is empty"},
      {"/etc/passwd", "is absolute"},
      {"a//b", "empty component"},
      {"a/", "empty component"},
      {"./a", "'.' component"},
      {"a/./b", "'.' component"},
      {"..", "'..' component"},
      {"a/../../b", "'..' component"},
      {".git", ".git"},
      {".git/config", ".git"},
      {"sub/.git/config", ".git"},
      {".Git/config", ".Git"},
      {".GIT", ".GIT"},
      {".git.", ".git."},
      {".git  ", ".git"},
      {".git::$INDEX_ALLOCATION/config", ".git"},
      {"GIT~1/config", "GIT~1"},
      {".g\xe2\x80\x8cit/config", "never packaged"},  // U+200C inside: HFS+ ignores it
      {"\xef\xbb\xbf.git/config", "never packaged"},  // U+FEFF before it
      {".reel/state", ".reel"},
      {"x/.REEL", ".REEL"},
      {std::string("a\0b", 3), "control character"},
      {"a\nb", "control character"},
      {"a\x7f", "control character"},
      {"a\\..\\b", "backslash"},
      {"\xff\xfe", "not valid UTF-8"},
      {"\xc0\xaf", "not valid UTF-8"},  // an overlong '/'
      {"\xed\xa0\x80", "not valid UTF-8"},  // a surrogate
      {std::string(256, 'a'), "longer than 255"},
      {std::string(4097, 'a'), "longer than 4096"},
  };
  return cases;
}

TEST(PathRules, EveryPathOfTheTable) {
  for (const auto& c : path_table()) {
    auto problem = path_problem(c.path);
    if (c.problem == nullptr) {
      EXPECT_FALSE(problem) << "'" << c.path << "' was refused: " << problem.value_or("");
    } else {
      ASSERT_TRUE(problem) << "'" << c.path << "' was accepted";
      EXPECT_NE(problem->find(c.problem), std::string::npos)
          << "'" << c.path << "': " << *problem << " (expected '" << c.problem << "')";
    }
  }
}

TEST(PathRules, ReservedComponentsInEverySpellingAFileSystemMerges) {
  for (const char* c : {".git", ".GIT", ".gIt", ".git.", ".git ..", ".git:stream", "git~1",
                        "GIT~1", ".reel", ".ReEl", "reel~1", ".r\xe2\x80\x8d" "eel"}) {
    EXPECT_TRUE(is_reserved_component(c)) << c;
  }
  for (const char* c : {"git", ".gitignore", "x.git", ".git~1", ".gits", "reel", ".reels",
                        ".g\xc3\xaft"}) {
    EXPECT_FALSE(is_reserved_component(c)) << c;
  }
}

TEST(PathRules, SymlinkTargetsMayClimbButNotBeAbsoluteOrHoldNul) {
  EXPECT_FALSE(symlink_target_problem("../shared/tex.png"));
  EXPECT_FALSE(symlink_target_problem("./a"));
  EXPECT_FALSE(symlink_target_problem("dir/"));
  EXPECT_TRUE(symlink_target_problem(""));
  EXPECT_TRUE(symlink_target_problem("/etc/passwd"));
  EXPECT_TRUE(symlink_target_problem(std::string("ok\0/../../etc", 13)));
  EXPECT_TRUE(symlink_target_problem("a//b"));
  EXPECT_TRUE(symlink_target_problem(".git/config"));
  EXPECT_TRUE(symlink_target_problem("../.GIT/hooks/post-commit"));
}

struct TreeCase {
  const char* name;
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  const char* problem;  // substring, or nullptr
};

std::optional<std::string> check(const TreeCase& c) {
  std::vector<TreeEntry> entries;
  for (const auto& [path, target] : c.entries) {
    TreeEntry e{path, std::nullopt};
    if (target) e.symlink = std::string_view(*target);
    entries.push_back(e);
  }
  return tree_problem(entries);
}

// P: a folder 20 levels deep, as an attacker builds it so that "../.." stays inside as text.
std::string deep() {
  std::string p;
  for (int i = 0; i < 20; ++i) p += (p.empty() ? "" : "/") + std::string("d") + std::to_string(i);
  return p;
}

TEST(PathRules, EveryListingOfTheTable) {
  const std::string P = deep();
  std::string to_root;  // as many ".." as P is deep: "P/s -> to_root" names the root
  for (int i = 0; i < 20; ++i) to_root += i ? "/.." : "..";
  std::string up;  // as many ".." as P is deep, then three more
  for (int i = 0; i < 23; ++i) up += "../";
  const std::vector<TreeCase> cases = {
      {"plain files", {{"a", {}}, {"b/c", {}}, {"b/d", {}}}, nullptr},
      {"a link to a sibling", {{"tex/a.png", {}}, {"link.png", "tex/a.png"}}, nullptr},
      {"a link up and down", {{"a/b/x", {}}, {"a/c/l", "../b/x"}}, nullptr},
      {"a link to a folder", {{"a/b/x", {}}, {"l", "a/b"}}, nullptr},
      {"a link to a missing path inside", {{"a/l", "../nothing/here"}}, nullptr},
      {"a link through a link, inside", {{"a/x", {}}, {"s", "a"}, {"t", "s/x"}}, nullptr},
      {"a link to the root", {{"a/l", ".."}}, nullptr},
      {"a link above the root", {{"l", "../x"}}, "leaves the asset"},
      {"a link far above", {{"a/l", "../../../etc/passwd"}}, "leaves the asset"},
      {"links that escape only when followed (issue 10)",
       {{P + "/s", to_root}, {P + "/u", "s/../../../etc/passwd"}, {"passwd", P + "/u"}},
       "leaves the asset"},
      {"a chain through a folder symlink",
       {{"a/b/c", {}}, {"up", "a/b/../.."}, {"x", "up/../etc"}},
       "leaves the asset"},
      {"a link into a folder link that climbs", {{"d/s", "../.."}, {"e", "d/s/x"}}, "leaves the asset"},
      {"a cycle", {{"a", "b"}, {"b", "a"}}, "too many levels"},
      {"a link through a file", {{"f", {}}, {"l", "f/../x"}}, "passes through the file"},
      {"a link that relies on case", {{"s", "a"}, {"a/x", {}}, {"l", "S/x"}}, "only when case"},
      {"case-only duplicate files", {{"Table.obj", {}}, {"table.obj", {}}}, "differ only in case"},
      {"case-only duplicate folders", {{"Tex/a", {}}, {"tex/b", {}}}, "differ only in case"},
      {"a file and a folder", {{"a", {}}, {"a/b", {}}}, "a file and a folder"},
      {"a folder and a file", {{"a/b", {}}, {"a", {}}}, "a file and a folder"},
      {"a file below a symlink", {{"l", "d"}, {"l/x", {}}, {"d/y", {}}}, "below the symlink"},
      {"listed twice", {{"a", {}}, {"a", {}}}, "listed twice"},
      {"a bad path", {{"ok", {}}, {".git/config", {}}}, ".git"},
      {"a bad target", {{"l", "/etc/passwd"}}, "absolute"},
      {"a target with NUL", {{"l", std::string("a\0b", 3)}}, "control character"},
      {"a long climb inside deep folders", {{P + "/l", up + "x"}}, "leaves the asset"},
  };
  for (const auto& c : cases) {
    auto problem = check(c);
    if (c.problem == nullptr) {
      EXPECT_FALSE(problem) << c.name << ": refused: " << problem.value_or("");
    } else {
      ASSERT_TRUE(problem) << c.name << ": accepted";
      EXPECT_NE(problem->find(c.problem), std::string::npos)
          << c.name << ": " << *problem << " (expected '" << c.problem << "')";
    }
  }
}

TEST(PathRules, ALongChainOfLinksStaysBounded) {
  // 2,000 links each pointing at the next: refused after kMaxSymlinkHops, not walked 2,000^2.
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  for (int i = 0; i < 2000; ++i)
    entries.emplace_back("l" + std::to_string(i), "l" + std::to_string(i + 1));
  entries.emplace_back("l2000", std::nullopt);
  auto problem = check(TreeCase{"chain", entries, nullptr});
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("too many levels"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace reel
