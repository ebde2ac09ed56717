// One connection as an httplib::Stream (connection.h).
#include "connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "file_body.h"

namespace reel::server {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kReadChunk = std::size_t{16} << 10;
// Writes are gathered while this much or less is pending; a larger one goes out at once with
// what is pending (one writev, not copied), so a response head and a body written in one piece
// (any object up to 256 KiB) leave in one send.
constexpr std::size_t kGatherBytes = std::size_t{16} << 10;
// A write that cannot progress for this long fails (httplib's default, as before).
constexpr auto kWriteTimeout = 5s;
constexpr std::size_t kLingerBytes = std::size_t{1} << 20;
constexpr auto kLingerTime = 1s;

const char* reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

// The numeric address and port of a socket address (as httplib reports them).
void numeric_address(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST] = "";
  char serv[NI_MAXSERV] = "";
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, serv,
                    sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

}  // namespace

std::string numeric_host(const sockaddr_storage& addr, socklen_t len) {
  std::string ip;
  int port = 0;
  numeric_address(addr, len, ip, port);
  return ip;
}

std::string refusal_response(int status, std::string_view reason) {
  const std::string body = std::string(reason) + "\n";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
         "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

Connection::Connection(int fd, const ServeOptions& options, int wake_fd)
    : fd_(fd),
      options_(options),
      wake_fd_(wake_fd),
      in_(kReadChunk),
      scanner_(options.max_head_bytes, options.max_headers) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    numeric_address(addr, len, remote_address_, remote_port_);
  len = sizeof addr;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    numeric_address(addr, len, local_address_, local_port_);
}

Connection::~Connection() { ::close(fd_); }

Connection::Wait Connection::wait(short events, Clock::time_point deadline, bool stoppable) const {
  pollfd fds[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return Wait::kTimeout;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    const int n =
        ::poll(fds, stoppable ? 2 : 1, static_cast<int>(std::min<long long>(ms, INT_MAX)));
    if (n < 0 && errno != EINTR) return Wait::kError;
    if (n <= 0) continue;  // interrupted, or the deadline is (nearly) there: checked above
    if (stoppable && fds[1].revents != 0) return Wait::kStopped;
    if (fds[0].revents != 0) return Wait::kReady;  // errors show in the recv or send that follows
  }
}

ssize_t Connection::receive() {
  if (end_ == in_.size()) {
    if (begin_ > 0) {
      std::memmove(in_.data(), in_.data() + begin_, buffered());
      end_ -= begin_;
      begin_ = 0;
    }
    // Only a head grows the buffer (a body is read into an empty one), up to about twice
    // max_head_bytes.
    if (end_ == in_.size()) in_.resize(in_.size() * 2);
  }
  ssize_t n;
  do {
    n = ::recv(fd_, in_.data() + end_, in_.size() - end_, 0);
  } while (n < 0 && errno == EINTR);
  if (n > 0) end_ += static_cast<std::size_t>(n);
  return n;
}

Connection::Input Connection::wait_and_receive(Clock::time_point deadline, bool stoppable) {
  while (true) {
    const ssize_t n = receive();  // first without waiting: the bytes are often there already
    if (n > 0) return Input::kData;
    if (n == 0) return Input::kEnd;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return Input::kError;
    switch (wait(POLLIN, deadline, stoppable)) {
      case Wait::kReady:
        continue;
      case Wait::kTimeout:
        return Input::kTimeout;
      case Wait::kStopped:
        return Input::kStopped;
      case Wait::kError:
        return Input::kError;
    }
  }
}

Connection::Head Connection::read_head(ClientHeads& heads) {
  scanner_.reset();
  head_left_ = 0;
  read_failed_ = false;
  framing_ = Framing{};
  body_left_ = 0;
  const auto idle_deadline = Clock::now() + std::chrono::seconds(options_.idle_timeout_seconds);
  while (true) {
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    while (buffered() > 0 && (in_[begin_] == '\r' || in_[begin_] == '\n')) ++begin_;
    if (buffered() > 0) break;
    begin_ = end_ = 0;
    // After a response the next request has seldom arrived yet: wait first (a recv would only
    // say EAGAIN). A new connection's first request usually has.
    if (served_ > 0 && wait(POLLIN, idle_deadline, true) != Wait::kReady) return Head::kClosed;
    if (wait_and_receive(idle_deadline, true) != Input::kData) return Head::kClosed;
  }
  ++served_;
  head_start_ = Clock::now();
  return scan_head(heads);
}

Connection::Head Connection::scan_head(ClientHeads& heads) {
  const auto deadline = head_start_ + std::chrono::seconds(options_.head_timeout_seconds);
  // Counted as a partial head from the first read that does not hold the whole head to the end.
  struct Partial {
    ClientHeads* heads = nullptr;
    const std::string* address = nullptr;
    ~Partial() {
      if (heads) heads->leave(*address);
    }
  } partial;
  while (true) {
    switch (scanner_.scan(std::string_view(in_.data() + begin_, buffered()))) {
      case HeadScanner::State::kComplete:
        return Head::kReady;
      case HeadScanner::State::kTooLarge:
        return Head::kTooLarge;
      case HeadScanner::State::kIncomplete:
        break;
    }
    if (!partial.heads) {
      if (!heads.enter(remote_address_)) return Head::kRefused;
      partial.heads = &heads;
      partial.address = &remote_address_;
    }
    const Input got = wait_and_receive(deadline, true);
    if (got == Input::kTimeout) return Head::kTimedOut;
    if (got != Input::kData) return Head::kClosed;
  }
}

std::string_view Connection::head() const {
  const std::size_t n = scanner_.length() > 0 ? scanner_.length() : buffered();
  return std::string_view(in_.data() + begin_, std::min(n, buffered()));
}

