#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "reel/storage/testing.h"
#include "reel/storage/archive.h"
#include "reel/storage/digest.h"
#include "reel/storage/object_store.h"

namespace reel {
namespace {

using testing::TempDir;
constexpr auto write = testing::write_file;

TEST(Digest, KnownVectors) {
  EXPECT_EQ(sha256_bytes("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_bytes("").hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Digest, HexRoundTripAndErrors) {
  Digest d = sha256_bytes("x");
  EXPECT_EQ(Digest::from_hex(d.hex()).value(), d);
  EXPECT_EQ(Digest::from_prefixed(d.prefixed()).value(), d);
  EXPECT_FALSE(Digest::from_hex("abc"));
  EXPECT_FALSE(Digest::from_hex(std::string(64, 'g')));
  EXPECT_FALSE(Digest::from_prefixed("md5:" + d.hex()));
}

TEST(Digest, FileStreamedEqualsBytes) {
  TempDir dir;
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + 7);
  write(dir.path() / "big", big);
  auto fs = make_real_file_system();
  EXPECT_EQ(sha256_file(*fs, dir.path() / "big").value(), sha256_bytes(big));
}

TEST(ObjectStore, PutDedupesAndMakesReadOnly) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  write(dir.path() / "a", "hello");
  write(dir.path() / "b", "hello");
  Digest a = store.put_file(dir.path() / "a").value();
  Digest b = store.put_file(dir.path() / "b").value();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, sha256_bytes("hello"));
  auto st = fs->stat(store.object_path(a)).value();
  EXPECT_EQ(st.type, FileType::kRegular);
  EXPECT_EQ(st.mode, 0444u);
  EXPECT_TRUE(store.contains(a).value());
  // No temp files are left behind.
  EXPECT_TRUE(fs->list_dir(dir.path() / "store" / "tmp").value().empty());
}

TEST(ObjectStore, PutExpectingRefusesMismatch) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  write(dir.path() / "a", "hello");
  Digest wrong = sha256_bytes("other");
  auto st = store.put_file_expecting(dir.path() / "a", wrong);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  EXPECT_FALSE(store.contains(wrong).value());
  EXPECT_FALSE(store.contains(sha256_bytes("hello")).value());
}

TEST(ObjectStore, VerifyDetectsChangedBytes) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  Digest d = store.put_bytes("payload").value();
  EXPECT_TRUE(store.verify(d));
  fs::path p = store.object_path(d);
  ASSERT_EQ(chmod(p.c_str(), 0644), 0);
  write(p, "pAyload");
  auto st = store.verify(d);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
}

TEST(ObjectStore, MaterialiseModes) {
  TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  Digest d = store.put_bytes("content").value();
  auto used = store.materialise(d, dir.path() / "ws" / "hard", LinkMode::kHardlink, false).value();
  EXPECT_EQ(used, LinkMode::kHardlink);
  EXPECT_EQ(fs->stat(dir.path() / "ws" / "hard").value().inode,
            fs->stat(store.object_path(d)).value().inode);
  store.materialise(d, dir.path() / "ws" / "copy", LinkMode::kCopy, true).value();
  auto copy = fs->stat(dir.path() / "ws" / "copy").value();
  EXPECT_NE(copy.inode, fs->stat(store.object_path(d)).value().inode);
  EXPECT_EQ(copy.mode, 0555u);
  EXPECT_EQ(fs->read_file(dir.path() / "ws" / "copy").value(), "content");
  auto a = store.materialise(d, dir.path() / "ws" / "auto", LinkMode::kAuto, false).value();
  EXPECT_NE(a, LinkMode::kSymlink);
  EXPECT_EQ(fs->read_file(dir.path() / "ws" / "auto").value(), "content");
}

TEST(Archive, RoundTripIsDeterministic) {
  std::vector<ArchiveMember> members = {{"asset.toml", "[asset]\nname = \"T\"\n"},
                                        {"files.json", "[]"}};
  std::string one = write_archive(members).value();
  std::string two = write_archive(members).value();
  EXPECT_EQ(one, two);
  auto back = read_archive(one).value();
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].path, "asset.toml");
  EXPECT_EQ(back[1].data, "[]");
}

TEST(Archive, RefusesUnsafeAndGarbage) {
  EXPECT_FALSE(write_archive({{"../evil", "x"}}));
  EXPECT_FALSE(write_archive({{"/abs", "x"}}));
  auto garbage = read_archive("this is not an archive");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kCorruption);
  std::string big = write_archive({{"a", std::string(1000, 'x')}}).value();
  EXPECT_FALSE(read_archive(big, 100));
}

TEST(FileSystem, AtomicWriteListAndRemoveReadOnlyTree) {
  TempDir dir;
  auto fs = make_real_file_system();
  ASSERT_TRUE(fs->create_directories(dir.path() / "t" / "sub"));
  ASSERT_TRUE(fs->write_file_atomic(dir.path() / "t" / "b", "2", true));
  ASSERT_TRUE(fs->write_file_atomic(dir.path() / "t" / "a", "1", false));
  auto names = fs->list_dir(dir.path() / "t").value();
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0].name, "a");
  EXPECT_EQ(names[2].name, "sub");
  EXPECT_EQ(names[2].type, FileType::kDirectory);
  ASSERT_TRUE(fs->set_mode(dir.path() / "t" / "sub", 0555));
  ASSERT_TRUE(fs->remove_all(dir.path() / "t"));
  EXPECT_EQ(fs->stat(dir.path() / "t").value().type, FileType::kMissing);
  auto missing = fs->read_file(dir.path() / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace reel
