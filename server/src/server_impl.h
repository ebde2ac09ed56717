// The insides of RepoServer (repo_server.h), shared by its three source files:
// repo_server.cc (set-up, auth, logging, lifecycle), serve_reads.cc (GET/HEAD of the layout) and
// serve_writes.cc (PUT objects, POST publish). Private to the server library.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "connection_server.h"
#include "reel/engine/repo.h"
#include "reel/engine/input_limits.h"
#include "reel/server/repo_server.h"
#include "request_path.h"
#include "tokens.h"

namespace reel {
namespace server {

// The largest publish body: a package archive holds only asset.toml and files.json (DESIGN §2),
// and no index entry may announce a larger one (reel/engine/input_limits.h). Applies whatever
// --max-body says (that limit is for object PUTs).
using ::reel::kMaxArchiveBytes;

// A refusal or a short answer: status and a one-line reason (the body).
struct Reply {
  int status = 200;
  std::string reason;
  bool challenge = false;  // add `WWW-Authenticate: Bearer` and `WWW-Authenticate: Basic …`
};

// The HTTP status for a library error: 400 malformed/corrupt, 404, 409 conflict, 507 no space,
// else 500.
int status_for(const Error& error);

// The request's ranges, which handlers normalise or clear (httplib 0.11.4 neither clamps a range
// to the body's length nor refuses an unsatisfiable one, and applies ranges to every response,
// error bodies included). The Request is a non-const local of httplib's request loop, so writing
// through it is defined.
httplib::Ranges& ranges_of(const httplib::Request& req);

// Answers with `reply` as a one-line text/plain body (ranges cleared).
void respond(const httplib::Request& req, httplib::Response& res, const Reply& reply);

// The request's Content-Length, or nullopt when absent or not a number.
std::optional<std::uint64_t> content_length(const httplib::Request& req);

}  // namespace server

// The server's state. Everything but `http` (which runs the request threads), the atomics and
// `publish_mutex` is set in open() and only read afterwards, so handlers share it without locks.
// `http` keeps a reference to `options`.
struct RepoServer::Impl {
  Impl(FileSystem& fs_in, Clock& clock_in, ServeOptions options_in,
       std::function<void(std::string_view)> log_in)
      : fs(fs_in),
        clock(clock_in),
        options(std::move(options_in)),
        log(std::move(log_in)),
        http(options) {}

  FileSystem& fs;
  Clock& clock;
  ServeOptions options;
  std::function<void(std::string_view)> log;
  std::unique_ptr<Repo> repo;
  ObjectStore* store = nullptr;
  std::optional<server::TokenSet> write_tokens;
  std::optional<server::TokenSet> read_tokens;
  server::ConnectionServer http;
  std::mutex publish_mutex;
  bool bound = false;

  void install();
  // Whether the request's token grants `need` (401 none or unknown, 403 a role without it, or
  // writes without --token-file); fills `who` with the token's name and role when it does.
  std::optional<server::Reply> authorize(const httplib::Request& req, server::Permission need,
                                         server::TokenInfo* who = nullptr) const;
  void discard_body(const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) const;
  void get(const httplib::Request& req, httplib::Response& res);
  void send_small_file(const httplib::Request& req, httplib::Response& res,
                       const server::Route& route);
  void send_index_list(const httplib::Request& req, httplib::Response& res);
  void send_streamed(const httplib::Request& req, httplib::Response& res,
                     const server::Route& route);
  // Why a PUT or POST to `route` is refused before its body is read (400/404 bad path, 405 not
  // `wanted`, 401/403 token, 413 declared size), or nullopt.
  std::optional<server::Reply> refuse_write(const httplib::Request& req, httplib::Response& res,
                                            const Result<server::Route>& route,
                                            server::RouteKind wanted,
                                            server::TokenInfo* who = nullptr) const;
  void put(const httplib::Request& req, httplib::Response& res,
           const httplib::ContentReader& reader);
  server::Reply receive_object(const server::Route& route, const httplib::ContentReader& reader);
  void post(const httplib::Request& req, httplib::Response& res,
            const httplib::ContentReader& reader);
  server::Reply publish(const httplib::Request& req, const server::Route& route,
                        const std::string& body, const server::TokenInfo& who);
  // POST review|yank|unyank/<Name>/<version> with its small JSON body, as `who`.
  server::Reply decide(const server::Route& route, const std::string& body,
                       const server::TokenInfo& who);
  // The largest body a write to `route` may have: max_body, or kMaxArchiveBytes for a publish.
  std::uint64_t body_limit(const server::Route& route) const;
  void log_request(const httplib::Request& req, const httplib::Response& res,
                   std::chrono::milliseconds elapsed) const;
};

}  // namespace reel
