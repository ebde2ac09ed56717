// The HTTP server under `reel serve` (repo_server.h, docs/http.md "Auth, limits, errors"). httplib
// still parses each request, routes it to the handlers and writes the response; this class owns
// everything around that: the accept loop (a cap on open connections, TCP_NODELAY, a listen
// backlog that holds a farm node's burst of connections), a pool of request threads, and each
// connection's keep-alive loop over a Connection (connection.h): the head read within its
// deadline and limits, the per-client cap on partial heads, the body's framing checked before any
// of it is read. What it refuses it answers itself (400, 408, 431, 503) and logs like a request.
// Private to the server library.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "client_heads.h"
#include "reel/server/repo_server.h"

namespace reel::server {

class Connection;

// httplib::Server inherited privately: only routing and handler set-up are reachable from outside,
// never httplib's own listen loop.
class ConnectionServer : private httplib::Server {
 public:
  // Called once a response (or refusal) is written, from the thread that served it: the request
  // (method, target and remote_addr may be "" for a head refused early), the response (status,
  // headers, body) and the time since the request head's first byte. Must be thread-safe.
  using Logger = std::function<void(const httplib::Request&, const httplib::Response&,
                                    std::chrono::milliseconds)>;

  // `options` (its limits, timeouts and thread count) must outlive the server.
  explicit ConnectionServer(const ServeOptions& options);
  ~ConnectionServer() override;
  ConnectionServer(const ConnectionServer&) = delete;
  ConnectionServer& operator=(const ConnectionServer&) = delete;

  using httplib::Server::Get;
  using httplib::Server::Post;
  using httplib::Server::Put;
  using httplib::Server::set_pre_routing_handler;
  using httplib::Server::set_socket_options;
  void set_logger(Logger logger);

  // Binds host:port (port 0: any free one) and listens. The port bound, or -1 with errno set.
  // Call once, before serve().
  int bind(const std::string& host, int port);
  // Accepts and serves connections until stop(); returns once every connection is closed.
  void serve();
  // Makes serve() return: no more accepts, idle connections and heads being read are closed at
  // once, requests being read or handled finish, responses being streamed stop at their next
  // chunk (httplib's rule). Safe from any thread, before, during or after serve(); idempotent.
  void stop();

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Answers a head read_head() did not return whole; false (the connection ends).
  bool refuse_head(Connection& connection, int outcome);
  void refuse(Connection& connection, int status, const std::string& reason, bool linger);
  void log_refusal(const std::string& remote, std::string_view head, int status,
                   const std::string& reason, std::chrono::steady_clock::time_point start);
  void accept_one(int listen_fd, httplib::TaskQueue& pool, int cap);

  const ServeOptions& options_;
  Logger logger_;
  ClientHeads heads_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd, readable once stop() was called
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_{0};  // accepted connections not closed yet (queued or served)
};

}  // namespace reel::server
