#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "reel/storage/testing.h"
#include "reel/engine/index.h"
#include "reel/engine/lock_file.h"
#include "reel/engine/manifest.h"
#include "reel/engine/names.h"
#include "reel/engine/package.h"
#include "reel/engine/provider.h"
#include "reel/engine/repo.h"

namespace reel {
namespace {

using testing::FixedClock;
using testing::TempDir;
constexpr auto write = testing::write_file;

TEST(Manifest, ParsesDesignExample) {
  auto m = parse_manifest(R"([asset]
name = "KitchenSet"
version = "1.4.0"
type = "set"
tags = ["kitchen"]
[dependencies]
Table = "==3.2.1"
Chair = ">=1.2.3,<2.0"
Lamp = "*"
[dependency-groups]
build = { Lighting = "^2" }
[files]
exclude = ["**/*.tmp"]
[env]
KITCHENSET_ROOT = "{root}"
[metadata]
fps = 24
)", "asset.toml");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->name, "KitchenSet");
  ASSERT_EQ(m->dependencies.size(), 3u);
  EXPECT_EQ(m->dependencies[0].name, "Chair");  // sorted case-insensitively
  EXPECT_EQ(dependency_kind(m->dependencies[2].range), DependencyKind::kConcrete);
  EXPECT_EQ(dependency_kind(m->dependencies[1].range), DependencyKind::kAbstract);
  EXPECT_EQ(m->groups.at("build")[0].name, "Lighting");
  EXPECT_EQ(m->metadata_json, "{\"fps\":24}");
  auto again = parse_manifest(serialize_manifest(*m), "again.toml");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(serialize_manifest(*again), serialize_manifest(*m));
}

TEST(Manifest, ErrorsNameFileAndField) {
  struct Case { const char* text; const char* needle; };
  for (auto c : {Case{"[asset]\nname = \"T\"\nversion = \"1.0.0\"\n[dependencies]\nLeg = \">=1..2\"\n", "[dependencies] Leg"},
                 Case{"[asset]\nname = \"T\"\nversion = \"1.2\"\n", "[asset] version"},
                 Case{"[asset]\nname = \"-bad\"\nversion = \"1.0.0\"\n", "[asset] name"},
                 Case{"[asset]\nname = \"T\"\nversion = \"1.0.0\"\n[dependnecies]\n", "[dependnecies]"},
                 Case{"[asset]\nname = = \n", "asset.toml"},
                 Case{"\n'\xe1'\xe1\x01", "asset.toml:2"},
                 Case{"[asset]\nname = \"T\x01\"\n", "control character"}}) {
    auto m = parse_manifest(c.text, "asset.toml");
    ASSERT_FALSE(m) << c.text;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(m.error().message.find(c.needle), std::string::npos) << m.error().message;
  }
}

TEST(Index, ErrorsNameTheField) {
  auto bad = parse_index(R"({"format": 1, "name": "Table", "versions": [{"version": "1.0.0", "archive": {"path": "p", "sha256": "zz", "size": 1}}]})", "index/table.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("versions[0].archive.sha256"), std::string::npos) << bad.error().message;
  auto garbage = parse_index("{not json", "index/table.json");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("index/table.json"), std::string::npos);
}

TEST(LockFile, RoundTripIsStable) {
  LockFile lock;
  lock.requirements = {{"KitchenSet", ">=1.2"}};
  lock.packages.push_back({"Table", Version(3, 2, 1), "blessed", sha256_bytes("t"), {}});
  lock.packages.push_back({"KitchenSet", Version(1, 4, 0), "blessed", sha256_bytes("k"), {"Table", "Chair"}});
  std::string text = serialize_lock_file(lock);
  auto back = parse_lock_file(text, "reel.lock");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(serialize_lock_file(*back), text);
  EXPECT_EQ(back->packages[0].name, "KitchenSet");
  EXPECT_EQ(back->find("table")->version, Version(3, 2, 1));
  auto bad = parse_lock_file("version = 1\n[[package]]\nname = \"T\"\nversion = \"1.0.0\"\nrepo = \"b\"\narchive = \"md5:x\"\n", "reel.lock");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("archive"), std::string::npos);
}

TEST(Glob, Matches) {
  EXPECT_TRUE(glob_match("**", "a/b/c.png"));
  EXPECT_TRUE(glob_match("**/*.tmp", "x.tmp"));
  EXPECT_TRUE(glob_match("**/*.tmp", "a/b/x.tmp"));
  EXPECT_FALSE(glob_match("*.tmp", "a/x.tmp"));
  EXPECT_TRUE(glob_match("tex/?.png", "tex/a.png"));
  EXPECT_FALSE(glob_match("tex/*.png", "tex/a.jpg"));
}

struct RepoFixture : ::testing::Test {
  TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  ObjectStore cache{*fs, dir.path() / "cache"};
  FixedClock clock;

