// The clock seam: passed in, so outputs with timestamps are reproducible in tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace reel {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual std::int64_t now_unix_seconds() = 0;
};

// The system clock (CLOCK_REALTIME).
std::unique_ptr<Clock> make_system_clock();

// RFC 3339 UTC text for a Unix time, e.g. "2026-11-20T10:00:00Z".
std::string format_rfc3339_utc(std::int64_t unix_seconds);

}  // namespace reel
