// `reel serve REPO --bind ADDR:PORT`: a folder repo over HTTP with authenticated publish
// (docs/http.md, reel/server/repo_server.h). Logs one line a request on stderr; SIGINT/SIGTERM
// stop it cleanly (requests in progress finish, nothing half-written stays visible).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>

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
        std::lock_guard<std::mutex> hold(*log_mutex);
        std::cerr << line << "\n";
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
  cmd->add_option("repo", args->repo, "The folder repo to serve")->required();
  cmd->add_option("--bind", args->bind, "ADDR:PORT to listen on (port 0: any free port)")
      ->required();
  cmd->add_option("--token-file", args->token_file,
                  "Tokens that may read and write, one a line (no file: no writes)");
  cmd->add_option("--read-token-file", args->read_token_file,
                  "Tokens that may only read; when given, reads need a token");
  cmd->add_option("--max-body", args->max_body, "Largest request body in bytes (default 64 GiB)");
  cmd->callback([&cli, args] { cli.action = [&cli, args]() -> int { return serve(cli, *args); }; });
}

}  // namespace reel::cli
