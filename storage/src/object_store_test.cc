#include "reel/storage/object_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "reel/storage/file_system.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;
using testing::write_file;

// Every regular file under `dir`, recursively (empty if `dir` is missing).
std::size_t count_files(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) ++n;
  }
  return n;
}

TEST(ObjectStore, LayoutAndLinkModeNames) {
  auto fs = make_real_file_system();
  ObjectStore store(*fs, "/r");
  Digest d = sha256_bytes("abc");
  EXPECT_EQ(
      store.object_path(d),
      fs::path("/r/sha256/ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  for (LinkMode m : {LinkMode::kAuto, LinkMode::kClone, LinkMode::kHardlink, LinkMode::kCopy,
                     LinkMode::kSymlink}) {
    EXPECT_EQ(parse_link_mode(link_mode_name(m)).value(), m);
  }
  EXPECT_EQ(parse_link_mode("reflink").error().code, ErrorCode::kInvalidArgument);
}

TEST(ObjectStore, PutDedupesAndMakesReadOnly) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  write_file(dir.path() / "a", "hello");
  write_file(dir.path() / "b", "hello");
  EXPECT_FALSE(store.contains(sha256_bytes("hello")).value());
  Digest a = store.put_file(dir.path() / "a").value();
  Digest b = store.put_file(dir.path() / "b", /*sync=*/true).value();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, sha256_bytes("hello"));
  EXPECT_EQ(store.put_bytes("hello").value(), a);
  auto st = fs->stat(store.object_path(a)).value();
  EXPECT_EQ(st.type, FileType::kRegular);
  EXPECT_EQ(st.mode, 0444u);
  EXPECT_TRUE(store.contains(a).value());
  EXPECT_EQ(count_files(dir.path() / "store"), 1u);  // one object, no temp files
  EXPECT_EQ(fs->read_file(store.object_path(a)).value(), "hello");

  auto missing = store.put_file(dir.path() / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ObjectStore, PutExpectingRefusesMismatch) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  write_file(dir.path() / "a", "hello");
  Digest wrong = sha256_bytes("other");
  auto st = store.put_file_expecting(dir.path() / "a", ObjectRef{wrong, 5});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  const std::string& msg = st.error().message;
  EXPECT_NE(msg.find((dir.path() / "a").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find(wrong.hex()), std::string::npos) << msg;
  EXPECT_NE(msg.find(sha256_bytes("hello").hex()), std::string::npos) << msg;
  EXPECT_FALSE(store.contains(wrong).value());
  EXPECT_FALSE(store.contains(sha256_bytes("hello")).value());
  EXPECT_EQ(count_files(dir.path() / "store"), 0u);

  EXPECT_TRUE(store.put_file_expecting(dir.path() / "a", ObjectRef{sha256_bytes("hello"), 5}));
  EXPECT_TRUE(store.contains(sha256_bytes("hello")).value());
}

TEST(ObjectStore, PutExpectingReadsNoMoreThanTheStatedSize) {
  // files.json says 1 byte; the source is far larger: refused after reading 2 bytes, not hashed
  // to the end (an attacker's /dev/zero-sized object), nothing stored.
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  write_file(dir.path() / "big", std::string(std::size_t{8} << 20, 'z'));
  auto st = store.put_file_expecting(dir.path() / "big", ObjectRef{sha256_bytes("z"), 1});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  EXPECT_NE(st.error().message.find("larger than the 1 bytes"), std::string::npos)
      << st.error().message;
  auto shorter = store.put_file_expecting(dir.path() / "big", ObjectRef{sha256_bytes("z"),
                                                                         std::uint64_t{9} << 20});
  ASSERT_FALSE(shorter);
  EXPECT_NE(shorter.error().message.find("not the 9437184"), std::string::npos)
      << shorter.error().message;
  EXPECT_EQ(count_files(dir.path() / "store"), 0u);
}

TEST(ObjectStore, AWriterRefusesBytesPastItsLimit) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  auto writer = store.begin_object().value();
  writer->set_limit(4);
  EXPECT_TRUE(writer->write("abc", 3));
  auto st = writer->write("de", 2);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(writer->size(), 3u);
}

TEST(ObjectStore, VerifyDetectsChangedBytes) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  Digest d = store.put_bytes("payload").value();
  EXPECT_TRUE(store.verify(d));
  fs::path p = store.object_path(d);
  ASSERT_EQ(chmod(p.c_str(), 0644), 0);
  write_file(p, "pAyload");
  auto st = store.verify(d);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  EXPECT_NE(st.error().message.find(p.string()), std::string::npos);
  EXPECT_EQ(store.verify(sha256_bytes("absent")).error().code, ErrorCode::kNotFound);
}

