// The explicit context every workspace operation takes: the seams (file system, clock), the cache,
// and where messages for a person go. Created once in cli/; no globals.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "reel/storage/cache.h"
#include "reel/storage/clock.h"
#include "reel/storage/detail.h"
#include "reel/storage/file_system.h"
#include "reel/workspace/progress.h"

namespace reel {

// Receives what a person may want to see while an operation runs. The CLI decides how (and
// whether, with -q / --json) to show it. Implementations must be thread-safe. The detail channel
// (detail(), detail_level(), counters(): storage/detail.h) carries -v / -vv lines; by default
// nobody listens.
class Reporter : public DetailSink {
 public:
  virtual ~Reporter() = default;
  // Something worth a person's attention that is not an error ("copying: hard links failed").
  virtual void warn(std::string_view message) = 0;
  // A step taken ("installed Table 3.2.1"), shown unless -q.
  virtual void info(std::string_view message) = 0;
  // Progress of a transfer (progress.h): called often and from any thread while it runs, and
  // once more with `finished` set. The reporter throttles the display.
  virtual void progress(const TransferStatus& status) = 0;
};

struct Context {
  FileSystem& fs;
  Clock& clock;
  Cache& cache;
  Reporter& reporter;
  std::map<std::string, std::string> environment;  // the process environment, for `reel run`
  // HTTP transfers at once in a batch (REEL_PARALLEL_TRANSFERS, else the user config's
  // parallel-transfers; docs/decisions.md); 0: the HTTP client's default.
  int parallel_transfers = 0;
};

}  // namespace reel
