// reel: entry point. Parses global options with CLI11, dispatches to the command files, and maps
// results to exit codes (0 success, 1 failure, 2 usage; CLI11's own parse-error code 109 is never
// returned).
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "cli.h"
#include "reel/workspace/credentials.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/progress.h"

extern char** environ;

namespace reel::cli {

class Cli::TerminalReporter : public Reporter {
 public:
  explicit TerminalReporter(const Cli& cli) : cli_(cli) {}
  void warn(std::string_view message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::cerr << (cli_.color_stderr() ? "\033[33mwarning:\033[0m " : "warning: ") << message
              << "\n";
  }
  void info(std::string_view message) override {
    if (cli_.options.quiet) return;
    std::lock_guard<std::mutex> lock(mutex_);
    std::cerr << message << "\n";
  }
  // -v / -vv (storage/detail.h): `debug: ` lines at level 1 and `trace: ` lines at level 2 on
  // stderr (uv's -v and -vv are its debug and trace levels); -q wins over -v.
  int detail_level() const override { return cli_.options.quiet ? 0 : cli_.options.verbose; }
  void detail(int level, std::string_view message) override {
    if (level < 1 || level > detail_level()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    // A progress line being drawn is erased first; the next update draws it again below.
    if (!current_.empty() && drawn_ != std::chrono::steady_clock::time_point{}) {
      std::cerr << "\r\033[K";
      drawn_ = {};
    }
    std::cerr << (level == 1 ? "debug: " : "trace: ") << message << "\n";
  }
  // A progress line on stderr when it is a terminal (not with -q, --json or --no-progress),
  // redrawn at most 10 times a second and erased when the transfer finishes.
  void progress(const TransferStatus& status) override {
    if (cli_.options.quiet || cli_.options.json || cli_.options.no_progress ||
        !isatty(STDERR_FILENO))
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (status.what != current_) {
      current_ = std::string(status.what);
      started_ = now;
      drawn_ = {};
    }
    if (status.finished) {
      if (drawn_ != std::chrono::steady_clock::time_point{}) std::cerr << "\r\033[K" << std::flush;
      current_.clear();
      return;
    }
    if (now - drawn_ < std::chrono::milliseconds(100)) return;
    drawn_ = now;
    winsize size{};
    std::size_t width = ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0
                            ? size.ws_col - 1
                            : 79;
    double seconds = std::chrono::duration<double>(now - started_).count();
    std::cerr << "\r" << progress_line(status, seconds, width) << "\033[K" << std::flush;
  }

 private:
  const Cli& cli_;
  std::mutex mutex_;
  std::string current_;  // the transfer on the line
  std::chrono::steady_clock::time_point started_, drawn_;
};

Cli::Cli() : started_(std::chrono::steady_clock::now()) {}
Cli::~Cli() = default;

void Cli::detail(int level, std::string_view line) {
  if (!detail_on(level)) return;
  if (reporter_) {
    reporter_->detail(level, line);
    return;
  }
  std::cerr << (level == 1 ? "debug: " : "trace: ") << line << "\n";
}

int Cli::finish(int code) {
  if (!detail_on(1)) return code;
  if (reporter_) {
    const DetailCounters& c = reporter_->counters();
    auto n = [](const std::atomic<std::uint64_t>& a) { return a.load(); };
    if (n(c.index_files) > 0) {
      std::string line = "index files: " + std::to_string(n(c.index_files)) + " read (" +
                         std::to_string(n(c.index_cache_stat)) + " from the index cache by stat, " +
                         std::to_string(n(c.index_cache_digest)) + " by digest, " +
                         std::to_string(n(c.index_parsed)) + " parsed)";
      if (n(c.index_not_modified) + n(c.index_fetched) > 0)
        line += "; HTTP: " + std::to_string(n(c.index_not_modified)) + " not modified (304), " +
                std::to_string(n(c.index_fetched)) + " fetched";
      detail(1, line);
    }
    if (n(c.http_requests) > 0)
      detail(1, "http: " + plural_count(n(c.http_requests), "request") + ", " +
                    human_bytes(n(c.http_bytes)) + " received");
  }
  detail(1, command + ": exit " + std::to_string(code) + " after " + elapsed_text(started_));
  return code;
}

fs::path Cli::start_dir() const {
  std::error_code ec;
  fs::path dir = options.directory.empty() ? fs::current_path(ec) : fs::path(options.directory);
  return fs::absolute(dir, ec).lexically_normal();
}

namespace {

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

}  // namespace

Result<const UserConfig*> Cli::user_config() {
  if (!user_config_) {
    if (!fs_) fs_ = make_real_file_system();
    auto loaded = load_user_config(*fs_, process_environment());
    if (!loaded) return tl::unexpected(loaded.error());
    user_config_ = std::move(*loaded);
  }
  return &*user_config_;
}

Result<Context*> Cli::context() {
  if (context_) return context_.get();
  std::map<std::string, std::string> env = process_environment();
  auto user = user_config();
  if (!user) return tl::unexpected(user.error());
  // The cache: --cache-dir, then $REEL_CACHE_DIR, then the user config, then the XDG default.
  fs::path cache_override = options.cache_dir;
  if (cache_override.empty() && env.count("REEL_CACHE_DIR") == 0)
    cache_override = (*user)->cache_dir;
  auto cache_dir = default_cache_dir(env, cache_override);
  if (!cache_dir) return tl::unexpected(cache_dir.error());
  // HTTP transfers at once: $REEL_PARALLEL_TRANSFERS (1-64), then the user config.
  int parallel = (*user)->parallel_transfers;
  if (auto it = env.find("REEL_PARALLEL_TRANSFERS"); it != env.end()) {
    char* end = nullptr;
    long n = std::strtol(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || n < 1 || n > 64)
      return make_error(ErrorCode::kInvalidArgument,
                        "REEL_PARALLEL_TRANSFERS=" + it->second + ": expected a whole number 1-64");
    parallel = static_cast<int>(n);
  }
  env.erase(std::string(kCommandLineTokenKey));  // only --token-file sets it
  if (!options.token_file.empty()) {
    // The user's choice for this command: every HTTP repo it opens gets the token, over https or
    // to loopback (credentials.h).
    fs::path file = fs::absolute(options.token_file);
    auto token = read_token_file(*fs_, file);
    if (!token) return tl::unexpected(token.error().with_context("--token-file"));
    env[std::string(kCommandLineTokenKey)] = *token;
  }
  if (!options.ca_file.empty()) {
    // Likewise the CA bundle goes where REEL_CA_FILE would (checked when a repo is opened).
    env["REEL_CA_FILE"] = fs::absolute(options.ca_file).lexically_normal().string();
  }
  clock_ = make_system_clock();
  cache_ = std::make_unique<Cache>(*fs_, *cache_dir);
  reporter_ = std::make_unique<TerminalReporter>(*this);
  context_.reset(new Context{*fs_, *clock_, *cache_, *reporter_, std::move(env), parallel});
  return context_.get();
}

Result<std::unique_ptr<Repo>> Cli::open_repo_url(const std::string& url) {
  auto ctx = context();
  if (!ctx) return tl::unexpected(ctx.error());
  RepoOpenOptions options = repo_open_options(**ctx);
  add_credentials(**ctx, url, nullptr, options, credential_warnings_);
  return open_repo((*ctx)->fs, url, options);
}

Result<Workspace*> Cli::workspace() {
  if (workspace_) return &*workspace_;
  auto ctx = context();
  if (!ctx) return tl::unexpected(ctx.error());
  auto ws = Workspace::find(**ctx, start_dir());
  if (!ws) return tl::unexpected(ws.error());
  workspace_.emplace(std::move(*ws));
  return &*workspace_;
}

bool Cli::color_stderr() const {
  // --color, then $NO_COLOR (https://no-color.org), then the user config, then auto.
  std::string color = options.color;
  if (color.empty() && std::getenv("NO_COLOR") != nullptr) color = "never";
  if (color.empty() && user_config_) color = user_config_->color;
  if (color == "always") return true;
  if (color == "never") return false;
  return isatty(STDERR_FILENO);
}

std::string json_error_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kCorruption:
      return "corruption";
    case ErrorCode::kIOError:
      return "io_error";
    case ErrorCode::kNoSpace:
      return "no_space";
    case ErrorCode::kNetwork:
      return "network";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kCancelled:
      return "cancelled";
  }
  return "failure";
}

