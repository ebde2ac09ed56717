// `reel completions bash|zsh|fish`: shell completion scripts generated from the CLI11 app as it
// is built at run time (its commands, subcommands and options), so they never drift from the
// command line. Each script carries three tables of "COMMAND:WORD" pairs (COMMAND is the command
// path, "" for reel itself, "repo add" for `reel repo add`): subcommands, options, and the options
// that take a value (so the word after one is skipped while the command path is worked out).
// Global options are listed under "" and apply at every level (they fall through).
#include <iostream>

#include "cli.h"

namespace reel::cli {
namespace {

struct Entry {
  std::string command;      // "" or "repo add"
  std::string word;         // "add", "--blessed", "-q"
  std::string description;  // one line
};

struct Tables {
  std::vector<Entry> subcommands, options;
  std::vector<std::pair<std::string, std::string>> valued;  // (command, option)
};

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

void walk(const CLI::App& app, const std::string& command, Tables& out) {
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) continue;
    bool takes_value = opt->get_type_size_min() > 0 && opt->get_expected_min() > 0;
    std::vector<std::string> names;
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    for (const auto& s : opt->get_snames()) names.push_back("-" + s);
    for (const auto& n : names) {
      if (n == "--help" && !command.empty()) continue;  // one --help is enough (the global one)
      out.options.push_back({command, n, first_line(opt->get_description())});
      if (takes_value) out.valued.emplace_back(command, n);
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    out.subcommands.push_back({command, sub->get_name(), first_line(sub->get_description())});
    walk(*sub, command.empty() ? sub->get_name() : command + " " + sub->get_name(), out);
  }
}

// A POSIX-shell single-quoted word (bash, zsh): ' becomes '\''.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A fish single-quoted word: \ and ' escaped with a backslash.
std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// The tables as sh array elements, one "COMMAND:WORD" a line.
std::string sh_array(const std::string& name, const std::vector<Entry>& entries) {
  std::string out = name + "=(\n";
  for (const auto& e : entries) out += "  " + sh_quote(e.command + ":" + e.word) + "\n";
  return out + ")\n";
}

std::string sh_valued(const std::string& name, const Tables& t) {
  std::string out = name + "=(\n";
  for (const auto& [command, word] : t.valued) out += "  " + sh_quote(command + ":" + word) + "\n";
  return out + ")\n";
}

std::string bash_script(const Tables& t) {
  std::string s = "# bash completion for reel, from `reel completions bash` (" + version_line() +
                  ").\n# Load it with: source <(reel completions bash)\n";
  s += sh_array("_reel_subcommands", t.subcommands);
  s += sh_array("_reel_options", t.options);
  s += sh_valued("_reel_valued", t);
  s += R"(
# _reel_in ITEM WORD...: whether ITEM is one of the words.
_reel_in() {
  local item=$1 e
  shift
  for e in "$@"; do [[ $e == "$item" ]] && return 0; done
  return 1
}

# _reel_valued_at COMMAND OPTION: whether OPTION takes a value there (or everywhere).
_reel_valued_at() {
  _reel_in ":$2" "${_reel_valued[@]}" || _reel_in "$1:$2" "${_reel_valued[@]}"
}

# _reel_command WORD...: the command path the words name ("" or "repo add").
_reel_command() {
  local cmd="" skip=0 w
  for w in "$@"; do
    if ((skip)); then skip=0; continue; fi
    if [[ $w == -* ]]; then
      if _reel_valued_at "$cmd" "$w"; then skip=1; fi
      continue
    fi
    if _reel_in "$cmd:$w" "${_reel_subcommands[@]}"; then cmd=${cmd:+$cmd }$w; fi
  done
  printf '%s' "$cmd"
}

_reel() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local cmd e words=""
  cmd=$(_reel_command "${COMP_WORDS[@]:1:COMP_CWORD-1}")
  if [[ $COMP_CWORD -gt 1 && $prev == -* ]] && _reel_valued_at "$cmd" "$prev"; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    for e in "${_reel_options[@]}"; do
      if [[ $e == ":"* || ${e%%:*} == "$cmd" ]]; then words+=" ${e#*:}"; fi
    done
  else
    for e in "${_reel_subcommands[@]}"; do
      if [[ ${e%%:*} == "$cmd" ]]; then words+=" ${e#*:}"; fi
    done
    if [[ -z $words ]]; then
      COMPREPLY=($(compgen -f -- "$cur"))
      return
    fi
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _reel reel
)";
  return s;
}