TEST(ObjectStore, StreamedObjectsAreInstalledOnlyWhenTheirDigestMatches) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  const std::string body = std::string(300000, 'a') + "tail";
  auto writer = store.begin_object();
  ASSERT_TRUE(writer) << writer.error().message;
  for (std::size_t at = 0; at < body.size(); at += 65536) {
    std::string_view piece = std::string_view(body).substr(at, 65536);
    ASSERT_TRUE((*writer)->write(piece.data(), piece.size()));
  }
  EXPECT_EQ((*writer)->size(), body.size());
  ASSERT_TRUE((*writer)->finish(sha256_bytes(body), "download"));
  EXPECT_EQ(fs->read_file(store.object_path(sha256_bytes(body))).value(), body);

  // Wrong bytes: refused, naming what and both digests; nothing stored, no temp file left.
  auto bad = store.begin_object().value();
  ASSERT_TRUE(bad->write("oops", 4));
  auto st = bad->finish(sha256_bytes("expected"), "GET objects/x");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(st.error().message, "GET objects/x: digest mismatch: expected " +
                                    sha256_bytes("expected").prefixed() + ", got " +
                                    sha256_bytes("oops").prefixed());
  EXPECT_FALSE(store.contains(sha256_bytes("oops")).value());
  // An abandoned writer removes its temp file.
  { auto abandoned = store.begin_object().value(); ASSERT_TRUE(abandoned->write("x", 1)); }
  EXPECT_TRUE(fs->list_dir(store.temp_dir()).value().empty());
}

TEST(ObjectStore, MaterialiseHardlinkCopySymlink) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  Digest d = store.put_bytes("content").value();
  const auto object_inode = fs->stat(store.object_path(d)).value().inode;

  fs::path hard = dir.path() / "ws" / "deep" / "hard";  // parents are created
  EXPECT_EQ(store.materialise(d, hard, LinkMode::kHardlink, false).value(), LinkMode::kHardlink);
  auto hs = fs->stat(hard).value();
  EXPECT_EQ(hs.inode, object_inode);
  EXPECT_EQ(hs.mode, 0444u);
  EXPECT_EQ(store.materialise(d, hard, LinkMode::kHardlink, false).error().code,
            ErrorCode::kAlreadyExists);

  fs::path copy = dir.path() / "ws" / "copy";
  EXPECT_EQ(store.materialise(d, copy, LinkMode::kCopy, true).value(), LinkMode::kCopy);
  auto cs = fs->stat(copy).value();
  EXPECT_NE(cs.inode, object_inode);
  EXPECT_EQ(cs.mode, 0555u);
  EXPECT_EQ(fs->read_file(copy).value(), "content");

  fs::path sym = dir.path() / "ws" / "sym";
  EXPECT_EQ(store.materialise(d, sym, LinkMode::kSymlink, false).value(), LinkMode::kSymlink);
  EXPECT_EQ(fs->read_symlink(sym).value(), store.object_path(d));
  EXPECT_EQ(fs->read_file(sym).value(), "content");

  auto absent =
      store.materialise(sha256_bytes("absent"), dir.path() / "ws" / "x", LinkMode::kAuto, false);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
}

TEST(ObjectStore, MaterialiseAutoClonesElseHardLinksElseCopies) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  Digest d = store.put_bytes("content").value();
  const auto object_inode = fs->stat(store.object_path(d)).value().inode;
  bool can_clone = static_cast<bool>(fs->clone_file(store.object_path(d), dir.path() / "probe"));

  fs::path plain = dir.path() / "ws" / "plain";
  LinkMode used = store.materialise(d, plain, LinkMode::kAuto, false).value();
  auto ps = fs->stat(plain).value();
  if (can_clone) {
    EXPECT_EQ(used, LinkMode::kClone);
    EXPECT_NE(ps.inode, object_inode);
  } else {  // this ext4 disk: no FICLONE, so a hard link to the read-only object
    EXPECT_EQ(used, LinkMode::kHardlink);
    EXPECT_EQ(ps.inode, object_inode);
  }
  EXPECT_EQ(ps.mode, 0444u);

  // An executable file needs its own inode (mode 0555), never the store's 0444 one.
  fs::path exe = dir.path() / "ws" / "tool.sh";
  used = store.materialise(d, exe, LinkMode::kAuto, true).value();
  EXPECT_EQ(used, can_clone ? LinkMode::kClone : LinkMode::kCopy);
  EXPECT_NE(fs->stat(exe).value().inode, object_inode);
  EXPECT_EQ(fs->stat(exe).value().mode, 0555u);
  EXPECT_EQ(fs->stat(store.object_path(d)).value().mode, 0444u);

  if (!can_clone) {
    auto clone = store.materialise(d, dir.path() / "ws" / "clone", LinkMode::kClone, false);
    ASSERT_FALSE(clone);
    EXPECT_EQ(clone.error().code, ErrorCode::kUnsupported);
    EXPECT_EQ(fs->stat(dir.path() / "ws" / "clone").value().type, FileType::kMissing);
  }
}

