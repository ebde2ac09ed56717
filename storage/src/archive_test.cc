#include "reel/storage/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

namespace reel {
namespace {

// One member of a hand-made (possibly hostile) archive.
struct RawMember {
  std::string path;
  unsigned type = AE_IFREG;
  std::string data;
  std::string link_target;  // symlink target (AE_IFLNK)
  std::string hardlink;     // hard link target, for a regular member
};

// Writes a pax tar + zstd archive with libarchive directly, bypassing write_archive's checks.
std::string build_raw(const std::vector<RawMember>& members) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_zstd(a);
  std::string buffer(1 << 20, '\0');
  size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(a, buffer.data(), buffer.size(), &used), ARCHIVE_OK);
  for (const auto& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.path.c_str());
    archive_entry_set_filetype(e, m.type);
    archive_entry_set_perm(e, 0644);
    if (!m.link_target.empty()) archive_entry_set_symlink(e, m.link_target.c_str());
    if (!m.hardlink.empty()) archive_entry_set_hardlink(e, m.hardlink.c_str());
    if (m.type == AE_IFCHR) archive_entry_set_rdev(e, 0x0103);
    archive_entry_set_size(e, m.type == AE_IFREG ? static_cast<la_int64_t>(m.data.size()) : 0);
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (m.type == AE_IFREG && !m.data.empty()) {
      archive_write_data(a, m.data.data(), m.data.size());
    }
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
  buffer.resize(used);
  return buffer;
}

// read_archive must refuse `bytes` with kCorruption and a message naming `member`.
void expect_refused(const std::string& bytes, const std::string& member) {
  auto got = read_archive(bytes);
  ASSERT_FALSE(got) << "accepted an archive with member " << member;
  EXPECT_EQ(got.error().code, ErrorCode::kCorruption);
  EXPECT_NE(got.error().message.find(member), std::string::npos) << got.error().message;
}

TEST(Archive, RoundTripInOrder) {
  std::vector<ArchiveMember> members = {{"asset.toml", "[asset]\nname = \"T\"\n"},
                                        {"files.json", "[]"},
                                        {"a/empty", ""},
                                        {"a/binary", std::string("\0\x01\xff", 3)}};
  auto back = read_archive(write_archive(members).value()).value();
  ASSERT_EQ(back.size(), members.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(back[i].path, members[i].path);
    EXPECT_EQ(back[i].data, members[i].data);
  }
}

TEST(Archive, DeterministicBytes) {
  // A path over 100 bytes and a non-ASCII one need pax extended headers.
  std::vector<ArchiveMember> members = {{std::string(120, 'n') + "/long.json", "{}"},
                                        {"f\xc3\xa9te/caf\xc3\xa9.toml", "x = 1\n"},
                                        {"files.json", std::string(100000, 'z')}};
  std::string one = write_archive(members).value();
  std::string two = write_archive(members).value();
  EXPECT_EQ(one, two);
  // zstd magic number (RFC 8878 §3.1.1).
  ASSERT_GE(one.size(), 4u);
  EXPECT_EQ(one.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
  auto back = read_archive(one).value();
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].path, members[0].path);
  EXPECT_EQ(back[1].path, members[1].path);
  // Another order is another archive.
  std::vector<ArchiveMember> swapped = {members[1], members[0], members[2]};
  EXPECT_NE(write_archive(swapped).value(), one);
}

TEST(Archive, WriteRefusesUnsafePaths) {
  for (const char* bad : {"../evil", "/abs", "a/../b", "", "a//b", "./a", "a/"}) {
    auto got = write_archive({{bad, "x"}});
    ASSERT_FALSE(got) << bad;
    EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Archive, ReadRefusesHostileMembers) {
  // The control: the same builder makes an archive read_archive accepts.
  ASSERT_TRUE(read_archive(build_raw({{"ok.txt", AE_IFREG, "fine", "", ""}})));

  expect_refused(build_raw({{"../evil", AE_IFREG, "x", "", ""}}), "../evil");
  expect_refused(build_raw({{"a/../../evil", AE_IFREG, "x", "", ""}}), "a/../../evil");
  expect_refused(build_raw({{"/abs", AE_IFREG, "x", "", ""}}), "/abs");
  expect_refused(
      build_raw({{"ok.txt", AE_IFREG, "fine", "", ""}, {"link", AE_IFLNK, "", "/etc/passwd", ""}}),
      "link");
  expect_refused(
      build_raw({{"ok.txt", AE_IFREG, "fine", "", ""}, {"hard", AE_IFREG, "", "", "ok.txt"}}),
      "hard");
  expect_refused(build_raw({{"dev", AE_IFCHR, "", "", ""}}), "dev");
  expect_refused(build_raw({{"fifo", AE_IFIFO, "", "", ""}}), "fifo");
  expect_refused(build_raw({{"dir", AE_IFDIR, "", "", ""}}), "dir");
}

TEST(Archive, ReadRefusesOversizedTotals) {
  std::string one_big = write_archive({{"a", std::string(1000, 'x')}}).value();
  auto got = read_archive(one_big, 100);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kCorruption);
  EXPECT_TRUE(read_archive(one_big, 1000));
  // Each member fits, their total does not: the one that crosses the limit is named.
  std::string two =
      write_archive({{"first", std::string(60, 'x')}, {"second", std::string(60, 'y')}}).value();
  auto total = read_archive(two, 100);
  ASSERT_FALSE(total);
  EXPECT_NE(total.error().message.find("second"), std::string::npos);
}

TEST(Archive, GarbageAndTruncationRefused) {
  auto garbage = read_archive("this is not an archive");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(read_archive("").error().code, ErrorCode::kCorruption);
  std::string good = write_archive({{"files.json", std::string(5000, 'q')}}).value();
  auto truncated = read_archive(good.substr(0, good.size() / 2));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kCorruption);
}

}  // namespace
}  // namespace reel