void print_json_error(std::string_view code, std::string_view message, std::string_view hint) {
  nlohmann::json error = {{"code", std::string(code)}, {"message", std::string(message)}};
  error["hint"] = hint.empty() ? nlohmann::json() : nlohmann::json(std::string(hint));
  std::cout << nlohmann::json{{"error", error}}.dump(2) << "\n";
}

int Cli::fail(const Error& error, std::string_view hint) {
  return report_failure(json_error_code(error.code), error.message,
                        hint.empty() ? std::string_view(error.hint) : hint);
}

int Cli::fail(std::string_view message, std::string_view hint) {
  return report_failure("failure", message, hint);
}

int Cli::usage_fail(std::string_view message, std::string_view hint) {
  return report_failure("usage", message, hint) + 1;
}

int Cli::report_failure(std::string_view code, std::string_view message, std::string_view hint) {
  std::cerr << (color_stderr() ? "\033[31merror:\033[0m " : "error: ") << message << "\n";
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  // A command that printed its result already (verify's {"ok": false, ...}) keeps stdout one
  // document: the result stands for the failure.
  if (options.json && !json_printed_) print_json_error(code, message, hint);
  return 1;
}

void Cli::out(std::string_view line) {
  if (options.json) return;
  std::cout << line << "\n";
}

