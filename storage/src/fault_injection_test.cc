#include "reel/storage/fault_injection.h"

#include <gtest/gtest.h>

#include "reel/storage/object_store.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;

// Every file under `dir`, recursively, as paths relative to it (empty if `dir` is missing).
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_directory()) out.push_back(fs::relative(it->path(), dir).string());
  }
  return out;
}

std::string pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 7) % 253);
  return s;
}

TEST(FaultInjection, NoSpaceMidPutLeavesNothingInTheStore) {
  TempDir dir;
  auto real = make_real_file_system();
  FaultInjectingFileSystem fs(*real);
  std::string data = pattern(3 * 1024 * 1024);
  testing::write_file(dir.path() / "frame.exr", data);
  ObjectStore store(fs, dir.path() / "store");

  fs.fail_writes_after(1536 * 1024);  // the disk fills half-way through the second buffer
  auto put = store.put_file(dir.path() / "frame.exr");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kNoSpace);
  EXPECT_NE(put.error().message.find("frame.exr"), std::string::npos) << put.error().message;
  EXPECT_EQ(fs.counters().bytes_written, 1536u * 1024);
  EXPECT_FALSE(store.contains(sha256_bytes(data)).value());
  EXPECT_TRUE(files_under(dir.path() / "store").empty());  // no object, no temp file

  // Space comes back: the same call completes the work.
  fs.clear_faults();
  EXPECT_EQ(store.put_file(dir.path() / "frame.exr").value(), sha256_bytes(data));
  EXPECT_TRUE(store.verify(sha256_bytes(data)));
}

TEST(FaultInjection, NoSpaceInPutBytesAndAtomicWrite) {
  TempDir dir;
  auto real = make_real_file_system();
  FaultInjectingFileSystem fs(*real);
  ASSERT_TRUE(fs.write_file_atomic(dir.path() / "index.json", "old", false));
  fs.fail_writes_after(2);
  EXPECT_EQ(fs.write_file_atomic(dir.path() / "index.json", "new contents", true).error().code,
            ErrorCode::kNoSpace);
  EXPECT_EQ(real->read_file(dir.path() / "index.json").value(), "old");
  ObjectStore store(fs, dir.path() / "store");
  EXPECT_EQ(store.put_bytes("some bytes").error().code, ErrorCode::kNoSpace);
  EXPECT_EQ(files_under(dir.path()), std::vector<std::string>{"index.json"});
}

TEST(FaultInjection, CrashBeforeRenameKeepsOldStateAndRerunCompletes) {
  TempDir dir;
  auto real = make_real_file_system();
  FaultInjectingFileSystem fs(*real);
  testing::write_file(dir.path() / "src", "model bytes");
  ObjectStore store(fs, dir.path() / "store");
  const Digest d = sha256_bytes("model bytes");

  fs.fail_nth_rename(1);
  auto put = store.put_file(dir.path() / "src");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kIOError);
  EXPECT_FALSE(store.contains(d).value());
  // As after a kill: the complete temp file is still in the store's temp folder.
  auto left = files_under(store.temp_dir());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].rfind(".tmp-", 0), 0u);
  EXPECT_EQ(real->read_file(store.temp_dir() / left[0]).value(), "model bytes");

  EXPECT_EQ(store.put_file(dir.path() / "src").value(), d);  // the fault fired once
  EXPECT_TRUE(store.verify(d));

  // write_file_atomic: the old file stays until the rename.
  ASSERT_TRUE(fs.write_file_atomic(dir.path() / "reel.lock", "v1", true));
  fs.fail_nth_rename(2);
  ASSERT_TRUE(fs.write_file_atomic(dir.path() / "a", "first", false));
  EXPECT_FALSE(fs.write_file_atomic(dir.path() / "reel.lock", "v2", true));
  EXPECT_EQ(real->read_file(dir.path() / "reel.lock").value(), "v1");

  // FileSystem::rename fails the same way, leaving the source in place.
  fs.fail_nth_rename(1);
  EXPECT_FALSE(fs.rename(dir.path() / "a", dir.path() / "b"));
  EXPECT_EQ(real->stat(dir.path() / "a").value().type, FileType::kRegular);
  EXPECT_EQ(real->stat(dir.path() / "b").value().type, FileType::kMissing);
}

TEST(FaultInjection, FailOnMatchingPathsAndCount) {
  TempDir dir;
  auto real = make_real_file_system();
  FaultInjectingFileSystem fs(*real);
  ObjectStore store(fs, dir.path() / "store");
  Digest d = store.put_bytes("texture").value();

  // No clones, and hard links refused into the workspace (another file system, say): kAuto
  // falls back to a copy.
  fs.fail_on(FsOp::kCloneFile, "/ws/", ErrorCode::kUnsupported);
  fs.fail_on(FsOp::kHardLink, "/ws/", ErrorCode::kUnsupported);
  const FsCounters before = fs.counters();
  fs::path dest = dir.path() / "ws" / "tex.png";
  EXPECT_EQ(store.materialise(d, dest, LinkMode::kAuto, false).value(), LinkMode::kCopy);
  EXPECT_EQ(real->read_file(dest).value(), "texture");
  EXPECT_EQ(real->stat(dest).value().mode, 0444u);
  const FsCounters after = fs.counters();
  EXPECT_EQ(after.clones, before.clones);  // refused before reaching the disk
  EXPECT_EQ(after.links, before.links);
  EXPECT_EQ(after.copies, before.copies + 1);

  // A rule matches only its operation and paths containing its substring.
  fs.fail_on(FsOp::kReadFile, "secret");
  auto refused = fs.read_file(dir.path() / "secret.txt");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kIOError);
  EXPECT_NE(refused.error().message.find("read_file"), std::string::npos);
  EXPECT_EQ(fs.read_file(dest).value(), "texture");
  EXPECT_TRUE(fs.hard_link(store.object_path(d), dir.path() / "elsewhere"));

  fs.clear_faults();
  EXPECT_TRUE(fs.hard_link(store.object_path(d), dir.path() / "ws" / "linked"));
  EXPECT_EQ(fs.counters().links, after.links + 2);
  EXPECT_EQ(fs.counters().writes, 1u);  // put_bytes wrote once
  EXPECT_EQ(fs.counters().bytes_written, 7u);
}

}  // namespace
}  // namespace reel
