// HttpClient against a minimal HTTP/1.1 server on a real socket (one request a connection, answers
// scripted per test). engine/src/http_repo_test.cc covers resuming, parallel downloads and the
// repo protocol against a full server.
#include "reel/storage/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "reel/storage/testing.h"

namespace reel {
namespace {

struct Request {
  std::string head;  // request line and headers
  std::string body;
};

class TinyServer {
 public:
  explicit TinyServer(std::function<std::string(const Request&)> answer)
      : answer_(std::move(answer)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~TinyServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> hold(mutex_);
    return requests_;
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Request req;
      std::string data;
      char buf[65536];
      std::size_t need = std::string::npos;
      for (;;) {
        if (need == std::string::npos) {
          std::size_t end = data.find("\r\n\r\n");
          if (end != std::string::npos) {
            req.head = data.substr(0, end);
            std::size_t cl = req.head.find("Content-Length: ");
            need = end + 4 + (cl == std::string::npos ? 0 : std::stoul(req.head.substr(cl + 16)));
          }
        }
        if (need != std::string::npos && data.size() >= need) break;
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
      }
      if (need != std::string::npos) req.body = data.substr(req.head.size() + 4);
      std::string reply = answer_(req);
      {
        std::lock_guard<std::mutex> hold(mutex_);
        requests_.push_back(req);
      }
      // MSG_NOSIGNAL: a client that gave up and closed must not kill the test with SIGPIPE.
      (void)!send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      close(c);
    }
  }

  std::function<std::string(const Request&)> answer_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<Request> requests_;
  std::thread thread_;
};

std::string reply(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         extra + "\r\n" + body;
}

HttpOptions fast_options() {
  HttpOptions o;
  o.token = "tok-secret";
  o.first_backoff = std::chrono::milliseconds(1);
  return o;
}

TEST(HttpClient, GetSendsTokenAndIfNoneMatchAndReturnsTheETag) {
  TinyServer server([](const Request& r) {
    if (r.head.find("If-None-Match: \"e1\"") != std::string::npos) return reply(304, "");
    return reply(200, "hello", "ETag: \"e1\"\r\n");
  });
  auto fs = make_real_file_system();
  HttpClient client(*fs, fast_options());
  auto first = client.get(server.url("/a"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello");
  EXPECT_EQ(first->etag, "\"e1\"");
  auto second = client.get(server.url("/a"), first->etag);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->status, 304);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[0].head.find("Authorization: Bearer tok-secret"), std::string::npos);
}

TEST(HttpClient, StatusesBecomeErrorsNamingTheUrlButNotTheToken) {
  TinyServer server([](const Request& r) {
    if (r.head.find(" /missing ") != std::string::npos) return reply(404, "no such file\n");
    if (r.head.find(" /denied ") != std::string::npos) return reply(401, "unknown token\n");
    return reply(503, "overloaded\n");
  });
  auto fs = make_real_file_system();
  HttpClient client(*fs, fast_options());
  auto missing = client.get(server.url("/missing"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "GET " + server.url("/missing") + ": HTTP 404: no such file");
  auto denied = client.get(server.url("/denied"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(denied.error().message.find("REEL_TOKEN"), std::string::npos);
  EXPECT_EQ(denied.error().message.find("tok-secret"), std::string::npos);
  EXPECT_EQ(client.head(server.url("/missing")).value(), 404);
  auto busy = client.get(server.url("/busy"));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, ErrorCode::kNetwork);
  EXPECT_NE(busy.error().message.find("HTTP 503: overloaded (after 5 attempts)"),
            std::string::npos);
  EXPECT_EQ(server.requests().size(), 1u + 1u + 1u + 5u);
}

TEST(HttpClient, PutStreamsAFileAndPostSendsHeaders) {
  TinyServer server([](const Request&) { return reply(201, ""); });
  testing::TempDir dir;
  auto fs = make_real_file_system();
  std::string content(1 << 20, 'x');
  testing::write_file(dir.path() / "obj", content);
  HttpClient client(*fs, fast_options());
  auto put = client.put_files({FileUpload{server.url("/objects/x"), dir.path() / "obj"}});
  ASSERT_EQ(put.size(), 1u);
  ASSERT_TRUE(put[0]) << put[0].error().message;
  EXPECT_EQ(put[0]->status, 201);
  auto post = client.post(server.url("/publish/A/1.0.0"), "archive",
                          {{"Reel-Source-Commit", "abc"}, {"Reel-Source-Dirty", "false"}});
  ASSERT_TRUE(post) << post.error().message;
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].head.rfind("PUT /objects/x", 0), 0u);
  EXPECT_EQ(reqs[0].body, content);
  EXPECT_EQ(reqs[1].head.rfind("POST /publish/A/1.0.0", 0), 0u);
  EXPECT_NE(reqs[1].head.find("Reel-Source-Commit: abc"), std::string::npos);
  EXPECT_NE(reqs[1].head.find("Content-Type: application/octet-stream"), std::string::npos);
  EXPECT_EQ(reqs[1].body, "archive");

  auto gone = client.put_files({FileUpload{server.url("/objects/y"), dir.path() / "nope"}});
  ASSERT_FALSE(gone[0]);
  EXPECT_EQ(gone[0].error().code, ErrorCode::kNotFound);
}

TEST(HttpClient, DownloadsAreVerifiedBeforeTheyAreStored) {
  TinyServer server([](const Request&) { return reply(200, "object bytes"); });
  testing::TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  HttpClient client(*fs, fast_options());
  Digest good = sha256_bytes("object bytes");
  Digest bad = sha256_bytes("other bytes");
  std::vector<ObjectDownload> downloads = {{server.url("/o1"), &store, good, "o1"},
                                           {server.url("/o2"), &store, bad, "o2"}};
  auto results = client.get_objects(downloads);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0]) << results[0].error().message;
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().code, ErrorCode::kCorruption);
  EXPECT_TRUE(store.contains(good).value());
  EXPECT_FALSE(store.contains(bad).value());
}

