// File ranges as response bodies (file_body.h): what a content provider's sink receives with and
// without a Connection's scope open.
#include "file_body.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "reel/storage/testing.h"

namespace reel::server {
namespace {

struct Recorded {
  std::vector<std::string> data;
  std::vector<FileRange> ranges;
  std::vector<std::size_t> range_sizes;
};

// DataSink can be neither copied nor moved: set up in place.
void record_into(httplib::DataSink& sink, Recorded& out) {
  sink.write = [&out](const char* d, std::size_t n) {
    if (const FileRange* r = is_file_range(d)) {
      out.ranges.push_back(*r);
      out.range_sizes.push_back(n);
    } else {
      out.data.emplace_back(d, n);
    }
    return true;
  };
}

TEST(FileBody, RangesThroughAConnectionBytesOtherwise) {
  reel::testing::TempDir dir;
  const std::string bytes = "0123456789";
  reel::testing::write_file(dir.path() / "f", bytes);
  const int fd = ::open((dir.path() / "f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);

  Recorded plain;
  httplib::DataSink sink;
  record_into(sink, plain);
  EXPECT_TRUE(write_file_piece(sink, fd, 3, 5));
  ASSERT_EQ(plain.data.size(), 1u);
  EXPECT_EQ(plain.data[0], "34567");
  EXPECT_TRUE(plain.ranges.empty());
  EXPECT_FALSE(write_file_piece(sink, fd, 10, 5));  // past the end: the file "shrank"

  Recorded through;
  httplib::DataSink sink2;
  record_into(sink2, through);
  {
    FileBodyScope scope;
    EXPECT_TRUE(write_file_piece(sink2, fd, 2, std::size_t{3} << 20));  // one piece: 1 MiB
  }
  EXPECT_TRUE(through.data.empty());
  ASSERT_EQ(through.ranges.size(), 1u);
  EXPECT_EQ(through.ranges[0].fd, fd);
  EXPECT_EQ(through.ranges[0].offset, 2u);
  EXPECT_EQ(through.range_sizes[0], std::size_t{1} << 20);
  // Real data is never taken for a range, and the range is gone after its write.
  EXPECT_EQ(is_file_range(bytes.data()), nullptr);
  FileRange copy;
  EXPECT_EQ(is_file_range(reinterpret_cast<const char*>(&copy)), nullptr);
  ::close(fd);
}

}  // namespace
}  // namespace reel::server
