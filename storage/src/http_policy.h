// HttpClient's retry and status rules (docs/http.md "Auth, limits, errors"), pure: no network, no
// clock, so every rule has a table-driven test (http_policy_test.cc).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "reel/storage/error.h"

namespace reel {

// How one attempt of a request ended, as the policy needs it.
struct AttemptOutcome {
  bool completed = false;    // a whole response arrived (else a transport failure)
  bool retryable = false;    // a transport failure worth another try (connect, stall, cut)
  long status = 0;           // completed: the HTTP status
  bool conditional = false;  // the request sent If-None-Match (a 304 is then a success)
  int attempt = 1;           // 1 for the first try
  int retries = 4;           // extra attempts allowed after the first
};

enum class Verdict {
  kSuccess,  // the response is the answer
  kRetry,    // try again after backoff(attempt)
  kFail,     // the request failed for good: status_error / transport_error
};

// 2xx, or a 304 answering a conditional request.
bool success_status(long status, bool conditional);

// Retried while attempts remain: transport failures that are retryable, 5xx and 429. Anything
// else that is not a success fails at once (4xx, 3xx: redirects are never followed).
Verdict judge(const AttemptOutcome& outcome);

// The wait before attempt `attempt + 1`: first × 2^(attempt - 1) (0.2 s, 0.4 s, 0.8 s, ...).
std::chrono::milliseconds backoff(std::chrono::milliseconds first, int attempt);

// The error for a completed request whose status is not a success: names the method, the URL and
// the status, and the server's one-line reason (the first line of `error_body`, unless it looks
// like HTML); 404 → kNotFound; 401/403 → kInvalidArgument with how to give a token; 409 →
// kConflict; 5xx and 429 → kNetwork "(after N attempts)"; other statuses kInvalidArgument.
Error status_error(std::string_view method, const std::string& url, long status,
                   std::string_view error_body, int attempts);

// The error for a request whose transport failed for good: kNetwork naming the method, the URL,
// what went wrong and the attempts made.
Error transport_error(std::string_view method, const std::string& url, const std::string& why,
                      int attempts);

}  // namespace reel
