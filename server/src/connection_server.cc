// The accept loop and the connection loop around httplib (connection_server.h).
#include "connection_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "connection.h"
#include "file_body.h"
#include "request_head.h"

namespace reel::server {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Requests one connection carries before it is closed (`Connection: close` on the last one), as
// nginx's keepalive_requests: bounds what one connection can hold on to.
constexpr int kMaxRequestsPerConnection = 10000;
// Descriptors left to the handlers (the files they open) when the descriptor limit caps
// max_connections.
constexpr long long kSpareDescriptors = 64;

// The exchange being served on this thread, for the logger: set around process_request.
struct Exchange {
  SteadyClock::time_point start;
  bool close = false;  // the response said `Connection: close`
};
thread_local Exchange* t_exchange = nullptr;

std::chrono::milliseconds since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

// max_connections, lowered to what the descriptor limit leaves room for.
int connection_cap(int max_connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return max_connections;
  const long long room = static_cast<long long>(limit.rlim_cur) - kSpareDescriptors;
  return static_cast<int>(std::clamp<long long>(room, 1, max_connections));
}

}  // namespace

ConnectionServer::ConnectionServer(const ServeOptions& options)
    : options_(options), heads_(options.max_partial_heads_per_client) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // What httplib's `Keep-Alive: timeout=…, max=…` response header says.
  keep_alive_timeout_sec_ = options.idle_timeout_seconds;
  keep_alive_max_count_ = kMaxRequestsPerConnection;
  httplib::Server::set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    Exchange* exchange = t_exchange;
    if (exchange && res.get_header_value("Connection") == "close") exchange->close = true;
    if (logger_) logger_(req, res, exchange ? since(exchange->start) : 0ms);
  });
}

ConnectionServer::~ConnectionServer() {
  svr_sock_ = INVALID_SOCKET;
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ConnectionServer::set_logger(Logger logger) { logger_ = std::move(logger); }

int ConnectionServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return -1;
  listen_fd_ = svr_sock_;
  // httplib listens with a backlog of 5: a farm node opening 128 connections at once would see
  // SYNs dropped and retried a second later.
  ::listen(listen_fd_, SOMAXCONN);
  return bound;
}

void ConnectionServer::serve() {
  if (listen_fd_ < 0 || stopping_) return;
  const int cap = connection_cap(options_.max_connections);
  httplib::ThreadPool pool(static_cast<std::size_t>(options_.threads));
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (!stopping_) {
    const int n = ::poll(fds, 2, -1);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (fds[1].revents != 0) break;             // stop()
    if ((fds[0].revents & POLLIN) == 0) break;  // the listening socket failed
    accept_one(listen_fd_, pool, cap);
  }
  pool.shutdown();  // serves what is queued (each closes at once: stopping), joins the threads
}

void ConnectionServer::accept_one(int listen_fd, httplib::TaskQueue& pool, int cap) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int fd =
      ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    // Out of descriptors or memory: the connection stays in the backlog; try again in 10 ms
    // (or at once on stop) rather than spin.
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      pollfd wake{wake_fd_, POLLIN, 0};
      ::poll(&wake, 1, 10);
    }
    return;
  }
  if (open_.load() >= cap) {
    const std::string reason = "server busy: " + std::to_string(cap) + " connections open";
    const std::string text = refusal_response(503, reason);
    (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(fd);
    log_refusal(numeric_host(addr, len), "", 503, reason, SteadyClock::now());
    return;
  }
  const int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  ++open_;
  pool.enqueue([this, fd] {
    process_and_close_socket(fd);
    --open_;
  });
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  Connection connection(sock, options_, wake_fd_);
  FileBodyScope file_bodies;  // this thread's responses go through `connection`
  for (int served = 1;; ++served) {
    const Connection::Head head = connection.read_head(heads_);
    if (head != Connection::Head::kReady) return refuse_head(connection, static_cast<int>(head));
    auto framing = read_framing(connection.head());
    if (!framing) {
      refuse(connection, 400, framing.error().message, /*linger=*/true);
      return false;
    }
    connection.begin_exchange(*framing);
    // A chunked body's end is httplib's to find: the connection is not reused after one.
    const bool last = served >= kMaxRequestsPerConnection || stopping_ ||
                      framing->body == Framing::Body::kChunked;
    Exchange exchange{connection.head_start()};
    t_exchange = &exchange;
    bool closed = false;  // the request asked for it (Connection: close, HTTP/1.0)
    const bool ok = process_request(connection, last, closed, nullptr);
    t_exchange = nullptr;
    const bool reusable = connection.end_exchange();
    if (ok && reusable && !closed && !exchange.close && !last) continue;
    if (connection.input_left()) connection.linger();
    return ok;
  }
}

bool ConnectionServer::refuse_head(Connection& connection, int outcome) {
  switch (static_cast<Connection::Head>(outcome)) {
    case Connection::Head::kTimedOut:
      refuse(connection, 408,
             "request head not received within " + std::to_string(options_.head_timeout_seconds) +
                 " s",
             false);
      break;
    case Connection::Head::kTooLarge:
      refuse(connection, 431,
             "request head over " + std::to_string(options_.max_head_bytes) + " bytes or " +
                 std::to_string(options_.max_headers) + " header lines",
             true);
      break;
    case Connection::Head::kRefused:
      refuse(connection, 503,
             "too many unfinished request heads from " + connection.remote_address(), false);
      break;
    case Connection::Head::kReady:
    case Connection::Head::kClosed:
      break;
  }
  return false;
}

void ConnectionServer::refuse(Connection& connection, int status, const std::string& reason,
                              bool linger) {
  connection.send_refusal(status, reason);
  log_refusal(connection.remote_address(), connection.head(), status, reason,
              connection.head_start());
  if (linger) connection.linger();
}

void ConnectionServer::log_refusal(const std::string& remote, std::string_view head, int status,
                                   const std::string& reason, SteadyClock::time_point start) {
  if (!logger_) return;
  httplib::Request req;
  const RequestLine line = read_request_line(head);
  req.method = line.method;
  req.target = line.target;
  req.remote_addr = remote;
  httplib::Response res;
  res.status = status;
  res.set_content(reason + "\n", "text/plain; charset=utf-8");
  logger_(req, res, since(start));
}

void ConnectionServer::stop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // Only fails if the counter would overflow: it is readable already.
  }
  svr_sock_ = INVALID_SOCKET;  // httplib's content providers stop at their next chunk
}

}  // namespace reel::server
