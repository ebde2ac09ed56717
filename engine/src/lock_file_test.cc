#include "reel/engine/lock_file.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

TEST(LockFile, WritesDesignFormatInStableOrder) {
  LockFile lock;
  lock.requirements = {{"table", "==3.2.1"}, {"KitchenSet", ">=1.2"}, {"my.pkg", "*"}};
  lock.packages.push_back({"Table", Version(3, 2, 1), "blessed", sha256_bytes("t"), {}});
  lock.packages.push_back(
      {"KitchenSet", Version(1, 4, 0), "review", sha256_bytes("k"), {"Table", "chair"}});
  std::string expected =
      "version = 1\n\n[requirements]\nKitchenSet = \">=1.2\"\n\"my.pkg\" = \"*\"\n"
      "table = \"==3.2.1\"\n\n[[package]]\nname = \"KitchenSet\"\n"
      "version = \"1.4.0\"\nrepo = \"review\"\narchive = \"sha256:" +
      sha256_bytes("k").hex() +
      "\"\ndependencies = [\"chair\", \"Table\"]\n\n[[package]]\nname = \"Table\"\n"
      "version = \"3.2.1\"\nrepo = \"blessed\"\narchive = \"sha256:" +
      sha256_bytes("t").hex() + "\"\ndependencies = []\n";
  std::string text = serialize_lock_file(lock);
  EXPECT_EQ(text, expected);
  auto back = parse_lock_file(text, "reel.lock");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(serialize_lock_file(*back), text);
  ASSERT_EQ(back->packages.size(), 2u);
  EXPECT_EQ(back->packages[0].name, "KitchenSet");
  EXPECT_EQ(back->packages[0].repo, "review");
  EXPECT_EQ(back->packages[0].archive, sha256_bytes("k"));
  EXPECT_EQ(back->packages[0].dependencies, (std::vector<std::string>{"chair", "Table"}));
  EXPECT_EQ(back->requirements.front().first, "KitchenSet");
  ASSERT_NE(back->find("TABLE"), nullptr);
  EXPECT_EQ(back->find("TABLE")->version, Version(3, 2, 1));
  EXPECT_EQ(back->find("Chair"), nullptr);
}

TEST(LockFile, DiffSaysWhatChangedLikeUv) {
  LockFile before, after;
  before.packages.push_back({"Lamp", Version(2, 0, 0), "blessed", sha256_bytes("l"), {}});
  before.packages.push_back({"Table", Version(0, 2, 0), "blessed", sha256_bytes("t2"), {}});
  before.packages.push_back({"Vase", Version(1, 0, 0), "blessed", sha256_bytes("v"), {}});
  before.packages.push_back({"Wall", Version(1, 0, 0), "blessed", sha256_bytes("w"), {}});
  after.packages.push_back({"Chair", Version(1, 2, 4), "blessed", sha256_bytes("c"), {}});
  after.packages.push_back({"TABLE", Version(0, 3, 0), "blessed", sha256_bytes("t3"), {}});
  after.packages.push_back({"Vase", Version(1, 0, 0), "blessed", sha256_bytes("v"), {}});
  after.packages.push_back({"Wall", Version(1, 0, 0), "review", sha256_bytes("w2"), {}});
  std::vector<std::string> lines;
  for (const auto& c : diff_locks(&before, after)) lines.push_back(describe(c));
  EXPECT_EQ(lines, (std::vector<std::string>{"Added Chair 1.2.4", "Removed Lamp 2.0.0",
                                             "Updated TABLE 0.2.0 -> 0.3.0",
                                             "Updated Wall 1.0.0 (another archive)"}));
  EXPECT_TRUE(diff_locks(&after, after).empty());
  auto fresh = diff_locks(nullptr, after);
  ASSERT_EQ(fresh.size(), 4u);
  EXPECT_EQ(describe(fresh[0]), "Added Chair 1.2.4");
}

