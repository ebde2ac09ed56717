// The -v / -vv channel (issue 15): lines for a person who asked to see each step, from any layer,
// and the counts a command's -v summary is made of. The CLI's reporter implements it (the
// workspace's Reporter, context.h, derives from DetailSink); library code takes a `DetailSink*`
// (null: nobody listens) and asks detail_on(level) before formatting a line, so a command run
// without -v pays one virtual call a step, not a string.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace reel {

// What a command did, counted as it runs, for the summary lines `-v` prints at its end
// (docs/decisions.md, "The command line's manners (issue 15, third part)"). Relaxed atomics:
// safe to bump from the HTTP and hashing pools.
struct DetailCounters {
  std::atomic<std::uint64_t> repos_opened{0};
  std::atomic<std::uint64_t> index_files{0};         // index files read (folder or HTTP repos)
  std::atomic<std::uint64_t> index_cache_stat{0};    // ... trusted from index-v1/ by the file's
                                                     // stat, JSON not read (folder repos)
  std::atomic<std::uint64_t> index_cache_digest{0};  // ... JSON read or fetched, its parse found
                                                     // in index-v1/ by the text's SHA-256
  std::atomic<std::uint64_t> index_parsed{0};        // ... JSON parsed (and cached)
  std::atomic<std::uint64_t> index_not_modified{0};  // HTTP index GETs answered 304
  std::atomic<std::uint64_t> index_fetched{0};       // HTTP index GETs answered with a body
  std::atomic<std::uint64_t> http_requests{0};       // HTTP requests finished (any status,
                                                     // each retry counted)
  std::atomic<std::uint64_t> http_bytes{0};          // response body bytes received
};

// Where detail lines go. Implementations must be thread-safe.
class DetailSink {
 public:
  virtual ~DetailSink() = default;
  // How much detail is wanted: 0 none, 1 `-v` (steps and summaries), 2 `-vv` (also one line a
  // request, a package, an index file).
  virtual int detail_level() const { return 0; }
  // One line without its newline, shown when 1 <= level <= detail_level(). Thread-safe.
  virtual void detail(int level, std::string_view message) {
    (void)level;
    (void)message;
  }
  // Whether a line at `level` would be shown: callers check before building it.
  bool detail_on(int level) const { return detail_level() >= level; }
  // The command's counters (bumped whether or not anyone listens; a relaxed add is cheap).
  DetailCounters& counters() { return counters_; }

 private:
  DetailCounters counters_;
};

// Bumps a counter by `n` (relaxed: only the totals matter).
inline void count(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
  counter.fetch_add(n, std::memory_order_relaxed);
}

// "1 package", "3 packages" (`plural_noun` for irregular ones): for detail lines.
inline std::string plural_count(std::uint64_t n, std::string_view noun,
                                std::string_view plural_noun = {}) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) return out + std::string(noun);
  return out + (plural_noun.empty() ? std::string(noun) + "s" : std::string(plural_noun));
}

// The time since `start` as detail lines say it: "0.4 ms", "12.3 ms", "1.25 s".
inline std::string elapsed_text(std::chrono::steady_clock::time_point start) {
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  char text[32];
  if (ms < 1000)
    std::snprintf(text, sizeof text, "%.1f ms", ms);
  else
    std::snprintf(text, sizeof text, "%.2f s", ms / 1000);
  return text;
}

}  // namespace reel
