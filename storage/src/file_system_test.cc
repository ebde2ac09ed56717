#include "reel/storage/file_system.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "reel/storage/error.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;

// Names of the temp files (".tmp-...") directly in `dir`.
std::vector<std::string> temps_in(FileSystem& fs, const fs::path& dir) {
  std::vector<std::string> out;
  auto entries = fs.list_dir(dir).value();
  for (const auto& e : entries) {
    if (e.name.rfind(".tmp-", 0) == 0) out.push_back(e.name);
  }
  return out;
}

TEST(Error, NamesAndContext) {
  EXPECT_EQ(error_code_name(ErrorCode::kNotFound), "not found");
  EXPECT_EQ(error_code_name(ErrorCode::kNoSpace), "no space");
  Error e{ErrorCode::kCorruption, "bad bytes"};
  Error c = e.with_context("reading index/table.json");
  EXPECT_EQ(c.code, ErrorCode::kCorruption);
  EXPECT_EQ(c.message, "reading index/table.json: bad bytes");
  EXPECT_EQ(e.message, "bad bytes");
}

TEST(Error, ErrnoMapping) {
  Error e = errno_error(ENOENT, "open /a/b");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.message, "open /a/b: No such file or directory");
  EXPECT_EQ(errno_error(ENOSPC, "write x").code, ErrorCode::kNoSpace);
  EXPECT_EQ(errno_error(EDQUOT, "write x").code, ErrorCode::kNoSpace);
  EXPECT_EQ(errno_error(EEXIST, "link x").code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(errno_error(EXDEV, "link x").code, ErrorCode::kUnsupported);
  EXPECT_EQ(errno_error(EACCES, "open x").code, ErrorCode::kIOError);
}

TEST(FileSystem, AtomicWriteReplacesAndLeavesNoTemp) {
  TempDir dir;
  auto fs = make_real_file_system();
  fs::path p = dir.path() / "f.txt";
  ASSERT_TRUE(fs->write_file_atomic(p, "one", true));
  ASSERT_TRUE(fs->write_file_atomic(p, "two!", false));
  EXPECT_EQ(fs->read_file(p).value(), "two!");
  EXPECT_TRUE(temps_in(*fs, dir.path()).empty());
  auto missing_dir = fs->write_file_atomic(dir.path() / "no" / "f", "x", false);
  ASSERT_FALSE(missing_dir);
  EXPECT_EQ(missing_dir.error().code, ErrorCode::kNotFound);
}

TEST(FileSystem, TempFileIsRemovedUnlessCommitted) {
  TempDir dir;
  auto fs = make_real_file_system();
  fs::path kept;
  {
    auto out = fs->create_temp(dir.path()).value();
    kept = out->temp_path();
    EXPECT_EQ(kept.parent_path(), dir.path());
    EXPECT_EQ(kept.filename().string().rfind(".tmp-" + std::to_string(getpid()) + "-", 0), 0u);
    ASSERT_TRUE(out->write("partial"));
    EXPECT_EQ(fs->stat(kept).value().type, FileType::kRegular);
  }  // destroyed without commit
  EXPECT_EQ(fs->stat(kept).value().type, FileType::kMissing);
  auto out = fs->create_temp(dir.path()).value();
  ASSERT_TRUE(out->write("x"));
  out->abort();
  EXPECT_TRUE(temps_in(*fs, dir.path()).empty());
}

TEST(FileSystem, ListDirSortedWithTypes) {
  TempDir dir;
  auto fs = make_real_file_system();
  for (const char* name : {"c", "a", "B", "b"}) testing::write_file(dir.path() / name, name);
  ASSERT_TRUE(fs->create_directories(dir.path() / "sub" / "deep"));
  ASSERT_TRUE(fs->symlink("a", dir.path() / "link"));
  auto entries = fs->list_dir(dir.path()).value();
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"B", "a", "b", "c", "link", "sub"}));
  EXPECT_EQ(entries[1].type, FileType::kRegular);
  EXPECT_EQ(entries[4].type, FileType::kSymlink);
  EXPECT_EQ(entries[5].type, FileType::kDirectory);
  EXPECT_EQ(fs->read_symlink(dir.path() / "link").value(), fs::path("a"));
  EXPECT_EQ(fs->list_dir(dir.path() / "nope").error().code, ErrorCode::kNotFound);
}