void Cli::done(std::string_view line) {
  if (options.quiet) return;
  out(line);
}

void Cli::info(std::string_view line) {
  if (options.quiet) return;
  std::cerr << line << "\n";
}

void Cli::print_json(const nlohmann::json& value) {
  std::cout << value.dump(2) << "\n";
  json_printed_ = true;
}

Result<LockFile> require_lock(Workspace& ws) {
  auto lock = ws.read_lock();
  if (!lock) return tl::unexpected(lock.error());
  if (!*lock)
    return make_error(ErrorCode::kNotFound,
                      ws.lock_path().string() + " does not exist (run `reel lock`)");
  return std::move(**lock);
}

std::vector<std::string> split_passthrough(int argc, char** argv, Passthrough& rest) {
  std::vector<std::string> all(argv, argv + argc);
  // Global options that take a value as the next word (CLI11 also takes -CDIR and --opt=VALUE).
  auto takes_value = [](const std::string& a) {
    return a == "-C" || a == "--cache-dir" || a == "--token-file" || a == "--ca-file" ||
           a == "--color";
  };
  std::size_t i = 1;
  while (i < all.size() && all[i] != "run" && all[i] != "shell") {
    if (all[i].empty() || all[i][0] != '-' || all[i] == "--") return all;  // another command
    i += takes_value(all[i]) ? 2 : 1;
  }
  if (i >= all.size()) return all;
  std::size_t j = i + 1;
  while (j < all.size() && all[j] != "--" && !all[j].empty() && all[j][0] == '-' && all[j] != "-")
    j += takes_value(all[j]) ? 2 : 1;
  if (j >= all.size()) return all;
  rest.after_dashdash = all[j] == "--";
  rest.words.assign(all.begin() + static_cast<std::ptrdiff_t>(j + (rest.after_dashdash ? 1 : 0)),
                    all.end());
  all.resize(j);
  return all;
}

std::string plural(std::uint64_t n, std::string_view noun, std::string_view plural_noun) {
  std::string out = std::to_string(n) + " ";
  if (n == 1) return out + std::string(noun);
  return out + (plural_noun.empty() ? std::string(noun) + "s" : std::string(plural_noun));
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += separator;
    out += words[i];
  }
  return out;
}

std::string nearest_word(const std::vector<std::string>& candidates, const std::string& word) {
  // Levenshtein distance (Wagner-Fischer, one row), on lower-case text.
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::string w = lower(word);
  std::string best;
  std::size_t best_distance = 3;
  for (const std::string& candidate : candidates) {
    std::string name = lower(candidate);
    std::size_t d = distance(w, name);
    if (w.size() >= 2 && name.compare(0, w.size(), w) == 0) d = std::min<std::size_t>(d, 1);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string nearest_command(const CLI::App& app, const std::string& word) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return nearest_word(names, word);
}

namespace {

// A usage error (exit 2): `error:` / `hint:` on stderr and, when the words include --json
// (before CLI11 parsed them), {"error": {"code": "usage", ...}} on stdout (docs/json.md).
void usage_error(const std::string& message, const std::string& hint,
                 const std::vector<std::string>& args) {
  std::cerr << "error: " << message << "\n"
            << "hint: " << hint << "\n";
  if (std::find(args.begin() + 1, args.end(), "--json") != args.end())
    print_json_error("usage", message, hint);
}

// Checks the command words of `args` (what CLI11 will parse) before parsing: the first word that
// is not a global option must name a command, and the word after a command group (repo, export,
// import) one of its commands. Prints `error: unknown command …` with the nearest name and
// returns 2 for a word that names none; returns 0 when the words are fine (CLI11 reports the rest).
int check_command_words(const CLI::App& app, const std::vector<std::string>& args) {
  auto takes_value = [](const std::string& a) {
    return a == "-C" || a == "--cache-dir" || a == "--token-file" || a == "--ca-file" ||
           a == "--color";
  };
  std::size_t i = 1;
  while (i < args.size() && !args[i].empty() && args[i][0] == '-' && args[i] != "--")
    i += takes_value(args[i]) ? 2 : 1;
  if (i >= args.size() || args[i] == "--") return 0;  // no command: CLI11 says so
  const CLI::App* level = &app;
  std::string path = "reel";
  for (int depth = 0; depth < 2 && i < args.size(); ++depth, ++i) {
    const std::string& word = args[i];
    const CLI::App* found = nullptr;
    for (const CLI::App* sub : level->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(word)) found = sub;
    }
    if (found == nullptr) {
      if (!word.empty() && word[0] == '-') return 0;  // an option of the group: CLI11's
      std::string near = nearest_command(*level, word);
      usage_error("unknown command '" + word + "'" + (level == &app ? "" : " for '" + path + "'"),
                  (near.empty() ? "" : "did you mean '" + near + "'? ") + "run `" + path +
                      " --help` for the commands",
                  args);
      return 2;
    }
    if (found->get_subcommands([](const CLI::App*) { return true; }).empty()) return 0;
    level = found;
    path += " " + word;
  }
  return 0;
}

// The command whose usage a parse error concerns ("reel", "reel repo add"), for the hint.
std::string failing_command(const CLI::App& app) {
  std::string path = "reel";
  const CLI::App* level = &app;
  while (true) {
    auto parsed = level->get_subcommands();
    if (parsed.empty()) return path;
    level = parsed.front();
    path += " " + level->get_name();
  }
}

}  // namespace

}  // namespace reel::cli

