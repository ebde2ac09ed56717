// HttpClient's transfer scheduler: runs a batch of requests over an HttpTransport, at most
// `max_parallel` attempts at once on up to 4 lanes (threads), retrying after a delay when a
// request asks, and stopping the batch at the first request that fails for good.
#pragma once

#include <chrono>
#include <vector>

#include "reel/storage/error.h"
#include "reel/storage/http_transport.h"

namespace reel {

// One request of a batch, as the scheduler drives it: begin() sets up each attempt in `attempt`
// (which the lane then runs), end() settles it. Called on the lane thread that runs it; one
// request is never on two threads at once.
class Transfer {
 public:
  virtual ~Transfer() = default;
  enum class Next { kDone, kRetry };
  // Sets up the next attempt in `attempt`; false ends the request without one (failure() says
  // why: an upload that cannot be opened).
  virtual bool begin() = 0;
  // The attempt ended: kDone, or kRetry with `retry_after` set to the wait before the next one.
  virtual Next end(const HttpAttemptEnd& end, std::chrono::milliseconds& retry_after) = 0;
  // The request was stopped (running or waiting) because another failed for good.
  virtual void cancel(const Error& why) = 0;
  // Once done: the error that stops the batch, or null (a success, or an answer such as a 404 to
  // a HEAD).
  virtual const Error* failure() const = 0;

  HttpAttempt attempt;
};

// Runs every transfer to its end: done, failed, or cancelled because another failed for good
// (after that failure no attempt starts, running ones are aborted, and every other unfinished
// transfer gets cancel(the failure)). Lanes: min(4, max_parallel, transfers, cores), each with
// its share of max_parallel attempts; a retry waits in the shared queue for its time.
void run_transfers(HttpTransport& transport, const std::vector<Transfer*>& transfers,
                   int max_parallel);

}  // namespace reel