TEST(FileSystem, RemoveAllReadOnlyTree) {
  TempDir dir;
  auto fs = make_real_file_system();
  fs::path t = dir.path() / "t";
  testing::write_file(t / "sub" / "deep" / "f", "x");
  testing::write_file(t / "g", "y");
  ASSERT_TRUE(fs->set_mode(t / "sub" / "deep" / "f", 0444));
  ASSERT_TRUE(fs->set_mode(t / "sub" / "deep", 0555));
  ASSERT_TRUE(fs->set_mode(t / "sub", 0500));
  ASSERT_TRUE(fs->remove_all(t));
  EXPECT_EQ(fs->stat(t).value().type, FileType::kMissing);
  EXPECT_TRUE(fs->remove_all(t));  // missing is fine
  EXPECT_TRUE(fs->remove(t));
}

TEST(FileSystem, ReadMissingNamesThePath) {
  TempDir dir;
  auto fs = make_real_file_system();
  auto missing = fs->read_file(dir.path() / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message,
            "open " + (dir.path() / "nope").string() + ": No such file or directory");
  EXPECT_EQ(fs->stat(dir.path() / "nope").value().type, FileType::kMissing);
}

TEST(FileSystem, HardLinkAndCopy) {
  TempDir dir;
  auto fs = make_real_file_system();
  std::string big(3 * 1024 * 1024 + 5, 'q');
  big[12345] = 'z';
  testing::write_file(dir.path() / "src", big);
  ASSERT_TRUE(fs->hard_link(dir.path() / "src", dir.path() / "link"));
  EXPECT_EQ(fs->stat(dir.path() / "link").value().nlink, 2u);
  EXPECT_EQ(fs->hard_link(dir.path() / "src", dir.path() / "link").error().code,
            ErrorCode::kAlreadyExists);
  testing::write_file(dir.path() / "copy", "old contents");
  ASSERT_TRUE(fs->copy_file(dir.path() / "src", dir.path() / "copy"));
  EXPECT_EQ(fs->read_file(dir.path() / "copy").value(), big);
  EXPECT_NE(fs->stat(dir.path() / "copy").value().inode,
            fs->stat(dir.path() / "src").value().inode);
  EXPECT_EQ(fs->copy_file(dir.path() / "nope", dir.path() / "c2").error().code,
            ErrorCode::kNotFound);
  EXPECT_TRUE(temps_in(*fs, dir.path()).empty());
}

TEST(FileSystem, CloneIsUnsupportedOrExactAndLeavesNothingBehind) {
  TempDir dir;
  auto fs = make_real_file_system();
  testing::write_file(dir.path() / "src", "clone me");
  auto cloned = fs->clone_file(dir.path() / "src", dir.path() / "dst");
  if (cloned) {  // btrfs, XFS
    EXPECT_EQ(fs->read_file(dir.path() / "dst").value(), "clone me");
  } else {  // ext4, tmpfs
    EXPECT_EQ(cloned.error().code, ErrorCode::kUnsupported) << cloned.error().message;
    EXPECT_EQ(fs->stat(dir.path() / "dst").value().type, FileType::kMissing);
  }
  EXPECT_TRUE(temps_in(*fs, dir.path()).empty());
}

