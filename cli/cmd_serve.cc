// `reel serve REPO --bind ADDR:PORT`: a folder repo over HTTP with authenticated publish
// (docs/http.md, reel/server/repo_server.h). Logs one line a request on stderr; SIGINT/SIGTERM
// stop it cleanly (requests being read or handled finish, responses being streamed are cut;
// nothing half-written stays visible).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>
#include <utility>

#include "cli.h"
#include "reel/server/repo_server.h"

namespace reel::cli {
namespace {

struct ServeArgs {
  std::string repo;
  std::string bind;
  std::string token_file;
  std::string read_token_file;
  std::uint64_t max_body = std::uint64_t{64} << 30;
  ServeOptions limits;  // the connection limits (defaults from ServeOptions)
};

// "ADDR:PORT" or "[IPv6]:PORT" into options.host / options.port; false if malformed.
bool parse_bind(const std::string& text, ServeOptions& options) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return false;  // an IPv6 address must be bracketed
  }
  const std::string port_text = text.substr(colon + 1);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535)
    return false;
  options.host = host;
  options.port = port;
  return true;
}

int serve(Cli& cli, const ServeArgs& args) {
  ServeOptions options;
  if (!parse_bind(args.bind, options)) {
    cli.fail("--bind '" + args.bind + "': expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
    return 2;
  }
  if (args.max_body == 0) {
    cli.fail("--max-body must be at least 1 byte");
    return 2;
  }
  for (const auto& [flag, value] :
       {std::pair<const char*, long long>{"--head-timeout", args.limits.head_timeout_seconds},
        {"--idle-timeout", args.limits.idle_timeout_seconds},
        {"--max-connections", args.limits.max_connections},
        {"--max-partial-heads", args.limits.max_partial_heads_per_client},
        {"--threads", args.limits.threads}}) {
    if (value < 1) {
      cli.fail(std::string(flag) + " must be at least 1");
      return 2;
    }
  }
  options.head_timeout_seconds = args.limits.head_timeout_seconds;
  options.idle_timeout_seconds = args.limits.idle_timeout_seconds;
  options.max_connections = args.limits.max_connections;
  options.max_partial_heads_per_client = args.limits.max_partial_heads_per_client;
  options.threads = args.limits.threads;
  options.repo = fs::absolute(cli.start_dir() / args.repo).lexically_normal();
  options.token_file = args.token_file;
  options.read_token_file = args.read_token_file;
  options.max_body = args.max_body;
  CLI_TRY(ctx, cli.context());

  // SIGINT/SIGTERM are blocked in every thread (the server's threads inherit the mask) and
  // taken by sigtimedwait in a watcher thread, which stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &signals, &old_mask);
  struct RestoreMask {
    sigset_t mask;
    ~RestoreMask() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  } restore{old_mask};

  auto log_mutex = std::make_shared<std::mutex>();
  auto server =
      RepoServer::open((*ctx)->fs, (*ctx)->clock, options, [log_mutex](std::string_view line) {
        std::string text(line);
        text.push_back('\n');
        std::lock_guard<std::mutex> hold(*log_mutex);
        std::cerr << text;  // one write a line (std::cerr is unbuffered)
      });
  if (!server) return cli.fail(server.error());
  CLI_TRY(port, (*server)->bind());
  const std::string host =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  {
    std::lock_guard<std::mutex> hold(*log_mutex);
    std::cerr << "serving " << options.repo.string() << " at http://" << host << ":" << *port
              << std::endl;
  }

  std::atomic<bool> done{false};
  RepoServer* raw = server->get();
  std::thread watcher([&done, &signals, raw] {
    timespec tick{0, 200 * 1000 * 1000};
    while (!done) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        raw->stop();
        return;
      }
    }
  });
  (*server)->run();
  done = true;
  watcher.join();
  cli.info("stopped");
  return 0;
}

}  // namespace

void register_serve_command(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve",
                                 "Serve a folder repo over HTTP (reads, and publishes "
                                 "with a token)");
  cmd->add_option("PATH", args->repo, "The folder repo to serve")->required();
  cmd->add_option("--bind", args->bind, "ADDR:PORT to listen on (port 0: any free port)")
      ->required();
  cmd->add_option("--token-file", args->token_file,
                  "Tokens that may read and write, one a line (no file: no writes)");
  cmd->add_option("--read-token-file", args->read_token_file,
                  "Tokens that may only read; when given, reads need a token");
  cmd->add_option("--max-body", args->max_body,
                  "Largest object upload in bytes (default 64 GiB; publish bodies: 64 MiB)");
  ServeOptions& limits = args->limits;
  cmd->add_option("--head-timeout", limits.head_timeout_seconds,
                  "Seconds a request head may take from its first byte (default 10)");
  cmd->add_option("--idle-timeout", limits.idle_timeout_seconds,
                  "Seconds to wait for a request on an open connection (default 2)");
  cmd->add_option("--max-connections", limits.max_connections,
                  "Open connections, beyond which new ones get 503 (default 1024)");
  cmd->add_option("--max-partial-heads", limits.max_partial_heads_per_client,
                  "Connections of one address in the middle of a request head (default 32)");
  cmd->add_option("--threads", limits.threads,
                  "Request threads; each serves one connection while it is open (default 128)");
  cmd->callback([&cli, args] { cli.action = [&cli, args]() -> int { return serve(cli, *args); }; });
}

}  // namespace reel::cli
