#include "reel/storage/clock.h"

#include <ctime>

namespace reel {
namespace {

class SystemClock : public Clock {
 public:
  std::int64_t now_unix_seconds() override { return static_cast<std::int64_t>(std::time(nullptr)); }
};

}  // namespace

std::unique_ptr<Clock> make_system_clock() { return std::make_unique<SystemClock>(); }

std::string format_rfc3339_utc(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace reel
