#include "reel/engine/file_sequence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace reel {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

FileEntry file(const std::string& path, std::uint64_t size = 1) {
  FileEntry f;
  f.path = path;
  f.size = size;
  return f;
}

// `count` files DIR/PREFIX<frame, zero-filled to pad>SUFFIX for frames [first, last] minus `skip`.
void add_frames(std::vector<FileEntry>& files, const std::string& stem, const std::string& suffix,
                int pad, std::uint64_t first, std::uint64_t last, std::uint64_t size = 1,
                std::vector<std::uint64_t> skip = {}) {
  for (std::uint64_t f = first; f <= last; ++f) {
    if (std::find(skip.begin(), skip.end(), f) != skip.end()) continue;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*llu", pad, static_cast<unsigned long long>(f));
    files.push_back(file(stem + buf + suffix, size));
  }
}

// Each group as one line: "file PATH SIZE" or "seq DISPLAY [RANGES] pad=P n=N bytes=B".
std::vector<std::string> describe(const std::vector<FileGroup>& groups) {
  std::vector<std::string> out;
  for (const auto& g : groups) {
    if (const auto* f = std::get_if<FileEntry>(&g)) {
      out.push_back("file " + f->path + " " + std::to_string(f->size));
    } else {
      const auto& s = std::get<FileSequence>(g);
      out.push_back("seq " + s.display_path() + " [" + frame_range_text(s.frames) +
                    "] pad=" + std::to_string(s.padding) + " n=" + std::to_string(s.file_count()) +
                    " bytes=" + std::to_string(s.total_size));
    }
  }
  return out;
}

TEST(FileSequence, EmptyInput) { EXPECT_THAT(group_file_sequences({}), IsEmpty()); }

TEST(FileSequence, ContiguousFiveHundredFrames) {
  std::vector<FileEntry> files;
  add_frames(files, "renders/frame.", ".exr", 4, 1, 500, 1000);
  auto groups = group_file_sequences(files);
  EXPECT_THAT(describe(groups),
              ElementsAre("seq renders/frame.####.exr [1-500] pad=4 n=500 bytes=500000"));
  const auto& s = std::get<FileSequence>(groups[0]);
  EXPECT_EQ(s.directory, "renders");
  EXPECT_EQ(s.prefix, "frame.");
  EXPECT_EQ(s.suffix, ".exr");
  EXPECT_EQ(s.pattern(), "frame.####.exr");
  EXPECT_EQ(s.file_path(42), "renders/frame.0042.exr");
  EXPECT_EQ(s.frames.front(), 1u);
  EXPECT_EQ(s.frames.back(), 500u);
}

TEST(FileSequence, GapsAndUnsortedInput) {
  std::vector<FileEntry> files;
  add_frames(files, "frame.", ".exr", 4, 1, 120, 10, {50, 51, 52, 53, 54, 55, 56, 57, 58, 59});
  std::reverse(files.begin(), files.end());
  auto groups = group_file_sequences(files);
  EXPECT_THAT(describe(groups),
              ElementsAre("seq frame.####.exr [1-49,60-120] pad=4 n=110 bytes=1100"));
  EXPECT_THAT(frame_ranges(std::get<FileSequence>(groups[0]).frames),
              ElementsAre(std::make_pair(1u, 49u), std::make_pair(60u, 120u)));
}

TEST(FileSequence, RangeText) {
  EXPECT_EQ(frame_range_text({}), "");
  EXPECT_EQ(frame_range_text({7}), "7");
  EXPECT_EQ(frame_range_text({7, 8}), "7-8");
  EXPECT_EQ(frame_range_text({1, 2, 3, 5, 7, 8, 9, 10}), "1-3,5,7-10");
  EXPECT_EQ(frame_range_text({0, 2, 4}), "0,2,4");
  EXPECT_EQ(frame_range_text({18446744073709551614u, 18446744073709551615u}),
            "18446744073709551614-18446744073709551615");
  EXPECT_THAT(frame_ranges({1, 2, 3, 5, 7, 8}),
              ElementsAre(std::make_pair(1u, 3u), std::make_pair(5u, 5u), std::make_pair(7u, 8u)));
}

TEST(FileSequence, TwoSequencesInOneDirectoryWithDifferentSuffixes) {
  std::vector<FileEntry> files;
  add_frames(files, "out/beauty.", ".exr", 4, 1, 3, 100);
  add_frames(files, "out/beauty.", ".jpg", 4, 1, 5, 10);
  EXPECT_THAT(describe(group_file_sequences(files)),
              ElementsAre("seq out/beauty.####.exr [1-3] pad=4 n=3 bytes=300",
                          "seq out/beauty.####.jpg [1-5] pad=4 n=5 bytes=50"));
}

TEST(FileSequence, DifferentPaddingWidthsStayApart) {
  std::vector<FileEntry> files;
  add_frames(files, "frame.", ".exr", 4, 1, 3);
  add_frames(files, "frame.", ".exr", 2, 1, 3);
  add_frames(files, "frame.", ".exr", 1, 1, 3);
  EXPECT_THAT(describe(group_file_sequences(files)),
              ElementsAre("seq frame.####.exr [1-3] pad=4 n=3 bytes=3",
                          "seq frame.##.exr [1-3] pad=2 n=3 bytes=3",
                          "seq frame.#.exr [1-3] pad=1 n=3 bytes=3"));
}

