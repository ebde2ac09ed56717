// `reel shell` (interactive_shell.h).
#include "reel/workspace/interactive_shell.h"

#include "reel/workspace/shell_syntax.h"

namespace reel {

Result<ProcessRequest> shell_request(Workspace& ws, const WorkspaceEnvironment& env,
                                     const std::string& shell,
                                     const std::vector<std::string>& command, const fs::path& cwd) {
  ProcessRequest r;
  r.environment = env.variables;
  r.environment["REEL_SHELL"] = ws.config().name;
  r.cwd = cwd;
  const std::string kind = fs::path(shell).filename().string();
  if (!command.empty()) {
    std::string text = command[0];
    if (command.size() > 1) {
      text.clear();
      for (const auto& w : command) text += (text.empty() ? "" : " ") + posix_quote(w);
    }
    r.argv = {shell, "-c", text};
    return r;
  }
  const std::string marker = "(reel:" + ws.config().name + ") ";
  FileSystem& fs = ws.context().fs;
  const fs::path dir = ws.root() / ".reel" / "shell";
  if (kind == "bash") {
    REEL_TRY(fs.create_directories(dir));
    fs::path rc = dir / "bashrc";
    REEL_TRY(fs.write_file_atomic(rc,
                                  "# written by `reel shell`: the user's ~/.bashrc, then the "
                                  "prompt marker\n"
                                  "[ -f ~/.bashrc ] && . ~/.bashrc\n"
                                  "PS1=" +
                                      posix_quote(marker) + "\"${PS1-\\$ }\"\n",
                                  false));
    r.argv = {shell, "--rcfile", rc.string(), "-i"};
  } else if (kind == "zsh") {
    fs::path zdot = dir / "zsh";
    REEL_TRY(fs.create_directories(zdot));
    auto it = env.base.find("ZDOTDIR");
    auto home = env.base.find("HOME");
    std::string user = it != env.base.end()     ? it->second
                       : home != env.base.end() ? home->second
                                                : std::string();
    r.environment["ZDOTDIR"] = zdot.string();
    r.environment["REEL_USER_ZDOTDIR"] = user;
    REEL_TRY(fs.write_file_atomic(
        zdot / ".zshenv",
        "# written by `reel shell`\n"
        "[ -f \"$REEL_USER_ZDOTDIR/.zshenv\" ] && . \"$REEL_USER_ZDOTDIR/.zshenv\"\n",
        false));
    REEL_TRY(fs.write_file_atomic(zdot / ".zshrc",
                                  "# written by `reel shell`: the user's .zshrc, then the prompt "
                                  "marker\n"
                                  "ZDOTDIR=\"$REEL_USER_ZDOTDIR\"\n"
                                  "[ -f \"$ZDOTDIR/.zshrc\" ] && . \"$ZDOTDIR/.zshrc\"\n"
                                  "PROMPT=" +
                                      posix_quote(marker) + "\"$PROMPT\"\n",
                                  false));
    r.argv = {shell, "-i"};
  } else if (kind == "fish") {
    r.argv = {shell, "-i", "--init-command",
              "functions -c fish_prompt _reel_fish_prompt 2>/dev/null; function fish_prompt; "
              "printf '%s' " +
                  fish_quote(marker) +
                  "; functions -q _reel_fish_prompt; and _reel_fish_prompt; end"};
  } else {
    auto ps1 = env.variables.find("PS1");
    r.environment["PS1"] = marker + (ps1 != env.variables.end() ? ps1->second : "$ ");
    r.argv = {shell, "-i"};
  }
  return r;
}

}  // namespace reel