std::string zsh_script(const Tables& t) {
  std::string s = "#compdef reel\n# zsh completion for reel, from `reel completions zsh` (" +
                  version_line() +
                  ").\n# Load it with: source <(reel completions zsh)  (after compinit)\n";
  s += sh_array("_reel_subcommands", t.subcommands);
  s += sh_array("_reel_options", t.options);
  s += sh_valued("_reel_valued", t);
  s += "typeset -gA _reel_descriptions\n_reel_descriptions=(\n";
  for (const auto& e : t.subcommands)
    s += "  " + sh_quote(e.command + ":" + e.word) + " " + sh_quote(e.description) + "\n";
  for (const auto& e : t.options)
    s += "  " + sh_quote(e.command + ":" + e.word) + " " + sh_quote(e.description) + "\n";
  s += ")\n";
  s += R"(
_reel() {
  local cmd="" skip=0 w i e
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
    w=${words[i]}
    if ((skip)); then skip=0; continue; fi
    if [[ $w == -* ]]; then
      if (( ${_reel_valued[(Ie):$w]} || ${_reel_valued[(Ie)$cmd:$w]} )); then skip=1; fi
      continue
    fi
    if (( ${_reel_subcommands[(Ie)$cmd:$w]} )); then cmd=${cmd:+$cmd }$w; fi
  done
  local prev=${words[CURRENT-1]}
  if [[ $prev == -* ]] && (( ${_reel_valued[(Ie):$prev]} || ${_reel_valued[(Ie)$cmd:$prev]} )); then
    _files
    return
  fi
  if [[ ${words[CURRENT]} == -* ]]; then
    for e in $_reel_options; do
      if [[ $e == :* || ${e%%:*} == "$cmd" ]]; then
        candidates+=("${e#*:}:${_reel_descriptions[$e]//:/\\:}")
      fi
    done
    _describe -t options option candidates
    return
  fi
  for e in $_reel_subcommands; do
    if [[ ${e%%:*} == "$cmd" ]]; then
      candidates+=("${e#*:}:${_reel_descriptions[$e]//:/\\:}")
    fi
  done
  if (( ${#candidates} )); then
    _describe -t commands command candidates
  else
    _files
  fi
}
# Sourced: register; autoloaded from $fpath as _reel: complete now.
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
  _reel "$@"
else
  compdef _reel reel
fi
)";
  return s;
}

std::string fish_script(const Tables& t) {
  std::string s = "# fish completion for reel, from `reel completions fish` (" + version_line() +
                  ").\n# Load it with: reel completions fish | source\n";
  s += "set -g __reel_subcommands";
  for (const auto& e : t.subcommands) s += " " + fish_quote(e.command + ":" + e.word);
  s += "\nset -g __reel_valued";
  for (const auto& [command, word] : t.valued) s += " " + fish_quote(command + ":" + word);
  s += R"(

# The command path the words typed so far name ("" or "repo add").
function __reel_command
    set -l cmd ""
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $w
            if contains -- ":$w" $__reel_valued; or contains -- "$cmd:$w" $__reel_valued
                set skip 1
            end
            continue
        end
        if contains -- "$cmd:$w" $__reel_subcommands
            set cmd (string trim -- "$cmd $w")
        end
    end
    echo $cmd
end

function __reel_at
    set -l cmd (__reel_command)
    test "$cmd" = "$argv[1]"
end

complete -c reel -f
)";
  for (const auto& e : t.subcommands) {
    s += "complete -c reel -n " + fish_quote("__reel_at " + fish_quote(e.command)) + " -a " +
         fish_quote(e.word) + " -d " + fish_quote(e.description) + "\n";
  }
  for (const auto& e : t.options) {
    std::string flag = e.word.rfind("--", 0) == 0 ? " -l " + fish_quote(e.word.substr(2))
                                                  : " -s " + fish_quote(e.word.substr(1));
    bool valued = false;
    for (const auto& v : t.valued) valued = valued || (v.first == e.command && v.second == e.word);
    std::string condition =
        e.command.empty() ? "" : " -n " + fish_quote("__reel_at " + fish_quote(e.command));
    s += "complete -c reel" + condition + flag + (valued ? " -r -F" : "") + " -d " +
         fish_quote(e.description) + "\n";
  }
  return s;
}

}  // namespace

void register_completions_command(CLI::App& app, Cli& cli) {
  auto shell = std::make_shared<std::string>();
  auto* completions =
      app.add_subcommand("completions", "Print a shell completion script (bash, zsh or fish)");
  completions->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}))
      ->type_name("SHELL");
  completions->callback([&cli, &app, shell] {
    cli.action = [&app, shell]() -> int {
      Tables tables;
      walk(app, "", tables);
      std::cout << (*shell == "bash"  ? bash_script(tables)
                    : *shell == "zsh" ? zsh_script(tables)
                                      : fish_script(tables));
      return 0;
    };
  });
}

}  // namespace reel::cli