void Connection::begin_exchange(const Framing& framing) {
  head_left_ = scanner_.length();
  framing_ = framing;
  body_left_ = framing.body == Framing::Body::kLength ? framing.length : 0;
  body_read_ = 0;
  body_start_ = Clock::now();
}

bool Connection::end_exchange() {
  const bool sent = flush();
  const bool whole = head_left_ == 0 && framing_.body != Framing::Body::kChunked && body_left_ == 0;
  return sent && !failed_ && !read_failed_ && whole;
}

bool Connection::input_left() const {
  return head_left_ > 0 || buffered() > 0 || body_left_ > 0 ||
         framing_.body == Framing::Body::kChunked;
}

Connection::Clock::time_point Connection::body_deadline() const {
  const auto stall = Clock::now() + std::chrono::seconds(options_.read_timeout_seconds);
  const double allowed =
      options_.body_grace_seconds +
      static_cast<double>(body_read_) / static_cast<double>(options_.min_body_rate);
  const auto slow = body_start_ + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(allowed));
  return std::min(stall, slow);
}

void Connection::consume(char* to, std::size_t n) {
  std::memcpy(to, in_.data() + begin_, n);
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

ssize_t Connection::read(char* ptr, size_t size) {
  if (size == 0) return 0;
  if (head_left_ > 0) {
    const std::size_t n = std::min(size, head_left_);
    consume(ptr, n);
    head_left_ -= n;
    return static_cast<ssize_t>(n);
  }
  if (framing_.body == Framing::Body::kNone) return 0;
  if (framing_.body == Framing::Body::kLength) {
    if (body_left_ == 0) return 0;
    size = static_cast<std::size_t>(std::min<std::uint64_t>(size, body_left_));
  }
  if (buffered() == 0) {
    if (!flush()) return -1;  // e.g. "100 Continue": the client waits for it before sending
    const Input got = wait_and_receive(body_deadline(), false);
    if (got == Input::kEnd) return 0;
    if (got != Input::kData) {
      read_failed_ = true;  // a response (400) can still be written
      return -1;
    }
  }
  const std::size_t n = std::min(size, buffered());
  consume(ptr, n);
  body_read_ += n;
  if (framing_.body == Framing::Body::kLength) body_left_ -= n;
  return static_cast<ssize_t>(n);
}

bool Connection::is_readable() const {
  if (head_left_ > 0 || buffered() > 0) return true;
  return wait(POLLIN, body_deadline(), false) == Wait::kReady;
}

bool Connection::is_writable() const { return !failed_; }

ssize_t Connection::write(const char* ptr, size_t size) {
  if (failed_) return -1;
  if (const FileRange* range = is_file_range(ptr))
    return send_file(*range, size) ? static_cast<ssize_t>(size) : -1;
  if (out_.size() + size <= kGatherBytes) {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  if (!send_all(out_.data(), out_.size(), ptr, size)) return -1;
  out_.clear();
  return static_cast<ssize_t>(size);
}

bool Connection::flush() {
  if (out_.empty()) return !failed_;
  const bool sent = send_all(out_.data(), out_.size(), nullptr, 0);
  out_.clear();
  return sent;
}

// sendfile(2) has no MSG_NOSIGNAL: a client gone mid-body gives EPIPE only because SIGPIPE is
// ignored, which httplib::Server's constructor (a base of ConnectionServer) sets process-wide.
bool Connection::send_file(const FileRange& range, std::size_t size) {
  // What is pending (the response head) is held back (MSG_MORE) to leave with the file's first
  // bytes.
  if (!out_.empty()) {
    const bool sent = send_all(out_.data(), out_.size(), nullptr, 0, MSG_MORE);
    out_.clear();
    if (!sent) return false;
  }
  auto offset = static_cast<off_t>(range.offset);
  while (size > 0) {
    const ssize_t n = ::sendfile(fd_, range.fd, &offset, size);
    if (n > 0) {
      size -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
        wait(POLLOUT, Clock::now() + kWriteTimeout, false) == Wait::kReady)
      continue;
    failed_ = true;  // a write error, a stall, or the file ended early (it shrank)
    return false;
  }
  return true;
}

bool Connection::send_all(const char* a, std::size_t a_size, const char* b, std::size_t b_size,
                          int flags) {
  iovec parts[2] = {{const_cast<char*>(a), a_size}, {const_cast<char*>(b), b_size}};
  iovec* next = a_size > 0 ? parts : parts + 1;
  std::size_t count = (a_size > 0 ? 1 : 0) + (b_size > 0 ? 1 : 0);
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = next;
    msg.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
          wait(POLLOUT, Clock::now() + kWriteTimeout, false) == Wait::kReady)
        continue;
      failed_ = true;
      return false;
    }
    auto sent = static_cast<std::size_t>(n);
    while (count > 0 && sent >= next->iov_len) {
      sent -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + sent;
      next->iov_len -= sent;
    }
  }
  return true;
}

void Connection::send_refusal(int status, std::string_view reason) {
  const std::string text = refusal_response(status, reason);
  (void)::send(fd_, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void Connection::linger() {
  ::shutdown(fd_, SHUT_WR);
  const auto until = Clock::now() + kLingerTime;
  std::size_t dropped = 0;
  char buf[16384];
  while (dropped < kLingerBytes) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      dropped += static_cast<std::size_t>(n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
      return;
    } else if (errno != EINTR && wait(POLLIN, until, false) != Wait::kReady) {
      return;
    }
  }
}

void Connection::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = remote_address_;
  port = remote_port_;
}

void Connection::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = local_address_;
  port = local_port_;
}

}  // namespace reel::server
