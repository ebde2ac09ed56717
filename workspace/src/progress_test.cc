// The progress line (progress.h): what it shows and what it drops on a narrow terminal.
#include "reel/workspace/progress.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(ProgressLine, ShowsBarBytesFilesRateAndTimeLeft) {
  TransferStatus s{"fetching Shot 1.1.0", 500 * kMiB, 2000 * kMiB, 125, 500};
  std::string line = progress_line(s, 2.0, 120);  // 250 MiB/s, 1500 MiB left: 6 s
  EXPECT_EQ(line,
            "fetching Shot 1.1.0 [======>                 ] 500.0 MiB/2.0 GiB 125/500 files "
            "250.0 MiB/s 6s left");
}

TEST(ProgressLine, DropsTheBarThenTimeLeftThenRateWhenNarrow) {
  TransferStatus s{"fetching Shot 1.1.0", 500 * kMiB, 2000 * kMiB, 125, 500};
  std::string no_bar = progress_line(s, 2.0, 80);
  EXPECT_EQ(no_bar, "fetching Shot 1.1.0 500.0 MiB/2.0 GiB 125/500 files 250.0 MiB/s 6s left");
  EXPECT_EQ(progress_line(s, 2.0, 65), "fetching Shot 1.1.0 500.0 MiB/2.0 GiB 125/500 files 250.0 MiB/s");
  EXPECT_EQ(progress_line(s, 2.0, 30).size(), 30u);  // cut, never wider than the terminal
}

TEST(ProgressLine, NoRateBeforeAnythingMovedAndLongTimesInMinutes) {
  TransferStatus s{"fetching A 1.0.0", 0, 10 * kMiB, 0, 3};
  EXPECT_EQ(progress_line(s, 0.1, 60), "fetching A 1.0.0 0 B/10.0 MiB 0/3 files");
  s.bytes = kMiB;  // 1 MiB in 10 s: 9 MiB left takes 90 s
  EXPECT_EQ(progress_line(s, 10.0, 60), "fetching A 1.0.0 1.0 MiB/10.0 MiB 0/3 files 102.4 KiB/s");
  EXPECT_NE(progress_line(s, 10.0, 100).find("1m30s left"), std::string::npos);
  s.bytes = 20 * kMiB;  // a restarted transfer may overshoot for a moment: shown as complete
  EXPECT_NE(progress_line(s, 10.0, 100).find("[========================]"), std::string::npos);
}

}  // namespace
}  // namespace reel
