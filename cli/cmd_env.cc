// `reel env|run|shell|scripts`: the workspace environment, and running things in it.
#include <cstdio>

#include "cli.h"
#include "reel/workspace/environment.h"
#include "reel/workspace/interactive_shell.h"
#include "reel/workspace/scripts.h"
#include "reel/workspace/shell_syntax.h"

namespace reel::cli {
namespace {

std::optional<std::string> lookup(const std::map<std::string, std::string>& m,
                                  const std::string& name) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// The environment for the workspace's lock (required) with its warnings shown.
Result<WorkspaceEnvironment> environment(Workspace& ws, LockFile& lock) {
  auto env = workspace_environment(ws, &lock);
  if (!env) return env;
  for (const auto& w : env->warnings) ws.context().reporter.warn(w);
  return env;
}

// What a process started by `reel run` / `reel shell` ended with, as reel's exit code: the
// child's own, or 127 when it could not be started (a shell's rule).
int finish(Cli& cli, const Result<ProcessOutcome>& outcome) {
  if (!outcome) {
    cli.fail(outcome.error());
    return outcome.error().code == ErrorCode::kNotFound ? 127 : 1;
  }
  return outcome->exit_code;
}

}  // namespace

void register_env_commands(CLI::App& app, Cli& cli) {
  struct Env {
    std::string shell;
    bool diff = false;
  };
  auto en = std::make_shared<Env>();
  auto* env = app.add_subcommand("env", "Print the workspace environment, for a shell to eval");
  env->add_option("--shell", en->shell,
                  "bash (default), zsh, sh, fish, powershell, or json: the syntax to print")
      ->check(CLI::IsMember(
          {"bash", "zsh", "sh", "dash", "ksh", "fish", "powershell", "pwsh", "json"}));
  env->add_flag("--diff", en->diff, "Only what the workspace changes in the caller's environment");
  env->callback([&cli, en] {
    cli.action = [&cli, en]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      CLI_TRY(vars, environment(**ws, *lock));
      // The variables the workspace sets, in the order first touched; --diff keeps the ones
      // whose value differs from the caller's.
      std::vector<std::string> names;
      for (const auto& n : vars->touched) {
        if (!en->diff || lookup(vars->base, n) != lookup(vars->variables, n)) names.push_back(n);
      }
      if (cli.json() || en->shell == "json") {
        // {"NAME": "value" or null (unset)} in the order above (nlohmann sorts keys).
        nlohmann::json out = nlohmann::json::object();
        for (const auto& n : names) {
          auto v = lookup(vars->variables, n);
          out[n] = v ? nlohmann::json(*v) : nlohmann::json();
        }
        cli.print_json(out);
        return 0;
      }
      if (en->diff && en->shell.empty()) {
        // For a person: + new, ~ changed (with the old value), - removed.
        for (const auto& n : names) {
          auto before = lookup(vars->base, n);
          auto after = lookup(vars->variables, n);
          if (!after)
            cli.out("- " + n + " (was " + *before + ")");
          else if (!before)
            cli.out("+ " + n + "=" + *after);
          else
            cli.out("~ " + n + "=" + *after + " (was " + *before + ")");
        }
        return 0;
      }
      CLI_TRY(kind, parse_shell_kind(en->shell.empty() ? "bash" : en->shell));
      for (const auto& n : names) cli.out(shell_assignment(*kind, n, lookup(vars->variables, n)));
      return 0;
    };
  });

  auto* run = app.add_subcommand(
      "run",
      "Run NAME:SCRIPT (or SCRIPT, when one asset offers it) or, after --, a command, in the "
      "workspace environment");
  run->footer(
      "usage: reel run NAME:SCRIPT [ARGS...] | reel run SCRIPT [ARGS...] | reel run -- CMD "
      "[ARGS...]\nWithout --, a word that names a script runs the script; anything else runs as "
      "a command.");
  run->callback([&cli] {
    cli.action = [&cli]() -> int {
      const Passthrough& rest = cli.passthrough;
      if (rest.words.empty()) {
        cli.fail("reel run needs a script or a command",
                 "reel run NAME:SCRIPT [ARGS...], or reel run -- CMD [ARGS...]");
        return 2;
      }
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      CLI_TRY(vars, environment(**ws, *lock));
      auto runner = make_process_runner();
      const fs::path cwd = cli.start_dir();
      std::fflush(stdout);
      if (!rest.after_dashdash && names_script(vars->assets, rest.words[0])) {
        auto script = find_script(vars->assets, rest.words[0]);
        if (!script) {
          std::string hint = script.error().code == ErrorCode::kConflict
                                 ? ""
                                 : "`reel scripts` lists what the workspace offers";
          return cli.fail(script.error(), hint);
        }
        std::vector<std::string> args(rest.words.begin() + 1, rest.words.end());
        return finish(cli, runner->run(script_request(*script, args, vars->variables, cwd)));
      }
      ProcessRequest request;
      request.argv = rest.words;
      request.environment = vars->variables;
      request.cwd = cwd;
      return finish(cli, runner->run(request));
    };
  });

  auto* shell = app.add_subcommand(
      "shell", "Start your $SHELL in the workspace environment (rez-env); -- CMD runs CMD in it");
  shell->callback([&cli] {
    cli.action = [&cli]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      CLI_TRY(vars, environment(**ws, *lock));
      std::string sh = lookup(vars->base, "SHELL").value_or("");
      if (sh.empty()) sh = "/bin/sh";
      auto here = lookup(vars->base, "REEL_SHELL");
      if (here && cli.passthrough.words.empty())
        cli.info("note: this is already a reel shell (of " + *here + "); exit returns to it");
      CLI_TRY(request, shell_request(**ws, *vars, sh, cli.passthrough.words, cli.start_dir()));
      if (cli.passthrough.words.empty())
        cli.info("reel shell: " + sh + " in " + (*ws)->config().name +
                 "'s environment; exit to leave");
      std::fflush(stdout);
      return finish(cli, make_process_runner()->run(*request));
    };
  });

  auto* scripts = app.add_subcommand("scripts", "List the scripts the workspace's assets offer");
  scripts->callback([&cli] {
    cli.action = [&cli]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      CLI_TRY(assets, environment_assets(**ws, &*lock));
      auto all = workspace_scripts(*assets);
      nlohmann::json out = nlohmann::json::array();
      std::size_t width = 0;
      for (const auto& s : all) width = std::max(width, s.asset.size() + 1 + s.name.size());
      for (const auto& s : all) {
        std::string spec = s.asset + ":" + s.name;
        std::string where = s.editable ? "outputs/" : "inputs/";
        cli.out(spec + std::string(width - spec.size() + 2, ' ') + s.command + "  (" + where +
                s.root.filename().string() + ")");
        out.push_back({{"asset", s.asset},
                       {"name", s.name},
                       {"command", s.command},
                       {"root", s.root.string()},
                       {"editable", s.editable}});
      }
      if (all.empty() && !cli.json()) cli.info("no asset in the workspace has [scripts]");
      if (cli.json()) cli.print_json(out);
      return 0;
    };
  });
}

}  // namespace reel::cli
