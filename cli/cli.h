// The command-line harness shared by every command file: global options, the context (seams,
// cache, reporter) built once, the workspace found on demand, and output helpers. Only cli/ turns
// errors into text and exit codes (0 success, 1 failure, 2 usage).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/cache.h"
#include "reel/storage/clock.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"
#include "reel/workspace/context.h"
#include "reel/workspace/user_config.h"
#include "reel/workspace/workspace.h"

namespace reel::cli {

struct GlobalOptions {
  std::string directory;  // -C
  std::string cache_dir;  // --cache-dir
  std::string token_file;  // --token-file: HTTP bearer token (first non-comment line) for every
                           // repo the command opens, over REEL_TOKEN (credentials.h)
  std::string ca_file;     // --ca-file: PEM CA bundle for https repos, over REEL_CA_FILE
  bool quiet = false;     // -q
  int verbose = 0;        // -v (repeatable)
  bool json = false;      // --json
  bool no_progress = false;
  std::string color;  // --color: auto, always, never; "" = not given (color_stderr())
};

// `reel run` and `reel shell` take the rest of the command line as it is (a command and its
// options, which CLI11 must not parse): main() splits it off before parsing. `words` is what
// follows the subcommand and its options; `after_dashdash` says a `--` came first (then the
// words are always a command, never a script).
struct Passthrough {
  std::vector<std::string> words;
  bool after_dashdash = false;
};
// State for one invocation. Commands register with CLI11 and set `action`, which main() runs
// after parsing; the action returns the exit code.
class Cli {
 public:
  Cli();
  ~Cli();

  GlobalOptions options;
  std::function<int()> action;
  std::string command;      // "reel lock": the command run (for -v's last line)
  Passthrough passthrough;  // `reel run` / `reel shell` (split_passthrough)

  // The directory commands run in (-C, else the current directory), absolute.
  fs::path start_dir() const;
  // The context, created on first use: the cache from --cache-dir, $REEL_CACHE_DIR, the user
  // config's cache-dir, else the XDG default; parallel transfers from $REEL_PARALLEL_TRANSFERS,
  // else the user config. Errors: a malformed user config or environment value.
  Result<Context*> context();
  // The user config (user_config.h), read on first use; empty if there is none.
  Result<const UserConfig*> user_config();
  // The workspace containing start_dir(), found and opened on first use.
  Result<Workspace*> workspace();
  // Opens a repo named by URL or path outside a workspace (reel init --repo, repo add, rdeps
  // --repo): HTTP repos get the cache's http-v1/ folder and the credentials add_credentials()
  // chooses for the URL alone (no repo keys; warnings once a command). open_repo's errors.
  Result<std::unique_ptr<Repo>> open_repo_url(const std::string& url);

  // Prints `error: MESSAGE` (and `hint: HINT` if non-empty) to stderr; returns 1. Under --json
  // also {"error": {"code", "message", "hint"}} on stdout (docs/json.md): the code is the
  // ErrorCode's name ("not_found", "invalid_argument", ...) or "failure" for the second form.
  int fail(const Error& error, std::string_view hint = {});
  int fail(std::string_view message, std::string_view hint = {});
  // A usage error found after parsing (`reel add` with nothing to add): as fail(), with the JSON
  // code "usage"; returns 2.
  int usage_fail(std::string_view message, std::string_view hint = {});
  // A line of normal output on stdout (suppressed with --json, which prints print_json instead).
  void out(std::string_view line);
  // A line saying what the command did ("created repo …", "published …", "synced: …"): stdout
  // like out(), but silent under -q (uv's and cargo's -q: nothing but errors) and --json.
  void done(std::string_view line);
  // A step report on stderr, unless -q.
  void info(std::string_view line);
  // Ends the command: at -v, the summary lines on stderr (index files read and where from, HTTP
  // requests and bytes, then "reel lock: exit 0 after 12.3 ms"); returns `code`.
  int finish(int code);
  // Whether detail lines at `level` (1: -v, 2: -vv) are shown (never with -q).
  bool detail_on(int level) const { return !options.quiet && options.verbose >= level; }
  // A detail line (level 1 `debug: `, level 2 `trace: `) on stderr, through the reporter.
  void detail(int level, std::string_view line);
  // Prints a JSON document on stdout (for --json).
  void print_json(const nlohmann::json& value);
  bool json() const { return options.json; }
  // Whether stderr gets ANSI colours (--color, isatty).
  bool color_stderr() const;

