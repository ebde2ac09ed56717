// The libgit2 wrapper (git_repo.h) on real folders.
#include "git_repo.h"

#include <gtest/gtest.h>

#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;
constexpr auto write = testing::write_file;

TEST(GitRepo, PlainFolderIsNotARepoAndCountsAsDirty) {
  TempDir dir;
  write(dir.path() / "a.txt", "a");
  auto s = git::state(dir.path()).value();
  EXPECT_FALSE(s.is_repo);
  EXPECT_TRUE(s.dirty);
  EXPECT_EQ(s.head, "");
  EXPECT_TRUE(git::log(dir.path()).value().empty());
}

TEST(GitRepo, CommitAllThenStatusFollowsTheWorkTree) {
  TempDir dir;
  fs::path repo = dir.path() / "out";
  write(repo / "a.txt", "a");
  write(repo / "sub" / "b.txt", "b");
  write(repo / ".gitignore", "*.tmp\n");
  auto first = git::init_and_commit_all(repo, "first");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), 40u);
  auto s = git::state(repo).value();
  EXPECT_TRUE(s.is_repo);
  EXPECT_FALSE(s.dirty);
  EXPECT_EQ(s.head, *first);

  write(repo / "scratch.tmp", "ignored");  // ignored files do not make the tree dirty
  EXPECT_FALSE(git::state(repo).value().dirty);
  write(repo / "deep" / "new" / "c.txt", "c");  // an untracked file in an untracked folder does
  EXPECT_TRUE(git::state(repo).value().dirty);
  auto second = git::commit_all(repo, "second");
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  EXPECT_FALSE(git::state(repo).value().dirty);

  write(repo / "a.txt", "changed");  // a modified tracked file
  EXPECT_TRUE(git::state(repo).value().dirty);
  ASSERT_TRUE(git::commit_all(repo, "third"));
  fs::remove(repo / "sub" / "b.txt");  // a deletion is staged too (git add -A)
  EXPECT_TRUE(git::state(repo).value().dirty);
  ASSERT_TRUE(git::commit_all(repo, "fourth\n\nwith a body"));
  EXPECT_FALSE(git::state(repo).value().dirty);
  EXPECT_EQ(git::log(repo).value(),
            (std::vector<std::string>{"fourth", "third", "second", "first"}));
}

TEST(GitRepo, ParentRepositoryIsNotSearched) {
  TempDir dir;
  write(dir.path() / "top.txt", "top");
  ASSERT_TRUE(git::init_and_commit_all(dir.path(), "workspace under git"));
  fs::path child = dir.path() / "outputs" / "Table";
  write(child / "asset.toml", "x");
  auto s = git::state(child).value();
  EXPECT_FALSE(s.is_repo);
  EXPECT_TRUE(s.dirty);
  EXPECT_TRUE(git::log(child).value().empty());
}

TEST(GitRepo, AnExistingDotGitIsNeverOpenedOrFollowed) {
  // A `.git` file pointing at another repository (`gitdir:`), and a `.git` folder whose config
  // would run a command on `git status` (core.fsmonitor): reel's fresh repository refuses both
  // and leaves the other repository untouched.
  TempDir dir;
  fs::path elsewhere = dir.path() / "elsewhere";
  write(elsewhere / "x.txt", "x");
  ASSERT_TRUE(git::init_and_commit_all(elsewhere, "theirs"));
  const auto before = git::log(elsewhere).value();
  fs::path pointer = dir.path() / "pointer";
  write(pointer / "asset.toml", "x");
  write(pointer / ".git", "gitdir: " + (elsewhere / ".git").string() + "\n");
  auto r = git::init_and_commit_all(pointer, "reel edit");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists) << r.error().message;
  EXPECT_EQ(git::log(elsewhere).value(), before);

  fs::path hooked = dir.path() / "hooked";
  write(hooked / ".git" / "config", "[core]\n\tfsmonitor = touch " +
                                        (dir.path() / "ran").string() + "\n");
  auto h = git::init_and_commit_all(hooked, "reel edit");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(fs::exists(dir.path() / "ran"));
}

TEST(GitRepo, CommitFailureIsAnErrorNamingTheFolder) {
  TempDir dir;
  fs::path file = dir.path() / "not-a-folder";
  write(file, "x");
  auto r = git::init_and_commit_all(file, "nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIOError);
  EXPECT_NE(r.error().message.find(file.string()), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace reel
