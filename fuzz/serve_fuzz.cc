// fuzz_serve: whole HTTP requests to `reel serve`'s handler (server/include/reel/server/
// repo_server.h). Once per process a RepoServer is started on 127.0.0.1 (any port) over an empty
// folder repo in a temp dir, with a write token file (token "reel-fuzz-token", in the dictionary,
// so writes are reached), a 1 MiB body limit and a 1 s read timeout. Repo state (objects, publishes)
// carries over from input to input, as it would on a real server.
// Each input is one connection: the bytes are sent with a `Connection: close` header inserted after
// the first line, so the server closes once it has answered the first request (httplib 0.11 serves
// pipelined requests only after more bytes arrive, and drops replies once it sees the client's
// end). An input that looks incomplete (no blank line ending the head, a body shorter than its
// Content-Length, a chunked body without its last chunk) is half-closed at once, so the server
// sees the end instead of waiting; any other is half-closed if the server has not closed
// kHalfCloseMs after the request, or kIdleMs after its last reply byte (httplib keeps the
// connection after answering a malformed request line with 400, as it never read the inserted
// header). The reply is read until the server closes or the first response is complete (by its
// Content-Length); the connection is then reset (no TIME_WAIT pile-up over millions of runs).
// Invariants: the server closes within kReplySeconds; a reply starts with an HTTP/1.x status line
// whose status is not 500 (a handler that failed or threw); no reply holds the bytes of a file
// outside the repo (a secret beside it in the temp dir).
// REEL_FUZZ_SERVE_SHOW=1 prints each reply on stderr (to check what a seed reaches).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "fuzz_check.h"
#include "fuzz_temp.h"
#include "reel/engine/repo.h"
#include "reel/server/repo_server.h"

using reel::fuzz::check;
using reel::fuzz::fail;
namespace fs = std::filesystem;

namespace {

constexpr int kReplySeconds = 5;
constexpr int kHalfCloseMs = 200;
constexpr int kIdleMs = 20;
constexpr std::size_t kMaxReply = std::size_t{1} << 20;  // bytes kept for the checks
constexpr const char* kSecret = "REEL-FUZZ-SECRET-6b1f0c2e";

struct Server {
  std::unique_ptr<reel::FileSystem> fs = reel::make_real_file_system();
  std::unique_ptr<reel::Clock> clock = reel::make_system_clock();
  fs::path root = reel::fuzz::make_process_temp_dir("reel-fuzz-serve");
  std::unique_ptr<reel::RepoServer> server;
  std::thread thread;
  int port = 0;