  fs::path asset(const std::string& name, const std::string& version, const std::string& payload,
                 const std::string& deps = "") {
    fs::path root = dir.path() / "src" / (name + "-" + version + "-" + std::to_string(counter_++));
    write(root / "asset.toml", "[asset]\nname = \"" + name + "\"\nversion = \"" + version +
                                   "\"\n[dependencies]\n" + deps);
    write(root / "mesh" / "model.obj", payload);
    write(root / "notes.tmp", "scratch");
    write(root / ".git" / "HEAD", "ref");
    return root;
  }
  Status publish(Repo& repo, const fs::path& root) {
    auto built = build_package(*fs, cache, root);
    if (!built) return tl::unexpected(built.error());
    return repo.publish(*built, cache, make_index_entry(*built, SourceInfo{}, clock));
  }
  int counter_ = 0;
};

TEST_F(RepoFixture, PublishReadBackAndImmutability) {
  ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "repo", "blessed"));
  auto repo = open_repo(*fs, (dir.path() / "repo").string()).value();
  fs::path a = asset("Table", "1.0.0", "v 0 0 0\n");
  write(a / "asset.toml", "[asset]\nname = \"Table\"\nversion = \"1.0.0\"\n[files]\nexclude = [\"**/*.tmp\"]\n");
  ASSERT_TRUE(publish(*repo, a));
  auto index = repo->read_index("table").value();
  ASSERT_TRUE(index);
  ASSERT_EQ(index->versions.size(), 1u);
  const IndexEntry& e = index->versions[0];
  EXPECT_EQ(e.file_count, 1u);  // .git, asset.toml and *.tmp are not content
  auto bytes = repo->read_archive(e.archive).value();
  auto pkg = read_package(bytes, "archive").value();
  ASSERT_EQ(pkg.files.size(), 1u);
  EXPECT_EQ(pkg.files[0].path, "mesh/model.obj");
  // Same content again: a no-op. Different content, same version: refused, index unchanged.
  ASSERT_TRUE(publish(*repo, a));
  std::string before = fs->read_file(dir.path() / "repo" / "index" / "table.json").value();
  auto conflict = publish(*repo, asset("Table", "1.0.0", "v 1 1 1\n"));
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(fs->read_file(dir.path() / "repo" / "index" / "table.json").value(), before);
}

TEST_F(RepoFixture, PublishWithMissingObjectLeavesIndexUnchanged) {
  ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "repo", "blessed"));
  auto repo = open_repo(*fs, (dir.path() / "repo").string()).value();
  auto built = build_package(*fs, cache, asset("Chair", "1.0.0", "chair")).value();
  ASSERT_TRUE(fs->remove_all(dir.path() / "cache"));
  auto st = repo->publish(built, cache, make_index_entry(built, SourceInfo{}, clock));
  ASSERT_FALSE(st);
  EXPECT_FALSE(repo->read_index("Chair").value());
}

TEST_F(RepoFixture, CorruptRepoObjectIsRefused) {
  ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "repo", "blessed"));
  auto repo = open_repo(*fs, (dir.path() / "repo").string()).value();
  ASSERT_TRUE(publish(*repo, asset("Lamp", "1.0.0", "lamp bytes")));
  Digest d = sha256_bytes("lamp bytes");
  fs::path obj = dir.path() / "repo" / "objects" / "sha256" / d.hex().substr(0, 2) / d.hex().substr(2);
  chmod(obj.c_str(), 0644);
  write(obj, "LAMP bytes");
  ObjectStore other(*fs, dir.path() / "other");
  auto st = repo->fetch_object(d, other);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  EXPECT_FALSE(other.contains(d).value());
}

TEST_F(RepoFixture, PromoteAndFirstRepoWins) {
  ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "review", "review"));
  ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "blessed", "blessed"));
  auto review = open_repo(*fs, (dir.path() / "review").string()).value();
  auto blessed = open_repo(*fs, (dir.path() / "blessed").string()).value();
  ASSERT_TRUE(publish(*review, asset("Table", "2.0.0", "t2")));
  ASSERT_TRUE(publish(*blessed, asset("Table", "1.0.0", "t1")));
  ObjectStore staging(*fs, dir.path() / "staging");
  ASSERT_TRUE(promote(*review, *blessed, "Table", Version(2, 0, 0), staging));
  EXPECT_EQ(blessed->read_index("Table").value()->versions.size(), 2u);
  RepoProvider provider({{"review", review.get()}, {"blessed", blessed.get()}});
  ASSERT_TRUE(publish(*review, asset("Chair", "1.0.0", "c", "TABLE = \"*\"\n")));
  EXPECT_EQ(provider.versions("table").size(), 1u);  // review has Table: blessed's are not mixed in
  EXPECT_EQ(provider.repo_of("Table")->first, "review");
  auto deps = provider.dependencies("Chair", Version(1, 0, 0)).value();
  EXPECT_EQ(deps[0].name, "Table");  // canonical spelling
  EXPECT_FALSE(open_repo(*fs, (dir.path() / "nope").string()));
}

TEST(Names, Rules) {
  EXPECT_TRUE(check_package_name("KitchenSet"));
  EXPECT_TRUE(check_package_name("stk-lib_a.1"));
  EXPECT_FALSE(check_package_name("-x"));
  EXPECT_FALSE(check_package_name("a/b"));
  EXPECT_FALSE(check_package_name(std::string(65, 'a')));
  EXPECT_EQ(lower_name("KitchenSet"), "kitchenset");
}

}  // namespace
}  // namespace reel
