// `reel serve` (docs/http.md): a folder repo over HTTP. Reads are plain GETs of the repo layout
// (DESIGN §2); writes are authenticated object uploads (PUT objects/…) and publishes
// (POST publish/<Name>/<version>) that go through Repo::publish, under the repo lock, exactly as a
// folder publish does. The HTTP library (Debian's cpp-httplib) stays behind this interface.
#pragma once

#include <cstddef>
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
  std::uint64_t max_body = std::uint64_t{64} << 30;  // PUT body limit in bytes (413 above);
                                                     // publish bodies stop at 64 MiB regardless
  int read_timeout_seconds = 30;  // a request body that stalls this long is dropped

  // Limits on every connection (docs/http.md "Auth, limits, errors"). Zero or negative values are
  // not meaningful; open() refuses them (kInvalidArgument naming the field).
  int threads = 128;  // request threads, one a connection while it is open (a farm node runs
                      // 16 jobs x 8 transfers; connections beyond wait for a thread)
  int idle_timeout_seconds = 2;   // wait for the first byte of a request (also the first one)
  int head_timeout_seconds = 10;  // the whole request head, from its first byte (408 after)
  std::size_t max_head_bytes = std::size_t{64} << 10;  // request line + headers (431 above)
  int max_headers = 100;                               // header lines in a head (431 above)
  int body_grace_seconds = 10;  // a body may take grace + its bytes / min_body_rate seconds ...
  std::uint64_t min_body_rate = std::uint64_t{64} << 10;  // ... (bytes/s), then it is dropped
  int max_connections = 1024;  // open connections, queued or served (503 and closed above)
  int max_partial_heads_per_client = 32;  // connections of one remote address in the middle of
                                          // a request head (503 and closed above)
};

// One server over one folder repo. Connections are served on a pool of options.threads threads
// (a thread a connection while it is open), every wait bounded by the options' limits
// (docs/http.md "Auth, limits, errors"); the repo's lock serialises publishes with each other and
// with other processes publishing to the same folder.
class RepoServer {
 public:
  // Opens the repo and reads the token files. `fs` and `clock` must outlive the server; `log`
  // gets one line a request, and one a connection or head the server refused itself (400, 408,
  // 431, 503; `-` for a method or path not received): `<remote> <METHOD> <path> <status> <bytes>
  // <ms>ms`, no newline, ms counted from the head's first byte. It is called from the request
  // threads (and the accept loop), so it must be thread-safe (nullptr: no log).
  // Errors: open_repo's (kNotFound "not a reel repo", kInvalidArgument); kInvalidArgument naming
  // the field for a limit in `options` that is not positive; for a token file that is missing,
  // unreadable or holds no token, an error naming the file.
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
  // Makes run() return: it accepts no more connections, closes idle ones and heads being read at
  // once, lets requests being read or handled finish and cuts responses being streamed at their
  // next chunk. Safe from any thread (e.g. a signal watcher), before, during or after run();
  // idempotent.
  void stop();

 private:
  struct Impl;
  explicit RepoServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