TEST(FileSystem, LockExcludesASecondLocker) {
  TempDir dir;
  auto fs = make_real_file_system();
  fs::path lock_path = dir.path() / "locks" / "repo.lock";
  ASSERT_TRUE(fs->create_directories(lock_path.parent_path()));
  auto first = fs->lock_exclusive(lock_path).value();
  // flock(2) locks belong to open file descriptions, so a second open in this process blocks.
  auto second = std::async(std::launch::async, [&] { return fs->lock_exclusive(lock_path); });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  first.reset();
  ASSERT_EQ(second.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(second.get());
}

// 4 threads take `lock` 200 times each, doing some work (stats of `dir`) while holding it:
// every round completes and no two holders overlap.
template <typename Lock>
void expect_exclusive(FileSystem& fs, const fs::path& dir, Lock lock, const char* overlap) {
  std::atomic<int> inside{0}, most{0}, rounds{0};
  auto worker = [&] {
    for (int i = 0; i < 200; ++i) {
      auto held = lock();
      ASSERT_TRUE(held) << held.error().message;
      const int now = ++inside;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      ++rounds;
      // Some work while holding it, so that a second holder would be caught here.
      for (int k = 0; k < 20; ++k) (void)fs.stat(dir);
      std::this_thread::yield();
      --inside;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  EXPECT_EQ(rounds.load(), 800);
  EXPECT_EQ(most.load(), 1) << overlap;
}

// A transient lock's file goes when it is released; holders never overlap, although every
// release unlinks the file others are waiting on (they notice and lock the new one).
TEST(FileSystem, TransientLockIsRemovedAfterUseAndStillExcludes) {
  TempDir dir;
  auto fs = make_real_file_system();
  const fs::path lock_path = dir.path() / "fetch-abc";
  {
    auto held = fs->lock_exclusive_transient(lock_path).value();
    EXPECT_EQ(fs->stat(lock_path).value().type, FileType::kRegular);
  }
  EXPECT_EQ(fs->stat(lock_path).value().type, FileType::kMissing);

  expect_exclusive(
      *fs, dir.path(), [&] { return fs->lock_exclusive_transient(lock_path); },
      "two holders of one transient lock at once");
  EXPECT_EQ(fs->stat(lock_path).value().type, FileType::kMissing);
}

// Byte locks of one file: holders of one offset never overlap (threads of one process included),
// a holder of another offset never waits, and the file is the only one ever created.
TEST(FileSystem, ByteLocksExcludePerOffsetInOneFile) {
  TempDir dir;
  auto fs = make_real_file_system();
  const fs::path lock_path = dir.path() / "fetch";
  const std::uint64_t far = (std::uint64_t{1} << 62) - 1;
  {
    auto a = fs->lock_exclusive_byte(lock_path, 7).value();
    // Another offset (the largest allowed) is taken at once while 7 is held: if it waited, this
    // thread would block here forever, since 7 is released only below.
    auto b = fs->lock_exclusive_byte(lock_path, far);
    ASSERT_TRUE(b) << b.error().message;
  }
  auto too_far = fs->lock_exclusive_byte(lock_path, far + 1);
  ASSERT_FALSE(too_far);
  EXPECT_EQ(too_far.error().code, ErrorCode::kInvalidArgument);

  expect_exclusive(
      *fs, dir.path(), [&] { return fs->lock_exclusive_byte(lock_path, 42); },
      "two holders of one byte lock at once");
  auto entries = fs->list_dir(dir.path()).value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "fetch");
}

TEST(FileSystem, SyncCalls) {
  TempDir dir;
  auto fs = make_real_file_system();
  EXPECT_TRUE(fs->sync_directory(dir.path()));
  EXPECT_TRUE(fs->sync_filesystem(dir.path()));
  EXPECT_EQ(fs->sync_directory(dir.path() / "nope").error().code, ErrorCode::kNotFound);
}

// Issue 10: every read is bounded and of regular files only. A FIFO must neither hang a read
// (the open does not wait for a writer) nor be read; /dev/zero through a symlink is refused
// instead of read until memory runs out; a file over the limit is refused.
TEST(FileSystem, ReadsAreBoundedAndOfRegularFilesOnly) {
  TempDir dir;
  auto fs = make_real_file_system();
  ASSERT_EQ(::mkfifo((dir.path() / "fifo").c_str(), 0644), 0);
  ASSERT_EQ(::symlink("/dev/zero", (dir.path() / "zero").c_str()), 0);
  for (const char* name : {"fifo", "zero"}) {
    auto read = fs->read_file(dir.path() / name);
    ASSERT_FALSE(read) << name;
    EXPECT_EQ(read.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(read.error().message.find("not a regular file"), std::string::npos);
    auto stream = fs->open_read(dir.path() / name);
    ASSERT_FALSE(stream) << name;
    EXPECT_NE(stream.error().message.find((dir.path() / name).string()), std::string::npos);
    auto copied = fs->copy_file(dir.path() / name, dir.path() / "copy");
    EXPECT_FALSE(copied) << name;
  }
  testing::write_file(dir.path() / "f", std::string(1000, 'x'));
  EXPECT_EQ(fs->read_file(dir.path() / "f", 1000).value().size(), 1000u);
  auto big = fs->read_file(dir.path() / "f", 999);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(big.error().message.find("larger than 999 bytes"), std::string::npos)
      << big.error().message;
  ASSERT_EQ(::symlink("f", (dir.path() / "to-f").c_str()), 0);  // a link to a file is fine
  EXPECT_EQ(fs->read_file(dir.path() / "to-f").value().size(), 1000u);
  EXPECT_EQ(fs->read_file(dir.path() / "nope").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace reel