TEST(FileSequence, UnpaddedNumbersOfAnyWidthAreOneSequence) {
  std::vector<FileEntry> files{file("f1.png"), file("f2.png"), file("f10.png"), file("f100.png")};
  auto groups = group_file_sequences(files);
  EXPECT_THAT(describe(groups), ElementsAre("seq f#.png [1-2,10,100] pad=1 n=4 bytes=4"));
  EXPECT_EQ(std::get<FileSequence>(groups[0]).file_path(10), "f10.png");
}

TEST(FileSequence, UnpaddedNumberOfPaddedWidthJoinsThePaddedSequence) {
  // 0998..1002: "1000" has no leading zero but is four digits, like its neighbours.
  std::vector<FileEntry> files;
  add_frames(files, "frame.", ".exr", 4, 998, 1002);
  files.push_back(file("frame.7.exr"));  // unpadded and alone: a plain file
  EXPECT_THAT(describe(group_file_sequences(files)),
              ElementsAre("seq frame.####.exr [998-1002] pad=4 n=5 bytes=5", "file frame.7.exr 1"));
}

TEST(FileSequence, SingleNumberedFileStaysPlain) {
  std::vector<FileEntry> files{file("tex/wood.0001.png", 7), file("tex/wood.png", 3),
                               file("mesh.obj", 5)};
  EXPECT_THAT(describe(group_file_sequences(files)),
              ElementsAre("file mesh.obj 5", "file tex/wood.0001.png 7", "file tex/wood.png 3"));
}

TEST(FileSequence, DigitsInDirectoryNamesDoNotMatter) {
  // The same name in shot010/ and shot020/ is not a sequence; each directory has its own.
  std::vector<FileEntry> files{file("shot010/plate.exr"), file("shot020/plate.exr"),
                               file("shot010/v1/a.01.exr"), file("shot010/v1/a.02.exr"),
                               file("shot010/v2/a.03.exr")};
  EXPECT_THAT(describe(group_file_sequences(files)),
              ElementsAre("file shot010/plate.exr 1", "seq shot010/v1/a.##.exr [1-2] pad=2 n=2 bytes=2",
                          "file shot010/v2/a.03.exr 1", "file shot020/plate.exr 1"));
}

TEST(FileSequence, LastDigitRunIsTheFrame) {
  std::vector<FileEntry> files;
  add_frames(files, "shot010_v002.", ".exr", 4, 1, 3);
  add_frames(files, "shot010_v003.", ".exr", 4, 1, 2);
  EXPECT_THAT(describe(group_file_sequences(files)),
              ElementsAre("seq shot010_v002.####.exr [1-3] pad=4 n=3 bytes=3",
                          "seq shot010_v003.####.exr [1-2] pad=4 n=2 bytes=2"));
  // No suffix after the number, and a number at the start of the name.
  std::vector<FileEntry> bare{file("cache/sim_v2_10"), file("cache/sim_v2_11"), file("01_a.txt"),
                              file("02_a.txt")};
  EXPECT_THAT(describe(group_file_sequences(bare)),
              ElementsAre("seq ##_a.txt [1-2] pad=2 n=2 bytes=2",
                          "seq cache/sim_v2_# [10-11] pad=1 n=2 bytes=2"));
}

TEST(FileSequence, HugeNumberIsAPlainFile) {
  std::vector<FileEntry> files{file("f.123456789012345678901234567890.exr", 2),
                               file("f.123456789012345678901234567891.exr", 3),
                               file("f.18446744073709551615.exr", 4),
                               file("f.18446744073709551614.exr", 5)};
  EXPECT_THAT(describe(group_file_sequences(files)),
              ElementsAre("seq f.#.exr [18446744073709551614-18446744073709551615] pad=1 n=2 bytes=9",
                          "file f.123456789012345678901234567890.exr 2",
                          "file f.123456789012345678901234567891.exr 3"));
}

TEST(FileSequence, ZeroPaddedZeroAndLongPadding) {
  std::vector<FileEntry> files{file("a.0000000000000000000000000000.exr"),
                               file("a.0000000000000000000000000001.exr")};
  auto groups = group_file_sequences(files);
  ASSERT_EQ(groups.size(), 1u);
  const auto& s = std::get<FileSequence>(groups[0]);
  EXPECT_EQ(s.padding, 28);
  EXPECT_EQ(s.file_path(1), "a.0000000000000000000000000001.exr");
  EXPECT_EQ(frame_range_text(s.frames), "0-1");
}

TEST(FileSequence, ByteTotalsAndSymlinksStayPlain) {
  std::vector<FileEntry> files{file("seq/f.001.exr", 1000), file("seq/f.002.exr", 2500),
                               file("seq/f.004.exr", 500)};
  FileEntry link = file("seq/f.003.exr", 0);
  link.symlink = "f.002.exr";
  files.push_back(link);
  auto groups = group_file_sequences(files);
  EXPECT_THAT(describe(groups), ElementsAre("seq seq/f.###.exr [1-2,4] pad=3 n=3 bytes=4000",
                                            "file seq/f.003.exr 0"));
  EXPECT_EQ(std::get<FileEntry>(groups[1]).symlink, "f.002.exr");
}

TEST(FileSequence, PlainFilesKeepTheirEntry) {
  FileEntry f = file("readme.txt", 12);
  f.executable = true;
  f.sha256.bytes[0] = 0xab;
  auto groups = group_file_sequences({f});
  ASSERT_EQ(groups.size(), 1u);
  const auto& g = std::get<FileEntry>(groups[0]);
  EXPECT_EQ(g.path, "readme.txt");
  EXPECT_EQ(g.size, 12u);
  EXPECT_TRUE(g.executable);
  EXPECT_EQ(g.sha256, f.sha256);
}

}  // namespace
}  // namespace reel
