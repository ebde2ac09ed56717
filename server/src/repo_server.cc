// `reel serve` (repo_server.h, docs/http.md) on Debian's cpp-httplib 0.11.4: set-up, auth, the
// log line and the lifecycle. Every request goes through one of three handlers (GET/HEAD in
// serve_reads.cc, PUT and POST in serve_writes.cc; any other method is refused before routing);
// each checks the token, then parses the raw target into a layout route (request_path.h) before
// any file name is built.
#include "reel/server/repo_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "server_impl.h"

namespace reel {
namespace server {
namespace {

// Bodies of refused uploads up to this size are read and dropped so the connection stays usable;
// larger (or unsized) ones are left unread and the connection is closed.
constexpr std::uint64_t kDrainLimit = 1 << 20;

// When the current request's handling started (set before routing, read by the logger; each
// request is handled on one thread from start to log line).
thread_local std::optional<std::chrono::steady_clock::time_point> t_request_start;

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

int status_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kCorruption:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kNoSpace:
      return 507;
    default:
      return 500;
  }
}

httplib::Ranges& ranges_of(const httplib::Request& req) {
  return const_cast<httplib::Request&>(req).ranges;
}

void respond(const httplib::Request& req, httplib::Response& res, const Reply& reply) {
  ranges_of(req).clear();
  res.status = reply.status;
  if (reply.challenge) res.set_header("WWW-Authenticate", "Bearer");
  res.set_content(one_line(reply.reason) + "\n", "text/plain; charset=utf-8");
}

std::optional<std::uint64_t> content_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string v = req.get_header_value("Content-Length");
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(v);
}

}  // namespace server

using server::content_length;
using server::kDrainLimit;
using server::Reply;
using server::respond;
using server::t_request_start;

std::optional<Reply> RepoServer::Impl::authorize(const httplib::Request& req, bool write) const {
  if (write && !write_tokens)
    return Reply{403, "this server takes no writes (started without --token-file)"};
  if (!write && !read_tokens) return std::nullopt;
  const std::string authorization = req.get_header_value("Authorization");
  std::string_view token = server::bearer_token(authorization);
  if (token.empty()) return Reply{401, "a bearer token is required", true};
  const bool can_write = write_tokens && write_tokens->contains(token);
  const bool can_read = read_tokens && read_tokens->contains(token);
  if (can_write || (!write && can_read)) return std::nullopt;
  if (can_read) return Reply{403, "this token may only read"};
  return Reply{401, "unknown token", true};
}

void RepoServer::Impl::discard_body(const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) const {
  auto length = content_length(req);
  if (length && *length <= kDrainLimit) {
    if (*length > 0) reader([](const char*, std::size_t) { return true; });
  } else {
    res.set_header("Connection", "close");
  }
}

