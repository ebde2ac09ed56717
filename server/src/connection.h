// One accepted TCP connection of `reel serve`, as httplib reads and writes it (an httplib::Stream),
// driven by the connection loop in connection_server.cc. Private to the server library.
//
// Reads are buffered (recv into 16 KiB, more for a long head), so httplib's byte-at-a-time line
// reader costs no system calls. Writes are gathered while at most 16 KiB are pending and go out
// before the connection waits to read and when the response is done; a larger write goes out at
// once with what is pending (one writev), without being copied. So a response head and its body
// written in one piece leave in one send (no 40 ms wait on the client's delayed ACK). A file range
// written through file_body.h goes out with sendfile(2), the head just before it (MSG_MORE).
//
// Every wait is bounded: the wait for a request's first byte by the idle timeout, the whole head
// by the head deadline (from its first byte, not restarted by each byte), both cut short when the
// server stops; the body by the read timeout for each wait and by a minimum average rate after a
// grace period; each write by the write timeout.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client_heads.h"
#include "file_body.h"
#include "reel/server/repo_server.h"
#include "request_head.h"

namespace reel::server {

// A whole response of the server's own: `HTTP/1.1 <status> <phrase>`, a text/plain body of
// `reason` and a newline, `Connection: close`.
std::string refusal_response(int status, std::string_view reason);

// The numeric host of a socket address ("127.0.0.1", "::1"), as httplib reports remote_addr; ""
// if it cannot be printed.
std::string numeric_host(const sockaddr_storage& addr, socklen_t len);

class Connection final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes `fd` (a connected TCP socket, non-blocking) and closes it when destroyed. `wake_fd`
  // becomes readable when the server stops. `options` must outlive the connection.
  Connection(int fd, const ServeOptions& options, int wake_fd);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  enum class Head {
    kReady,     // a whole head is buffered: head()
    kClosed,    // nothing (more) came within the idle timeout, the client closed, or a stop
    kTimedOut,  // the head did not end within the head deadline (408)
    kTooLarge,  // over max_head_bytes or max_headers (431)
    kRefused,   // the client already holds its maximum of partial heads (503)
  };
  // Waits for the next request and reads its head. Between the head's first byte and its end the
  // connection counts as one of its address's partial heads in `heads` (a head that arrives whole
  // in one read never counts).
  Head read_head(ClientHeads& heads);
  // The head (after kReady), or as much of it as arrived (after a refusal).
  std::string_view head() const;
  // When the head's first byte arrived.
  Clock::time_point head_start() const { return head_start_; }

  // Starts the exchange of the head just read: httplib now reads that head and then the body,
  // which ends where `framing` says (nothing more is given to it).
  void begin_exchange(const Framing& framing);
  // Sends what is pending. True when the connection can carry another request: httplib read the
  // head and the body to their ends (a chunked body is never known to be over), and no read or
  // write failed.
  bool end_exchange();
  // Whether request bytes may be left unread (so closing now would reset the connection).
  bool input_left() const;

  // Sends a short response of the connection loop's own (status line, a one-line text body,
  // `Connection: close`), without waiting: it is meant for a connection about to be closed.
  void send_refusal(int status, std::string_view reason);
  // Half-closes, then reads and drops what the client still sends (up to 1 MiB, for up to 1 s)
  // until it closes: a response sent before its request was read then reaches the client before
  // the reset that closing with unread input causes.
  void linger();

  const std::string& remote_address() const { return remote_address_; }

  // httplib::Stream.
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  enum class Wait { kReady, kTimeout, kStopped, kError };
  // Waits until the socket has `events` (or an error), `deadline` passes or, if `stoppable`, the
  // server stops.
  Wait wait(short events, Clock::time_point deadline, bool stoppable) const;
  // One recv() into the buffer (made larger only when it is full of unread bytes): the bytes
  // added, 0 at the end of the stream, -1 with errno (EAGAIN: nothing yet).
  ssize_t receive();
  enum class Input { kData, kEnd, kTimeout, kStopped, kError };
  // Receives at least one byte, waiting until `deadline`.
  Input wait_and_receive(Clock::time_point deadline, bool stoppable);
  Head scan_head(ClientHeads& heads);
  Clock::time_point body_deadline() const;
  bool flush();
  // Sends a, then b (either may be empty), waiting up to the write timeout whenever the socket
  // is full. False (and failed_) on an error or a stall.
  bool send_all(const char* a, std::size_t a_size, const char* b, std::size_t b_size,
                int flags = 0);
  // Sends what is pending, then `size` bytes of the range's file with sendfile(2).
  bool send_file(const FileRange& range, std::size_t size);
  std::size_t buffered() const { return end_ - begin_; }
  void consume(char* to, std::size_t n);

  const int fd_;
  const ServeOptions& options_;
  const int wake_fd_;
  std::string remote_address_;
  int remote_port_ = 0;
  std::string local_address_;
  int local_port_ = 0;

  std::vector<char> in_;  // received bytes [begin_, end_)
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::string out_;           // gathered response bytes not sent yet
  bool failed_ = false;       // a write failed: nothing more can be sent
  bool read_failed_ = false;  // a body read timed out or failed: the connection is not reused

  int served_ = 0;  // heads read on this connection
  HeadScanner scanner_;
  Clock::time_point head_start_{};
  std::size_t head_left_ = 0;  // head bytes httplib has not read yet
  Framing framing_;
  std::uint64_t body_left_ = 0;  // Framing::kLength: body bytes not given to httplib yet
  std::uint64_t body_read_ = 0;
  Clock::time_point body_start_{};
};

}  // namespace reel::server
