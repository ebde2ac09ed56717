// A small parallel loop for independent, I/O-bound steps (directory fsyncs that the journal can
// batch, archive checks and cache writes while the network is idle).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "reel/storage/error.h"

namespace reel {

// Calls fn(i) for every i in [0, count) on up to `threads` threads (the caller's included), each
// taking the next index; stops taking new ones after the first error, which is returned (the
// lowest index among those that failed before the stop). `fn` must be safe to call concurrently
// for different indexes.
template <typename Fn>
Status parallel_for(std::size_t count, std::size_t threads, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<std::pair<std::size_t, Error>> first;
  auto run = [&] {
    for (std::size_t i = next++; i < count && !failed; i = next++) {
      Status st = fn(i);
      if (st) continue;
      std::lock_guard<std::mutex> hold(mutex);
      if (!first || i < first->first) first.emplace(i, st.error());
      failed = true;
    }
  };
  std::vector<std::thread> helpers;
  const std::size_t n = std::min(threads, count);
  for (std::size_t t = 1; t < n; ++t) helpers.emplace_back(run);
  run();
  for (auto& t : helpers) t.join();
  if (first) return tl::unexpected(first->second);
  return ok();
}

}  // namespace reel
