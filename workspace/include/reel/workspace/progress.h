// Transfer progress for people: what a transfer has moved so far, and the one-line display a
// terminal shows for it (cargo's and uv's download bars: bytes, files, rate, time left).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace reel {

// The state of one transfer ("fetching Shot 1.1.0"): counts so far and in all.
struct TransferStatus {
  std::string_view what;  // what is moving, e.g. "fetching Shot 1.1.0"
  std::uint64_t bytes = 0, bytes_total = 0;
  std::uint64_t files = 0, files_total = 0;
  bool finished = false;  // the last call for this transfer
};

// One display line, at most `width` columns (the parts that do not fit are dropped, least useful
// first: bar, then time left, then rate), e.g.
//   "fetching Shot 1.1.0 [=========>          ] 812.4 MiB/2.0 GiB 412/1095 files 310.2 MiB/s 4s left"
// `seconds` is the time since the transfer started: the rate is bytes/seconds (omitted under
// 0.2 s or with nothing moved yet), time left is (bytes_total - bytes) / rate, rounded up.
std::string progress_line(const TransferStatus& status, double seconds, std::size_t width);

}  // namespace reel
