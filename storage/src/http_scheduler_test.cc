// HttpClient's scheduler and request setup over a fake transport (no sockets): retries and their
// count, resuming with Range, the batch stopping at its first failure, 404 as an answer, the
// parallelism bound, credentials headers and body bounds.
#include "http_scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

#include "reel/storage/http_client.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

// What the fake server answers to one attempt.
struct FakeReply {
  bool completed = true;  // false: the transport fails after `body` (retryable if set)
  bool retryable = true;
  long status = 200;
  std::vector<std::string> headers;  // "Name: value\r\n"
  std::string body;
};

// An attempt as the fake saw it.
struct SeenAttempt {
  HttpMethod method;
  std::string url;
  std::vector<std::string> headers;
  std::optional<std::uint64_t> range_from;
  bool use_netrc;
};

class FakeTransport : public HttpTransport {
 public:
  explicit FakeTransport(std::function<FakeReply(const HttpAttempt&, int nth)> script)
      : script_(std::move(script)) {}

  std::unique_ptr<HttpLane> open_lane() override;

  std::vector<SeenAttempt> seen() {
    std::lock_guard<std::mutex> hold(mutex_);
    return seen_;
  }
  int most_at_once() {
    std::lock_guard<std::mutex> hold(mutex_);
    return most_;
  }
  // Makes every lane hold its attempts until `full` are running at once, or as many as are left
  // of `total` (so the most the scheduler lets run is reached on every round, whatever the
  // threads' timing). Waiting longer than 30 s fails the test instead of hanging it.
  void hold_until_full(int full, int total) {
    std::lock_guard<std::mutex> hold(mutex_);
    full_ = full;
    total_ = total;
  }

 private:
  friend class FakeLane;
  std::function<FakeReply(const HttpAttempt&, int)> script_;
  std::mutex mutex_;
  std::vector<SeenAttempt> seen_;
  std::map<std::string, int> per_url_;
  int running_ = 0;
  int most_ = 0;
  int full_ = 0;  // hold_until_full; 0: lanes never wait
  int total_ = 0;
  int ended_ = 0;
  std::condition_variable changed_;  // running_ or ended_ changed
};

// Runs every started attempt to its end in the next wait(), delivering the scripted reply
// through the sink as a transport would.
class FakeLane : public HttpLane {
 public:
  explicit FakeLane(FakeTransport& t) : t_(t) {}
  void start(HttpAttempt& a) override {
    std::lock_guard<std::mutex> hold(t_.mutex_);
    t_.seen_.push_back(SeenAttempt{a.method, a.url, a.headers, a.range_from, a.use_netrc});
    int nth = ++t_.per_url_[a.url];
    t_.most_ = std::max(t_.most_, ++t_.running_);
    t_.changed_.notify_all();
    pending_.emplace_back(&a, nth);
  }
  void abort(HttpAttempt& a) override {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const auto& p) { return p.first == &a; });
    if (it == pending_.end()) return;
    pending_.erase(it);
    std::lock_guard<std::mutex> hold(t_.mutex_);
    --t_.running_;
  }
  std::vector<HttpAttemptEnd> wait(std::chrono::milliseconds timeout) override {
    std::vector<HttpAttemptEnd> out;
    if (pending_.empty()) {  // nothing running: a retry's backoff, or a wake()
      std::unique_lock<std::mutex> hold(mutex_);
      woken_.wait_for(hold, timeout, [&] { return wake_; });
      wake_ = false;
      return out;
    }
    if (t_.full_ > 0) {
      std::unique_lock<std::mutex> hold(t_.mutex_);
      const bool full = t_.changed_.wait_for(hold, std::chrono::seconds(30), [&] {
        return t_.running_ >= std::min(t_.full_, t_.total_ - t_.ended_);
      });
      EXPECT_TRUE(full) << "the lanes never ran " << t_.full_ << " attempts at once";
      t_.ended_ += static_cast<int>(pending_.size());
    }
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [a, nth] : pending) {
      FakeReply r = t_.script_(*a, nth);
      HttpAttemptEnd end{a, r.completed, r.retryable, r.completed ? "" : "connection cut"};
      a->sink->on_status(r.status);
      for (const auto& h : r.headers) a->sink->on_header(h);
      if (a->method == HttpMethod::kPut) {
        char buf[64];
        while (auto n = a->sink->on_read(buf, sizeof buf)) {
          if (*n == 0) break;
        }
      }
      if (!r.body.empty() && !a->sink->on_body(r.body.data(), r.body.size())) {
        end.completed = false;
        end.retryable = false;
        end.error = "aborted by the write callback";
      }
      {
        std::lock_guard<std::mutex> hold(t_.mutex_);
        --t_.running_;
      }
      out.push_back(end);
    }
    return out;
  }
  void wake() override {
    std::lock_guard<std::mutex> hold(mutex_);
    wake_ = true;
    woken_.notify_all();
  }

 private:
  FakeTransport& t_;
  std::vector<std::pair<HttpAttempt*, int>> pending_;
  std::mutex mutex_;
  std::condition_variable woken_;
  bool wake_ = false;
};