// Writers racing on the same object all succeed, and a reader never sees a partial object.
TEST(ObjectStore, ConcurrentPutsOfTheSameObject) {
  TempDir dir;
  auto fs = make_real_file_system();
  std::string data(2 * 1024 * 1024 + 3, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 251);
  write_file(dir.path() / "src", data);
  const Digest want = sha256_bytes(data);
  ObjectStore store(*fs, dir.path() / "store");
  fs::path object = store.object_path(want);

  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, partial_reads{0};
  std::thread reader([&] {
    while (!done) {
      if (fs->stat(object).value().type != FileType::kRegular) continue;
      auto got = sha256_file(*fs, object);
      if (!got || *got != want) ++partial_reads;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&] {
      ObjectStore mine(*fs, dir.path() / "store");  // as another process would
      for (int i = 0; i < 4; ++i) {
        auto d = mine.put_file(dir.path() / "src");
        if (!d || *d != want) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(partial_reads, 0);
  EXPECT_TRUE(store.verify(want));
  EXPECT_EQ(count_files(dir.path() / "store"), 1u);
}

// Issue 11: an object's entry record catches a write through a hard link by stat alone.
TEST(ObjectStore, CheckSeesAWriteThroughAHardLinkAndQuarantineMovesTheObject) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  const std::string bytes = "kitchen set";
  Digest d = store.put_bytes(bytes).value();
  const ObjectRef ref{d, bytes.size()};
  EXPECT_EQ(store.check(ref).value(), ObjectStore::Health::kIntact);
  fs::path linked = dir.path() / "inputs" / "set.usd";
  ASSERT_TRUE(store.materialise(d, linked, LinkMode::kHardlink, false));
  EXPECT_EQ(store.check(ref).value(), ObjectStore::Health::kIntact);  // a link moved only ctime

  // A touch moves the mtime only: hashed, found intact, recorded again (no hashing next time).
  struct timespec times[2] = {{0, UTIME_OMIT}, {1600000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, linked.c_str(), times, 0), 0);
  EXPECT_EQ(store.check(ref).value(), ObjectStore::Health::kIntact);
  auto st = fs->stat(store.object_path(d)).value();
  EXPECT_EQ(st.mtime_ns, std::int64_t{1600000000} * 1000000000);

  // A write through the link (chmod u+w, as a user would; root needs none): damaged.
  ::chmod(linked.c_str(), 0644);
  { std::ofstream(linked, std::ios::app) << "oops"; }
  EXPECT_EQ(store.check(ref).value(), ObjectStore::Health::kDamaged);
  // Same size, other bytes, mtime restored: the record no longer matches (the mode moved), so
  // the bytes are hashed and found wrong.
  { std::ofstream(linked, std::ios::trunc) << "kitchen sex"; }
  ASSERT_EQ(::utimensat(AT_FDCWD, linked.c_str(), times, 0), 0);
  EXPECT_EQ(store.check(ObjectRef{d, bytes.size()}).value(), ObjectStore::Health::kDamaged);

  ASSERT_TRUE(store.quarantine(d, dir.path() / "quarantine"));
  EXPECT_EQ(store.check(ref).value(), ObjectStore::Health::kMissing);
  EXPECT_EQ(count_files(dir.path() / "quarantine"), 1u);
  EXPECT_EQ(store.put_bytes(bytes).value(), d);  // a fresh copy, a new inode
  EXPECT_NE(fs->stat(store.object_path(d)).value().inode, fs->stat(linked).value().inode);
  EXPECT_EQ(store.check(ref).value(), ObjectStore::Health::kIntact);
}

TEST(ObjectStore, CheckRefusesTheWrongSizeOrKind) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  Digest d = store.put_bytes("abc").value();
  EXPECT_EQ(store.check(ObjectRef{d, 4}).value(), ObjectStore::Health::kDamaged);
  fs::path path = store.object_path(d);
  ::chmod(path.parent_path().c_str(), 0755);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::symlink("/etc/hostname", path.c_str()), 0);
  EXPECT_EQ(store.check(ObjectRef{d, 3}).value(), ObjectStore::Health::kDamaged);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  EXPECT_EQ(store.check(ObjectRef{d, 3}).value(), ObjectStore::Health::kMissing);
}

}  // namespace
}  // namespace reel
