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

#include "server_impl.h"

namespace reel {
namespace server {
namespace {

// Bodies of refused uploads up to this size are read and dropped so the connection stays usable;
// larger (or unsized) ones are left unread and the connection is closed.
constexpr std::uint64_t kDrainLimit = 1 << 20;

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
  if (reply.challenge) {
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_header("WWW-Authenticate", "Basic realm=\"reel\", charset=\"UTF-8\"");
  }
  res.set_content(one_line(reply.reason) + "\n", "text/plain; charset=utf-8");
}

std::optional<std::uint64_t> content_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string v = req.get_header_value("Content-Length");
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(v);
}

// kInvalidArgument naming the first limit that is not positive.
static std::optional<Error> check_limits(const ServeOptions& o) {
  const std::pair<const char*, long long> limits[] = {
      {"threads", o.threads},
      {"idle_timeout_seconds", o.idle_timeout_seconds},
      {"head_timeout_seconds", o.head_timeout_seconds},
      {"read_timeout_seconds", o.read_timeout_seconds},
      {"max_head_bytes", static_cast<long long>(o.max_head_bytes)},
      {"max_headers", o.max_headers},
      {"body_grace_seconds", o.body_grace_seconds},
      {"min_body_rate", static_cast<long long>(o.min_body_rate)},
      {"max_connections", o.max_connections},
      {"max_partial_heads_per_client", o.max_partial_heads_per_client},
      {"max_body", o.max_body > 0 ? 1 : 0},
  };
  for (const auto& [name, value] : limits) {
    if (value <= 0)
      return Error{ErrorCode::kInvalidArgument,
                   std::string("serve option ") + name + " must be positive"};
  }
  return std::nullopt;
}

}  // namespace server

using server::check_limits;
using server::content_length;
using server::kDrainLimit;
using server::Reply;
using server::respond;

std::optional<Reply> RepoServer::Impl::authorize(const httplib::Request& req,
                                                 server::Permission need,
                                                 server::TokenInfo* who) const {
  using server::Permission;
  const bool write = need != Permission::kRead;
  if (write && !write_tokens)
    return Reply{403, "this server takes no writes (started without --token-file)"};
  if (!write && !read_tokens) return std::nullopt;
  const std::string token = server::request_token(req.get_header_value("Authorization"));
  if (token.empty())
    return Reply{401, "a token is required (Bearer, or Basic with the token as the password)",
                 true};
  std::optional<server::TokenInfo> info;
  if (write_tokens) info = write_tokens->find(token);
  if (!info && read_tokens) info = read_tokens->find(token);
  if (!info) return Reply{401, "unknown token", true};
  if (!server::role_allows(info->role, need)) {
    if (info->role == server::TokenRole::kRead) return Reply{403, "this token may only read"};
    const char* what = need == Permission::kPublish  ? "publish"
                       : need == Permission::kReview ? "review or yank"
                                                     : "carry a review record (admin only)";
    return Reply{403, "token '" + info->name + "' (role " +
                          std::string(server::token_role_name(info->role)) + ") may not " + what};
  }
  if (who) *who = *info;
  return std::nullopt;
}

void RepoServer::Impl::discard_body(const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) const {
  if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) return;  // none
  auto length = content_length(req);
  if (length && *length <= kDrainLimit) {
    if (*length > 0) reader([](const char*, std::size_t) { return true; });
  } else {
    res.set_header("Connection", "close");
  }
}

void RepoServer::Impl::install() {
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server share the port.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Before routing (so before any body is read): refuse other methods and GET/HEAD requests
  // with a body, which httplib would otherwise read into memory; answer GET and HEAD here, which
  // spares them httplib's std::regex match of the route (a tenth of a small GET's time).
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
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
    if (!read) return httplib::Server::HandlerResponse::Unhandled;
    get(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  const std::string any = "[\\s\\S]*";
  http.Put(any, [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { put(req, res, reader); });
  http.Post(any, [this](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) { post(req, res, reader); });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res,
                         std::chrono::milliseconds elapsed) { log_request(req, res, elapsed); });
}

void RepoServer::Impl::log_request(const httplib::Request& req, const httplib::Response& res,
                                   std::chrono::milliseconds elapsed) const {
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
      std::to_string(res.status) + " " + std::to_string(bytes) + " " +
      std::to_string(elapsed.count()) + "ms");
}

RepoServer::RepoServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RepoServer::~RepoServer() {
  if (impl_) stop();
}

Result<std::unique_ptr<RepoServer>> RepoServer::open(FileSystem& fs, Clock& clock,
                                                     const ServeOptions& options,
                                                     std::function<void(std::string_view)> log) {
  if (auto invalid = check_limits(options)) return tl::unexpected(*invalid);
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
    auto tokens = server::TokenSet::load(fs, options.read_token_file, server::TokenRole::kRead);
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
  const int port = impl_->http.bind(impl_->options.host, impl_->options.port);
  if (port <= 0) {
    const int err = errno;
    return make_error(ErrorCode::kIOError, "cannot listen on " + where + ": " +
                                               (err != 0 ? std::string(std::strerror(err))
                                                         : std::string("address not available")));
  }
  impl_->bound = true;
  return port;
}

void RepoServer::run() {
  if (impl_->bound) impl_->http.serve();
}

void RepoServer::stop() { impl_->http.stop(); }

}  // namespace reel