  Server() {
    const fs::path repo = root / "repo";
    auto must = [](bool ok, const std::string& what) {
      if (!ok) fail("fuzz_serve set-up", what);
    };
    auto init = reel::init_folder_repo(*fs, repo, "fuzz");
    must(init.has_value(), init ? "" : init.error().message);
    must(fs->write_file_atomic(root / "tokens", "reel-fuzz-token\n", false).has_value(), "tokens");
    must(fs->write_file_atomic(root / "secret.txt", kSecret, false).has_value(), "secret");
    reel::ServeOptions options;
    options.repo = repo;
    options.host = "127.0.0.1";
    options.port = 0;
    options.token_file = root / "tokens";
    options.max_body = std::uint64_t{1} << 20;
    options.read_timeout_seconds = 1;
    auto opened = reel::RepoServer::open(*fs, *clock, options, [](std::string_view) {});
    must(opened.has_value(), opened ? "" : opened.error().message);
    server = std::move(*opened);
    auto bound = server->bind();
    must(bound.has_value(), bound ? "" : bound.error().message);
    port = *bound;
    thread = std::thread([this] { server->run(); });
  }
  ~Server() {
    server->stop();
    thread.join();
  }
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(fd >= 0, "socket()");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval send_timeout{kReplySeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  for (int attempt = 0;; ++attempt) {
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    // The listener may not accept yet right after start-up.
    check(errno == ECONNREFUSED && attempt < 100, "connect() to the server",
          [&] { return std::string(std::strerror(errno)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// ASCII lower case.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether the server can have the whole first request: the head ends in a blank line and the body
// is as long as its Content-Length says, or a chunked body has its last chunk. A rough reading (no
// obs-fold, the first Content-Length); where it is wrong the half-close fallback still ends it.
bool looks_complete(std::string_view request) {
  std::size_t end = request.find("\r\n\r\n");
  std::size_t body = end == std::string_view::npos ? end : end + 4;
  if (end == std::string_view::npos) {
    end = request.find("\n\n");
    if (end == std::string_view::npos) return false;
    body = end + 2;
  }
  const std::string head = lower(request.substr(0, end));
  std::string_view rest = request.substr(body);
  if (head.find("transfer-encoding:") != std::string::npos && head.find("chunked") != std::string::npos)
    return rest.find("0\r\n\r\n") != std::string_view::npos;
  std::size_t cl = head.find("\ncontent-length:");
  if (cl == std::string::npos) return true;
  const unsigned long long length = std::strtoull(head.c_str() + cl + 16, nullptr, 10);
  return rest.size() >= length;
}

// Whether `reply` holds a whole final response: past any 1xx, a head ending in a blank line and a
// body of its Content-Length (none for a HEAD request, 204 or 304). A response without a
// Content-Length is whole only when the server closes.
bool reply_complete(std::string_view reply, bool head_request) {
  for (;;) {
    std::size_t end = reply.find("\r\n\r\n");
    if (end == std::string_view::npos || reply.size() < 12) return false;
    const std::string head = lower(reply.substr(0, end));
    reply.remove_prefix(end + 4);
    if (head[9] == '1') continue;  // "HTTP/1.1 100 Continue": the final response follows
    if (head_request || head.compare(9, 3, "204") == 0 || head.compare(9, 3, "304") == 0)
      return true;
    std::size_t cl = head.find("\ncontent-length:");
    if (cl == std::string::npos) return false;
    return reply.size() >= std::strtoull(head.c_str() + cl + 16, nullptr, 10);
  }
}

// The input with "Connection: close" inserted after its first line (at the end if it has none).
std::string with_connection_close(std::string_view request) {
  std::size_t nl = request.find('\n');
  std::size_t at = nl == std::string_view::npos ? request.size() : nl + 1;
  return std::string(request.substr(0, at)) + "Connection: close\r\n" +
         std::string(request.substr(at));
}

// Sends the request and returns what the server sent until it closed (half-closing as the file
// comment says). Fails when the server has not closed within kReplySeconds.
std::string exchange(int port, std::string_view request) {
  int fd = connect_to(port);
  const std::string bytes = with_connection_close(request);
  for (std::size_t sent = 0; sent < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed early (e.g. after a 400): read what it said
    sent += static_cast<std::size_t>(n);
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto half_close_at = start + std::chrono::milliseconds(kHalfCloseMs);
  const auto deadline = start + std::chrono::seconds(kReplySeconds);
  const bool head_request = request.substr(0, 5) == "HEAD ";
  bool half_closed = false;
  if (!looks_complete(request)) {
    ::shutdown(fd, SHUT_WR);
    half_closed = true;
  }
  std::string reply;
  char buffer[16384];
  for (;;) {
    auto now = Clock::now();
    if (!half_closed && now >= half_close_at) {
      ::shutdown(fd, SHUT_WR);
      half_closed = true;
    }
    if (now >= deadline) {
      fail("the server did not close the connection within 5 s",
           "got " + std::to_string(reply.size()) + " bytes: " + reply.substr(0, 200));
    }
    auto until = half_closed ? deadline : half_close_at;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait) + 1) == 0) continue;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;  // closed (or reset)
    if (reply.size() < kMaxReply) reply.append(buffer, static_cast<std::size_t>(n));
    if (reply_complete(reply, head_request)) break;
    half_close_at = Clock::now() + std::chrono::milliseconds(kIdleMs);
  }
  linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
  return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server server;
  static const bool show = std::getenv("REEL_FUZZ_SERVE_SHOW") != nullptr;
  const std::string reply = exchange(server.port, reel::fuzz::as_text(data, size));
  if (show) std::fprintf(stderr, "--- reply:\n%s\n", reply.c_str());
  if (reply.empty()) return 0;
  auto first_line = [&] { return reply.substr(0, reply.find('\n')); };
  check(reply.size() >= 12 && reply.compare(0, 7, "HTTP/1.") == 0 && reply[8] == ' ',
        "a reply that does not start with a status line", first_line);
  check(reply.compare(9, 3, "500") != 0, "a 500 reply (a handler failed or threw)",
        [&] { return reply.substr(0, 400); });
  check(reply.find(kSecret) == std::string::npos, "a reply holds a file outside the repo",
        first_line);
  return 0;
}
