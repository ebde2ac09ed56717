#include "reel/workspace/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "reel/workspace/inspect.h"

namespace reel {

namespace {

// "4s", "1m05s", "2h03m".
std::string duration_text(double seconds) {
  auto s = static_cast<std::uint64_t>(std::ceil(std::max(0.0, seconds)));
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60));
  }
  return buf;
}

std::string bar(std::uint64_t done, std::uint64_t total, std::size_t cells) {
  double fraction = total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / total);
  auto full = static_cast<std::size_t>(fraction * static_cast<double>(cells));
  std::string out = "[" + std::string(full, '=');
  if (full < cells) out += ">" + std::string(cells - full - 1, ' ');
  return out + "]";
}

}  // namespace

std::string progress_line(const TransferStatus& status, double seconds, std::size_t width) {
  const std::uint64_t bytes = std::min(status.bytes, status.bytes_total);
  std::string counts = human_bytes(bytes) + "/" + human_bytes(status.bytes_total) + " " +
                       std::to_string(status.files) + "/" + std::to_string(status.files_total) +
                       " files";
  std::string rate, left;
  if (seconds >= 0.2 && bytes > 0) {
    double per_second = static_cast<double>(bytes) / seconds;
    rate = human_bytes(static_cast<std::uint64_t>(per_second)) + "/s";
    if (bytes < status.bytes_total)
      left = duration_text(static_cast<double>(status.bytes_total - bytes) / per_second) + " left";
  }
  // Most useful first; each optional part is added only if the line still fits.
  std::string line = std::string(status.what) + " " + counts;
  if (line.size() > width) return line.substr(0, width);
  for (const std::string* part : {&rate, &left}) {
    if (!part->empty() && line.size() + 1 + part->size() <= width) line += " " + *part;
  }
  constexpr std::size_t kBarCells = 24;
  if (line.size() + kBarCells + 3 <= width) {
    std::size_t cut = status.what.size();
    line = line.substr(0, cut) + " " + bar(bytes, status.bytes_total, kBarCells) +
           line.substr(cut);
  }
  return line;
}

}  // namespace reel