 private:
  int report_failure(std::string_view code, std::string_view message, std::string_view hint);
  class TerminalReporter;
  std::unique_ptr<FileSystem> fs_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<TerminalReporter> reporter_;
  std::unique_ptr<Context> context_;
  std::optional<Workspace> workspace_;
  std::set<std::string> credential_warnings_;  // shown already (open_repo_url)
  bool json_printed_ = false;                  // print_json ran: no error object after it
  std::chrono::steady_clock::time_point started_;  // when the command began (-v's wall time)
  std::optional<UserConfig> user_config_;
};

// The workspace's reel.lock; kNotFound "…/reel.lock does not exist (run `reel lock`)" if there
// is none, the read's errors otherwise.
Result<LockFile> require_lock(Workspace& ws);

// Splits argv for `run` / `shell`: returns the arguments CLI11 parses (argv[0], the global
// options, the subcommand and its options) and fills `rest`. Other commands: argv unchanged.
std::vector<std::string> split_passthrough(int argc, char** argv, Passthrough& rest);

// Each command group lives in its own file and registers its subcommands here.
void register_repo_commands(CLI::App& app, Cli& cli);    // repo init|add|list, init
void register_output_commands(CLI::App& app, Cli& cli);  // new, edit, bump, build, publish, promote
void register_install_commands(CLI::App& app, Cli& cli);  // add, remove, lock, sync
void register_inspect_commands(CLI::App& app, Cli& cli);  // tree, why, export, verify
void register_env_commands(CLI::App& app, Cli& cli);      // env, run, shell, scripts
void register_pipeline_commands(CLI::App& app, Cli& cli);  // status, ingest
void register_semver_command(CLI::App& app, Cli& cli);    // semver
void register_impact_commands(CLI::App& app, Cli& cli);   // rdeps, outdated
void register_cache_commands(CLI::App& app, Cli& cli);    // gc
void register_serve_command(CLI::App& app, Cli& cli);     // serve
void register_bundle_commands(CLI::App& app, Cli& cli);   // export bundle, import bundle (after inspect)
void register_version_commands(CLI::App& app, Cli& cli);  // version, help
void register_review_commands(CLI::App& app, Cli& cli);  // review list|approve|reject, yank, unyank
void register_catalog_commands(CLI::App& app, Cli& cli);  // list, search, show, log

// The JSON error code of an ErrorCode ("not_found", "invalid_argument", "io_error", ...).
std::string json_error_code(ErrorCode code);
// Prints {"error": {"code": CODE, "message": MESSAGE, "hint": HINT or null}} on stdout.
void print_json_error(std::string_view code, std::string_view message, std::string_view hint);
void register_completions_command(CLI::App& app, Cli& cli);  // completions (register it last)

// Gives every command's help reel's manners (help.cc): metavars for CLI11's TEXT/INT, excluded
// options said in the description, the global options in a footer. Call after registering.
void finish_help(CLI::App& app);

// "reel 0.1.0 (COMMIT, BUILD TYPE)": what `reel --version` prints (cmd_version.cc).
std::string version_line();
// Whether any of `repos` (label, repo) has a package `name` (case-insensitive). If none has:
// kNotFound "no package 'Tabel' in blessed (/studio/blessed), review (/studio/review)" with the
// hint "did you mean 'Table'?" when a repo holds a near name. Errors reading an index.
Status check_package_known(const std::vector<std::pair<std::string, Repo*>>& repos,
                           const std::string& name);
// The same for a workspace: an output of that name counts as known; otherwise the name is looked
// up in its [sources] repo if pinned, else the install repos (cli/unknown.cc).
Status check_package_known(Workspace& ws, const std::string& name);

// The workspace's repo named `name`, or kNotFound "the workspace has no repo named 'X'" with a
// hint naming its repos and the nearest one.
Result<RepoConfig*> find_workspace_repo(WorkspaceConfig& config, const std::string& name);
// Whether outputs/ holds `name` (case-insensitive); kNotFound with the nearest output otherwise.
Status check_output_known(Workspace& ws, const std::string& name);

// "1 file", "2 files": `n` and `noun`, plus "s" unless n == 1 (`plural_noun` for irregular ones).
std::string plural(std::uint64_t n, std::string_view noun, std::string_view plural_noun = {});
// The words joined with `separator` ("a, b, c").
std::string join(const std::vector<std::string>& words, std::string_view separator);
// The candidate nearest to `word`, ignoring case: Levenshtein distance at most 2, or `word` (at
// least 2 characters) a prefix of it; "" if none is near. The first of equally near ones wins.
std::string nearest_word(const std::vector<std::string>& candidates, const std::string& word);
// The name of `app`'s subcommand nearest to `word` (Levenshtein distance at most 2, or `word` a
// prefix of it, at least 2 characters), or "" if none is near: for "did you mean" hints.
std::string nearest_command(const CLI::App& app, const std::string& word);

}  // namespace reel::cli

// Evaluates a Result expression into `var`; on error prints it and returns exit code 1.
#define CLI_TRY(var, expr) \
  auto var = (expr);       \
  if (!var) return cli.fail(var.error())
