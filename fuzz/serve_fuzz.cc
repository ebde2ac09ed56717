// fuzz_serve: whole HTTP requests to `reel serve`'s handler (server/include/reel/server/
// repo_server.h). Once per process a RepoServer is started on 127.0.0.1 (any port) over an empty
// folder repo in a temp dir, with a write token file (token "reel-fuzz-token", in the dictionary,
// so writes are reached) and a 1 MiB body limit. Each input is sent as raw bytes on a new
// connection, which is then half-closed; the reply is read until the server closes (at most
// kReplySeconds), and the connection is reset (no TIME_WAIT pile-up over millions of runs).
// Invariants: the server answers within kReplySeconds of the half-close; a reply starts with an
// HTTP/1.x status line whose status is not 500 (a handler that failed or threw); no reply holds
// the bytes of a file outside the repo (a secret beside it in the temp dir).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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
    options.read_timeout_seconds = 2;
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

// Sends `request`, half-closes, and returns what the server sent until it closed. Fails when the
// server neither closes nor answers within kReplySeconds.
std::string exchange(int port, std::string_view request) {
  int fd = connect_to(port);
  for (std::size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed early (e.g. after a 400): read what it said
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kReplySeconds);
  char buffer[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
      fail("no complete reply within 5 s of the half-close",
           "got " + std::to_string(reply.size()) + " bytes: " + reply.substr(0, 200));
    }
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;  // closed (or reset)
    if (reply.size() < kMaxReply) reply.append(buffer, static_cast<std::size_t>(n));
  }
  linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd);
  return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server server;
  const std::string reply = exchange(server.port, reel::fuzz::as_text(data, size));
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