std::unique_ptr<HttpLane> FakeTransport::open_lane() { return std::make_unique<FakeLane>(*this); }

// A whole response.
FakeReply answer(long status, std::string body = "", std::vector<std::string> headers = {}) {
  FakeReply r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}
// A transport failure worth a retry (a reset connection) after `body` and `status` arrived.
FakeReply cut_off(long status = 0, std::string body = "") {
  FakeReply r = answer(status, std::move(body));
  r.completed = false;
  r.retryable = true;
  return r;
}
GetRequest at(const std::string& url) {
  GetRequest r;
  r.url = url;
  return r;
}

HttpOptions fast_options() {
  HttpOptions o;
  o.first_backoff = std::chrono::milliseconds(1);
  return o;
}

bool has_header(const SeenAttempt& a, const std::string& line) {
  return std::find(a.headers.begin(), a.headers.end(), line) != a.headers.end();
}

TEST(HttpScheduler, ServerErrorsAreRetriedFourTimesThenFail) {
  FakeTransport transport([](const HttpAttempt&, int) { return answer(503); });
  auto fs = make_real_file_system();
  HttpClient client(*fs, fast_options(), transport);
  auto got = client.get("http://repo/index/a.json");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kNetwork);
  EXPECT_NE(got.error().message.find("HTTP 503 (after 5 attempts)"), std::string::npos)
      << got.error().message;
  EXPECT_EQ(transport.seen().size(), 5u);
}

TEST(HttpScheduler, ARetryThatSucceedsIsASuccess) {
  FakeTransport transport([](const HttpAttempt&, int nth) {
    if (nth == 1) return cut_off();  // connection reset
    if (nth == 2) return answer(429);
    return answer(200, "body", {"ETag: \"e1\"\r\n"});
  });
  auto fs = make_real_file_system();
  HttpClient client(*fs, fast_options(), transport);
  auto got = client.get("http://repo/index/a.json");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "body");
  EXPECT_EQ(got->etag, "\"e1\"");
  EXPECT_EQ(transport.seen().size(), 3u);
}

TEST(HttpScheduler, ACutDownloadResumesWithRange) {
  const std::string bytes = "0123456789";
  FakeTransport transport([&](const HttpAttempt& a, int nth) {
    if (nth == 1) return cut_off(200, bytes.substr(0, 4));
    EXPECT_EQ(a.range_from, std::optional<std::uint64_t>(4));
    return answer(206, bytes.substr(4));
  });
  testing::TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  HttpClient client(*fs, fast_options(), transport);
  std::vector<ObjectDownload> downloads = {
      {"http://repo/objects/o", &store, sha256_bytes(bytes), "o", bytes.size()}};
  std::int64_t reported = 0;
  auto results =
      client.get_objects(downloads, [&](std::int64_t b, std::uint64_t) { reported += b; });
  ASSERT_TRUE(results[0]) << results[0].error().message;
  EXPECT_TRUE(store.contains(sha256_bytes(bytes)).value());
  auto seen = transport.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].range_from);
  EXPECT_EQ(reported, static_cast<std::int64_t>(bytes.size()));
}

