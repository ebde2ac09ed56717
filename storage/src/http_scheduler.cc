// The transfer scheduler (http_scheduler.h).
#include "http_scheduler.h"

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace reel {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The state a batch's lanes share: the queue of transfers waiting for an attempt, and the
// failure that stops the batch.
struct Batch {
  struct Waiting {
    Transfer* transfer;
    SteadyClock::time_point not_before;
  };
  std::mutex mutex;  // guards everything below
  std::deque<Waiting> waiting;
  std::optional<Error> failure;  // the first request of the batch that failed for good
  std::vector<HttpLane*> lanes;  // woken when the batch fails

  void fail(const Error& e) {  // with `mutex` held
    if (failure) return;
    failure = e;
    for (HttpLane* lane : lanes) lane->wake();
  }
};

// One lane's loop: takes due transfers from the queue up to `limit` running, runs them, settles
// what ends, until the queue and the lane are empty.
void work(HttpTransport& transport, Batch& batch, std::size_t limit) {
  std::unique_ptr<HttpLane> lane = transport.open_lane();
  {
    std::lock_guard<std::mutex> hold(batch.mutex);
    batch.lanes.push_back(lane.get());
  }
  std::vector<Transfer*> running;
  auto settle_done = [&](Transfer& t) {
    if (const Error* e = t.failure()) {
      std::lock_guard<std::mutex> hold(batch.mutex);
      batch.fail(*e);
    }
  };
  for (;;) {
    auto now = SteadyClock::now();
    auto next_wake = now + std::chrono::milliseconds(1000);
    std::vector<Transfer*> starting;
    std::optional<Error> stop;
    {
      std::lock_guard<std::mutex> hold(batch.mutex);
      if (batch.failure) {
        // After a failure for good, the rest of the batch ends as cancelled: a dead or refusing
        // server costs one request's retries, not every request's.
        stop = batch.failure;
        for (auto& w : batch.waiting) w.transfer->cancel(*batch.failure);
        batch.waiting.clear();
      }
      for (std::size_t k = batch.waiting.size(); k > 0 && running.size() + starting.size() < limit;
           --k) {
        Batch::Waiting w = batch.waiting.front();
        batch.waiting.pop_front();
        if (w.not_before > now) {
          next_wake = std::min(next_wake, w.not_before);
          batch.waiting.push_back(w);
          continue;
        }
        starting.push_back(w.transfer);
      }
      for (const auto& w : batch.waiting)  // due ones wait for a transfer of ours to end
        if (w.not_before > now) next_wake = std::min(next_wake, w.not_before);
      if (running.empty() && starting.empty() && batch.waiting.empty()) break;
    }
    if (stop) {
      for (Transfer* t : running) {
        lane->abort(t->attempt);
        t->cancel(*stop);
      }
      running.clear();
      continue;
    }
    for (Transfer* t : starting) {
      if (!t->begin()) {
        settle_done(*t);
        continue;
      }
      lane->start(t->attempt);
      running.push_back(t);
    }
    if (running.empty()) {  // all ours ended: next round at once if anything is due
      std::lock_guard<std::mutex> hold(batch.mutex);
      auto now2 = SteadyClock::now();
      bool due = batch.failure.has_value();
      for (const auto& w : batch.waiting) {
        due = due || w.not_before <= now2;
        next_wake = std::min(next_wake, w.not_before);
      }
      if (batch.waiting.empty() || due) continue;
    }
    // Wait until a transfer moves, a retry is due or the batch fails (wake()).
    auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_wake - SteadyClock::now());
    auto ended =
        lane->wait(std::chrono::milliseconds(std::clamp<long long>(wait.count(), 0, 1000)));
    for (const HttpAttemptEnd& end : ended) {
      Transfer* t = nullptr;
      for (Transfer* r : running)
        if (&r->attempt == end.attempt) t = r;
      if (!t) continue;
      running.erase(std::find(running.begin(), running.end(), t));
      std::chrono::milliseconds after{0};
      if (t->end(end, after) == Transfer::Next::kRetry) {
        std::lock_guard<std::mutex> hold(batch.mutex);
        batch.waiting.push_back(Batch::Waiting{t, SteadyClock::now() + after});
      } else {
        settle_done(*t);
      }
    }
  }
  {
    std::lock_guard<std::mutex> hold(batch.mutex);
    batch.lanes.erase(std::find(batch.lanes.begin(), batch.lanes.end(), lane.get()));
  }
}

}  // namespace

void run_transfers(HttpTransport& transport, const std::vector<Transfer*>& transfers,
                   int max_parallel) {
  // The batch is shared by up to 4 lanes (threads), each with its share of max_parallel
  // attempts: receiving, hashing and writing bodies then use several cores (one thread hashing
  // at ~1.6 GB/s was the limit on a fast link). A transfer belongs to the lane running it until
  // it ends or goes back to the queue for a retry.
  Batch batch;
  for (Transfer* t : transfers) batch.waiting.push_back(Batch::Waiting{t, {}});
  const auto parallel = static_cast<std::size_t>(std::max(1, max_parallel));
  const std::size_t lanes = std::clamp<std::size_t>(
      std::min<std::size_t>(transfers.size(), std::thread::hardware_concurrency()), 1,
      std::min<std::size_t>(4, parallel));
  // Lane i's share: the shares sum to exactly `parallel` (each lane's rounded up let 2 lanes run
  // 4 attempts at once under max_parallel = 3).
  auto share = [&](std::size_t i) { return parallel / lanes + (i < parallel % lanes ? 1 : 0); };
  std::vector<std::thread> helpers;
  for (std::size_t i = 1; i < lanes; ++i)
    helpers.emplace_back([&, limit = share(i)] { work(transport, batch, limit); });
  work(transport, batch, share(0));
  for (auto& t : helpers) t.join();
}

}  // namespace reel
