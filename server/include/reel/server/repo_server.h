// `reel serve` (docs/http.md): a folder repo over HTTP. Reads are plain GETs of the repo layout
// (DESIGN §2); writes are authenticated object uploads (PUT objects/…) and publishes
// (POST publish/<Name>/<version>) that go through Repo::publish, under the repo lock, exactly as a
// folder publish does. The HTTP library (Debian's cpp-httplib) stays behind this interface.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "reel/storage/clock.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

// What `reel serve` was asked for; plain data made by cli/.
struct ServeOptions {
  fs::path repo;                   // a folder repo (reel-repo.json at its root)
  std::string host = "127.0.0.1";  // address to listen on (IPv4, IPv6 or a name)
  int port = 0;                    // TCP port; 0 = any free port (bind() says which)
  fs::path token_file;             // read+write tokens, one a line; empty = writes refused (403)
  fs::path read_token_file;        // read-only tokens; when set, reads need a token too
  std::uint64_t max_body = std::uint64_t{64} << 30;  // request body limit in bytes (413 above)
  int read_timeout_seconds = 30;  // a request body that stalls this long is dropped
};

// One server over one folder repo. Requests are handled on a pool of 128 threads (a thread a
// connection while it is open; idle keep-alive connections close after 2 s); the repo's lock
// serialises publishes with each other and with other processes publishing to the same folder.
class RepoServer {
 public:
  // Opens the repo and reads the token files. `fs` and `clock` must outlive the server; `log`
  // gets one line a request (`<remote> <METHOD> <path> <status> <bytes> <ms>ms`, no newline),
  // called from the request threads, so it must be thread-safe (nullptr: no log).
  // Errors: open_repo's (kNotFound "not a reel repo", kInvalidArgument), and for a token file that
  // is missing, unreadable or holds no token, an error naming the file.
  static Result<std::unique_ptr<RepoServer>> open(FileSystem& fs, Clock& clock,
                                                  const ServeOptions& options,
                                                  std::function<void(std::string_view)> log);
  ~RepoServer();
  RepoServer(const RepoServer&) = delete;
  RepoServer& operator=(const RepoServer&) = delete;

  // Binds the listening socket (options.host, options.port) and returns the port bound (the
  // chosen one when options.port is 0). Call once, before run(). kIOError naming the address when
  // it cannot be bound (in use, not local, not resolvable).
  Result<int> bind();
  // Serves until stop(); blocks the calling thread. Requires a successful bind().
  void run();
  // Makes run() return after the requests in progress; safe from any thread (e.g. a signal
  // watcher), before, during or after run(); idempotent.
  void stop();

 private:
  struct Impl;
  explicit RepoServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