TEST(HttpClient, BytesDamagedInFlightAreFetchedAgainAndProgressAddsUp) {
  std::atomic<int> o1_requests{0};
  TinyServer server([&](const Request& r) {
    if (r.head.find("GET /o1 ") == 0)
      return reply(200, ++o1_requests == 1 ? "object bytez" : "object bytes");
    return reply(200, "second object");
  });
  testing::TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  HttpClient client(*fs, fast_options());
  std::vector<ObjectDownload> downloads = {
      {server.url("/o1"), &store, sha256_bytes("object bytes"), "o1"},
      {server.url("/o2"), &store, sha256_bytes("second object"), "o2"}};
  std::mutex mutex;
  std::int64_t bytes = 0;
  std::uint64_t files = 0;
  auto results = client.get_objects(downloads, [&](std::int64_t b, std::uint64_t f) {
    std::lock_guard<std::mutex> hold(mutex);
    bytes += b;
    files += f;
  });
  ASSERT_TRUE(results[0]) << results[0].error().message;
  ASSERT_TRUE(results[1]) << results[1].error().message;
  EXPECT_EQ(o1_requests.load(), 2);  // the damaged body was thrown away and fetched again
  EXPECT_TRUE(store.contains(sha256_bytes("object bytes")).value());
  // The damaged attempt's bytes were taken back: the count is what was kept.
  EXPECT_EQ(bytes, static_cast<std::int64_t>(std::string("object bytes").size() +
                                             std::string("second object").size()));
  EXPECT_EQ(files, 2u);
}

TEST(HttpClient, TheFirstFailureStopsTheRestOfTheBatch) {
  // /o0 is gone; every other object is slow. The batch ends soon after the 404, the others
  // cancelled, no temp file left.
  TinyServer server([](const Request& r) {
    if (r.head.find("GET /o0 ") == 0) return reply(404, "no such object\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return reply(200, "slow object");
  });
  testing::TempDir dir;
  auto fs = make_real_file_system();
  ObjectStore store(*fs, dir.path() / "store");
  HttpOptions options = fast_options();
  options.max_parallel = 2;
  HttpClient client(*fs, options);
  std::vector<ObjectDownload> downloads;
  for (int i = 0; i < 40; ++i) {
    downloads.push_back(ObjectDownload{server.url("/o" + std::to_string(i)), &store,
                                       sha256_bytes("slow object"), "o" + std::to_string(i)});
  }
  auto results = client.get_objects(downloads);
  ASSERT_EQ(results.size(), 40u);
  ASSERT_FALSE(results[0]);
  EXPECT_EQ(results[0].error().code, ErrorCode::kNotFound);
  std::size_t cancelled = 0;
  for (const auto& r : results) {
    if (r || r.error().code != ErrorCode::kCancelled) continue;
    ++cancelled;
    EXPECT_NE(r.error().message.find("stopped: GET " + server.url("/o0")), std::string::npos)
        << r.error().message;
  }
  EXPECT_GE(cancelled, 30u);
  EXPECT_LT(server.requests().size(), 10u);
  auto left = fs->list_dir(store.temp_dir());
  if (left) {
    EXPECT_TRUE(left->empty());
  }
  // Downloads' temp files are made beside their objects (begin_object(expected)): none is left.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(store.root(), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    EXPECT_NE(it->path().filename().string().rfind(".tmp-", 0), 0u) << it->path();
  }
}

}  // namespace
}  // namespace reel