TEST(HttpScheduler, TheFirstFailureCancelsTheRestAndA404IsAnAnswer) {
  FakeTransport transport([](const HttpAttempt& a, int) {
    if (a.url.find("/missing") != std::string::npos) return answer(404);
    if (a.url.find("/refused") != std::string::npos) return answer(403);
    return answer(200, "ok");
  });
  auto fs = make_real_file_system();
  HttpOptions one_at_a_time = fast_options();
  one_at_a_time.max_parallel = 1;  // one lane, in order
  HttpClient client(*fs, one_at_a_time, transport);
  auto got = client.get_many({at("http://repo/a"), at("http://repo/missing"), at("http://repo/b"),
                              at("http://repo/refused"), at("http://repo/c"), at("http://repo/d")});
  ASSERT_EQ(got.size(), 6u);
  EXPECT_TRUE(got[0]);
  ASSERT_FALSE(got[1]);
  EXPECT_EQ(got[1].error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(got[2]) << "a 404 does not stop the batch";
  ASSERT_FALSE(got[3]);
  EXPECT_EQ(got[3].error().code, ErrorCode::kInvalidArgument);
  for (std::size_t i : {4u, 5u}) {
    ASSERT_FALSE(got[i]);
    EXPECT_EQ(got[i].error().code, ErrorCode::kCancelled);
    EXPECT_NE(got[i].error().message.find("HTTP 403"), std::string::npos) << got[i].error().message;
  }
  EXPECT_EQ(transport.seen().size(), 4u);  // nothing was sent after the refusal
}

TEST(HttpScheduler, NeverMoreThanMaxParallelAtOnce) {
  FakeTransport transport([](const HttpAttempt&, int) { return answer(200, "x"); });
  auto fs = make_real_file_system();
  HttpOptions o = fast_options();
  o.max_parallel = 3;
  // Every round fills up to what the lanes allow: 2 lanes once ran 2 each (4 at once) when they
  // rounded their shares of 3 up, which only a lucky interleaving showed before.
  transport.hold_until_full(3, 60);
  HttpClient client(*fs, o, transport);
  std::vector<GetRequest> requests;
  for (int i = 0; i < 60; ++i) requests.push_back(at("http://repo/" + std::to_string(i)));
  auto got = client.get_many(requests);
  for (const auto& r : got) EXPECT_TRUE(r);
  EXPECT_EQ(transport.seen().size(), 60u);
  EXPECT_EQ(transport.most_at_once(), 3);
}

TEST(HttpScheduler, RequestSetupSendsTheTokenOrNetrcAndIfNoneMatch) {
  FakeTransport transport(
      [](const HttpAttempt& a, int) { return answer(a.method == HttpMethod::kGet ? 304 : 200); });
  auto fs = make_real_file_system();
  HttpOptions with_token = fast_options();
  with_token.token = "tok";
  with_token.netrc_file = "/nonexistent/netrc";
  HttpClient client(*fs, with_token, transport);
  auto got = client.get("http://repo/index/a.json", "\"e1\"");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 304);
  auto posted =
      client.post("http://repo/publish/A/1.0.0", "archive", {{"Reel-Source-Dirty", "false"}});
  ASSERT_TRUE(posted) << posted.error().message;
  HttpOptions netrc_only = fast_options();
  netrc_only.netrc_file = "/nonexistent/netrc";
  HttpClient netrc_client(*fs, netrc_only, transport);
  ASSERT_FALSE(netrc_client.get("http://repo/x"));  // a 304 that was not asked for is an error
  auto seen = transport.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(has_header(seen[0], "Authorization: Bearer tok"));
  EXPECT_TRUE(has_header(seen[0], "If-None-Match: \"e1\""));
  EXPECT_FALSE(seen[0].use_netrc) << "one Authorization header, never two";
  EXPECT_TRUE(has_header(seen[1], "Reel-Source-Dirty: false"));
  EXPECT_TRUE(has_header(seen[1], "Content-Type: application/octet-stream"));
  EXPECT_TRUE(seen[2].use_netrc);
  for (const auto& h : seen[2].headers) EXPECT_EQ(h.find("Authorization"), std::string::npos);
}

TEST(HttpScheduler, ABodyOverItsBoundFailsAtOnce) {
  FakeTransport transport(
      [](const HttpAttempt&, int) { return answer(200, std::string(100, 'x')); });
  auto fs = make_real_file_system();
  HttpClient client(*fs, fast_options(), transport);
  auto got = client.get("http://repo/big", "", 10);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kCorruption);
  EXPECT_NE(got.error().message.find("larger than the 10 bytes"), std::string::npos);
  EXPECT_EQ(transport.seen().size(), 1u);  // a bound is never retried
}

}  // namespace
}  // namespace reel