TEST(LockFile, TheFastPathReadsWhatTheWriterWroteAsToml11Does) {
  LockFile lock;
  lock.requirements = {{"my.pkg", "*"}, {"Kitchen-Set", ">=1.2, <2"}};
  lock.packages.push_back({"Table", Version(3, 2, 1), "blessed", sha256_bytes("t"), {}});
  lock.packages.push_back({"Kitchen-Set",
                           *Version::parse("1.4.0-rc.1+b5"),
                           "review",
                           sha256_bytes("k"),
                           {"Table", "chair_2"}});
  const std::string text = serialize_lock_file(lock);
  // The same text with a comment is no longer the writer's shape: toml11 reads it.
  for (const std::string& t : {text, "# hand-edited\n" + text, text + "\n"}) {
    auto back = parse_lock_file(t, "reel.lock");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(serialize_lock_file(*back), text);
    EXPECT_EQ(back->packages[0].version.to_string(), "1.4.0-rc.1+b5");
  }
  // A bare dotted key is a table to TOML: never taken by the fast path as a name.
  std::string dotted = text;
  dotted.replace(dotted.find("\"my.pkg\""), 8, "my.pkg");
  EXPECT_FALSE(parse_lock_file(dotted, "reel.lock"));
}

TEST(LockFile, ReadsHandWrittenLocksInAnyOrder) {
  std::string k = sha256_bytes("k").hex();
  auto lock = parse_lock_file(
      "# comment\nversion = 1\n[[package]]\nname = \"Zed\"\nversion = \"1.0.0\"\n"
      "repo = \"b\"\narchive = \"sha256:" +
          k +
          "\"\n[[package]]\nname = \"Alpha\"\n"
          "version = \"2.0.0-rc.1\"\nrepo = \"b\"\narchive = \"sha256:" +
          k + "\"\ndependencies = [\"Zed\"]\n",
      "reel.lock");
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->requirements.empty());
  ASSERT_EQ(lock->packages.size(), 2u);
  EXPECT_EQ(lock->packages[0].name, "Alpha");
  EXPECT_EQ(lock->packages[0].version.to_string(), "2.0.0-rc.1");
  EXPECT_TRUE(lock->packages[1].dependencies.empty());
}

TEST(LockFile, ErrorsNameFileAndField) {
  std::string k = sha256_bytes("k").hex();
  std::string pkg = "[[package]]\nname = \"Table\"\nversion = \"1.0.0\"\nrepo = \"b\"\n";
  struct Case {
    std::string text;
    std::vector<std::string> needles;
  };
  std::vector<Case> cases = {
      {"[requirements]\n", {"reel.lock", "version: expected 1"}},
      {"version = 2\n", {"version: expected 1"}},
      {"version = 1\n" + pkg + "archive = \"md5:x\"\n",
       {"reel.lock:", "[[package]] Table archive"}},
      {"version = 1\n" + pkg, {"[[package]] Table archive", "expected a string"}},
      {"version = 1\n[[package]]\nname = \"Table\"\nversion = \"1.0\"\n",
       {"[[package]] Table version", "1.0"}},
      {"version = 1\n[[package]]\nversion = \"1.0.0\"\n", {"[[package]] #1 name"}},
      {"version = 1\n[[package]]\nname = \"a b\"\n",
       {"[[package]] #1 name", "invalid package name"}},
      {"version = 1\n" + pkg + "archive = \"sha256:" + k + "\"\ndependencies = \"Leg\"\n",
       {"[[package]] Table dependencies"}},
      {"version = 1\n" + pkg + "archive = \"sha256:" + k + "\"\n" + pkg +
           "archive = \"sha256:" + k + "\"\n",
       {"Table is listed twice"}},
      {"version = 1\n[requirements]\nTable = 3\n", {"reel.lock:3", "[requirements] Table"}},
      {"version = 1\npackages = []\n", {"packages", "unknown key"}},
      {"version = 1\n[[package]\n", {"reel.lock:2: invalid TOML"}},
      {"version = 1\n\"\xe1\x27\"\n", {"reel.lock:2", "invalid UTF-8"}},
  };
  for (const auto& c : cases) {
    auto r = parse_lock_file(c.text, "reel.lock");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    for (const auto& needle : c.needles) {
      EXPECT_NE(r.error().message.find(needle), std::string::npos)
          << "wanted '" << needle << "' in: " << r.error().message;
    }
  }
}

}  // namespace
}  // namespace reel
