// The retry and status policy (http_policy.h), as tables.
#include "http_policy.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

TEST(HttpPolicy, Verdicts) {
  struct Case {
    bool completed, retryable;
    long status;
    bool conditional;
    int attempt;
    Verdict want;
  };
  const Case cases[] = {
      {true, false, 200, false, 1, Verdict::kSuccess},
      {true, false, 206, false, 1, Verdict::kSuccess},
      {true, false, 304, true, 1, Verdict::kSuccess},  // a conditional GET's answer
      {true, false, 304, false, 1, Verdict::kFail},    // not asked for
      {true, false, 301, false, 1, Verdict::kFail},    // redirects are never followed
      {true, false, 404, false, 1, Verdict::kFail},
      {true, false, 401, false, 1, Verdict::kFail},
      {true, false, 409, false, 1, Verdict::kFail},
      {true, false, 500, false, 1, Verdict::kRetry},
      {true, false, 503, false, 4, Verdict::kRetry},  // the 4th attempt may still retry
      {true, false, 503, false, 5, Verdict::kFail},   // 1 + 4 retries made
      {true, false, 429, false, 1, Verdict::kRetry},
      {false, true, 0, false, 1, Verdict::kRetry},  // connect, stall, cut
      {false, true, 0, false, 5, Verdict::kFail},
      {false, false, 0, false, 1, Verdict::kFail},  // e.g. a TLS verification failure
  };
  for (const auto& c : cases) {
    AttemptOutcome o{c.completed, c.retryable, c.status, c.conditional, c.attempt, 4};
    EXPECT_EQ(judge(o), c.want) << "status " << c.status << " attempt " << c.attempt
                                << " completed " << c.completed;
  }
  AttemptOutcome no_retries{true, false, 503, false, 1, 0};
  EXPECT_EQ(judge(no_retries), Verdict::kFail);
}

TEST(HttpPolicy, BackoffDoublesFromTheFirstWait) {
  using std::chrono::milliseconds;
  EXPECT_EQ(backoff(milliseconds(200), 1), milliseconds(200));
  EXPECT_EQ(backoff(milliseconds(200), 2), milliseconds(400));
  EXPECT_EQ(backoff(milliseconds(200), 4), milliseconds(1600));
  EXPECT_EQ(backoff(milliseconds(1), 1000), milliseconds(1 << 20));  // bounded, no overflow
}

TEST(HttpPolicy, StatusErrorsCarryCodesAndTheServersReason) {
  struct Case {
    long status;
    ErrorCode code;
    const char* has;
  };
  const Case cases[] = {
      {404, ErrorCode::kNotFound, "GET http://h/x: HTTP 404: no such file"},
      {401, ErrorCode::kInvalidArgument, "give a token: --token-file, REEL_TOKEN"},
      {403, ErrorCode::kInvalidArgument,
       "HTTP 403: no such file (the server refuses this request with the token given"},
      {409, ErrorCode::kConflict, "HTTP 409: no such file"},
      {503, ErrorCode::kNetwork, "HTTP 503: no such file (after 5 attempts)"},
      {429, ErrorCode::kNetwork, "(after 5 attempts)"},
      {400, ErrorCode::kInvalidArgument, "HTTP 400"},
      {302, ErrorCode::kInvalidArgument, "HTTP 302"},
  };
  for (const auto& c : cases) {
    Error e = status_error("GET", "http://h/x", c.status, "  no such file \nsecond line", 5);
    EXPECT_EQ(e.code, c.code) << c.status;
    EXPECT_NE(e.message.find(c.has), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("second line"), std::string::npos) << e.message;
  }
  // A 403 means the token given may not do this: asking for a token would mislead.
  EXPECT_EQ(status_error("POST", "http://h/x", 403, "", 1).message.find("give a token"),
            std::string::npos);
  // An HTML error page is not a reason.
  Error html = status_error("GET", "http://h/x", 500, "<html><body>oops</body></html>", 1);
  EXPECT_EQ(html.message.find("oops"), std::string::npos) << html.message;
  Error t = transport_error("PUT", "http://h/y", "Connection refused", 5);
  EXPECT_EQ(t.code, ErrorCode::kNetwork);
  EXPECT_EQ(t.message, "PUT http://h/y: Connection refused (after 5 attempts)");
}

}  // namespace
}  // namespace reel