void RepoServer::Impl::install() {
  // A thread a connection while it is open (httplib's model): the default pool of 8 made the
  // ninth client wait up to the keep-alive timeout behind 8 idle kept-alive connections (a farm
  // node runs 8 transfers; 16 jobs on one node stalled 5 s). 128 threads and a 2 s idle
  // keep-alive serve 16 nodes' transfers at once and free an idle connection's thread quickly.
  http.new_task_queue = [] { return new httplib::ThreadPool(128); };
  http.set_keep_alive_timeout(2);
  http.set_read_timeout(options.read_timeout_seconds, 0);
  http.set_payload_max_length(static_cast<std::size_t>(options.max_body));
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server share the port.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Before routing (so before any body is read): start the clock, and refuse other methods and
  // GET/HEAD requests with a body, which httplib would otherwise read into memory.
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    const bool read = req.method == "GET" || req.method == "HEAD";
    if (!read && req.method != "PUT" && req.method != "POST") {
      res.set_header("Allow", "GET, HEAD, PUT, POST");
      res.set_header("Connection", "close");
      respond(req, res, Reply{405, "method not allowed"});
      return httplib::Server::HandlerResponse::Handled;
    }
    auto length = content_length(req);
    if (read && ((length && *length > 0) || req.has_header("Transfer-Encoding"))) {
      res.set_header("Connection", "close");
      respond(req, res, Reply{400, "a " + req.method + " request takes no body"});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  const std::string any = "[\\s\\S]*";
  http.Get(any, [this](const httplib::Request& req, httplib::Response& res) { get(req, res); });
  http.Put(any, [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { put(req, res, reader); });
  http.Post(any, [this](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) { post(req, res, reader); });
  http.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { log_request(req, res); });
}

void RepoServer::Impl::log_request(const httplib::Request& req,
                                   const httplib::Response& res) const {
  long long ms = 0;
  if (t_request_start) {
    ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               *t_request_start)
             .count();
    t_request_start.reset();
  }
  if (!log) return;
  std::uint64_t bytes = res.body.size();
  if (res.has_header("Content-Length")) {
    const std::string v = res.get_header_value("Content-Length");
    if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos)
      bytes = std::stoull(v);
  }
  if (req.method == "HEAD" || res.status == 304) bytes = 0;
  std::string path;
  for (char c : req.target.empty() ? std::string("-") : req.target) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x21 || u >= 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", u);
      path += esc;
    } else {
      path.push_back(c);
    }
  }
  log((req.remote_addr.empty() ? std::string("-") : req.remote_addr) + " " +
      (req.method.empty() ? std::string("-") : req.method) + " " + path + " " +
      std::to_string(res.status) + " " + std::to_string(bytes) + " " + std::to_string(ms) + "ms");
}

RepoServer::RepoServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RepoServer::~RepoServer() {
  if (impl_) stop();
}

Result<std::unique_ptr<RepoServer>> RepoServer::open(FileSystem& fs, Clock& clock,
                                                     const ServeOptions& options,
                                                     std::function<void(std::string_view)> log) {
  auto impl = std::make_unique<Impl>(fs, clock, options, std::move(log));
  std::error_code ec;
  impl->options.repo = fs::absolute(options.repo, ec).lexically_normal();
  auto repo = open_repo(fs, impl->options.repo.string());
  if (!repo) return tl::unexpected(repo.error());
  impl->repo = std::move(*repo);
  impl->store = impl->repo->local_store();
  if (!impl->store) return make_error(ErrorCode::kUnsupported, "reel serve needs a folder repo");
  if (!options.token_file.empty()) {
    auto tokens = server::TokenSet::load(fs, options.token_file);
    if (!tokens) return tl::unexpected(tokens.error());
    impl->write_tokens = std::move(*tokens);
  }
  if (!options.read_token_file.empty()) {
    auto tokens = server::TokenSet::load(fs, options.read_token_file);
    if (!tokens) return tl::unexpected(tokens.error());
    impl->read_tokens = std::move(*tokens);
  }
  impl->install();
  return std::unique_ptr<RepoServer>(new RepoServer(std::move(impl)));
}

Result<int> RepoServer::bind() {
  const std::string where = impl_->options.host + ":" + std::to_string(impl_->options.port);
  if (impl_->bound) return make_error(ErrorCode::kInvalidArgument, "already listening on " + where);
  errno = 0;
  int port = impl_->options.port;
  bool ok;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(impl_->options.host);
    ok = port > 0;
  } else {
    ok = impl_->http.bind_to_port(impl_->options.host, port);
  }
  if (!ok) {
    const int err = errno;
    return make_error(ErrorCode::kIOError, "cannot listen on " + where + ": " +
                                               (err != 0 ? std::string(std::strerror(err))
                                                         : std::string("address not available")));
  }
  impl_->bound = true;
  return port;
}

void RepoServer::run() {
  if (!impl_->bound) return;
  impl_->run_active = true;
  if (!impl_->stop_requested) impl_->http.listen_after_bind();
  impl_->run_active = false;
}

void RepoServer::stop() {
  impl_->stop_requested = true;
  // httplib's stop() only acts once its accept loop runs: wait for that if run() has started.
  while (impl_->run_active && !impl_->http.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->http.stop();
}

}  // namespace reel