int main(int argc, char** argv) {
  using reel::cli::Cli;
  Cli cli;
  CLI::App app{"reel: a package-based asset pipeline engine", "reel"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("-V,--version", reel::cli::version_line(), "Print reel's version and exit");
  app.add_option("-C", cli.options.directory, "Run as if reel was started in DIR");
  app.add_option("--cache-dir", cli.options.cache_dir,
                 "Cache directory (default: $REEL_CACHE_DIR, "
                 "$XDG_CACHE_HOME/reel, ~/.cache/reel)");
  app.add_option("--token-file", cli.options.token_file,
                 "HTTP repos: send the bearer token in FILE to every repo this command opens "
                 "(https or loopback; over $REEL_TOKEN; docs/http.md)");
  app.add_option("--ca-file", cli.options.ca_file,
                 "https repos: trust the CAs in this PEM FILE (a studio CA; instead of "
                 "$REEL_CA_FILE and a repo's ca-file key)");
  app.add_flag("-q,--quiet", cli.options.quiet,
               "Print only errors, warnings and results (not what was done; wins over -v)");
  app.add_flag("-v,--verbose", cli.options.verbose,
               "Say each step on stderr (debug: lines); -vv also each request, index file and "
               "package (trace: lines)");
  app.add_flag("--json", cli.options.json, "Machine-readable result on stdout");
  app.add_flag("--no-progress", cli.options.no_progress, "No progress display");
  app.add_option("--color", cli.options.color,
                 "Colour on stderr: auto, always or never (default: $NO_COLOR, the user "
                 "config's color, auto)")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  reel::cli::register_repo_commands(app, cli);
  reel::cli::register_output_commands(app, cli);
  reel::cli::register_install_commands(app, cli);
  reel::cli::register_inspect_commands(app, cli);
  reel::cli::register_env_commands(app, cli);
  reel::cli::register_pipeline_commands(app, cli);
  reel::cli::register_semver_command(app, cli);
  reel::cli::register_impact_commands(app, cli);
  reel::cli::register_cache_commands(app, cli);
  reel::cli::register_serve_command(app, cli);
  reel::cli::register_bundle_commands(app, cli);
  reel::cli::register_catalog_commands(app, cli);
  reel::cli::register_review_commands(app, cli);
  reel::cli::register_version_commands(app, cli);
  reel::cli::register_completions_command(app, cli);
  reel::cli::finish_help(app);

  std::vector<std::string> args = reel::cli::split_passthrough(argc, argv, cli.passthrough);
  std::vector<const char*> arg_ptrs;
  for (const auto& a : args) arg_ptrs.push_back(a.c_str());
  if (int code = reel::cli::check_command_words(app, args); code != 0) return code;
  try {
    app.parse(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // 0, prints help
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A usage error: exit 2, in reel's own `error:` / `hint:` form (CLI11 would print its bare
    // message and exit 109 or 106).
    std::string message = e.what();
    if (message == "A subcommand is required") message = "no command given";
    reel::cli::usage_error(
        message, "run `" + reel::cli::failing_command(app) + " --help` for its usage", args);
    return 2;
  }
  if (!cli.action) return cli.usage_fail("no command given", "run `reel --help`");
  cli.command = reel::cli::failing_command(app);
  try {
    return cli.finish(cli.action());
  } catch (const std::exception& e) {
    return cli.finish(cli.fail(std::string("internal error: ") + e.what()));
  }
}
