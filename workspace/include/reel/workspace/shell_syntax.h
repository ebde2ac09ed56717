// How shells spell an environment (`reel env --shell`, DESIGN §5): quoting for POSIX shells,
// fish and PowerShell, so `eval "$(reel env --shell bash)"` works for any value, a workspace
// path with spaces or quotes included. Pure: no I/O.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "reel/storage/error.h"

namespace reel {

enum class ShellKind {
  kPosix,       // bash, zsh, sh, dash, ksh: export NAME='value' / unset NAME
  kFish,        // set -gx NAME 'value' / set -e NAME (a *PATH variable as a list)
  kPowerShell,  // $env:NAME = 'value' / Remove-Item Env:NAME
};

// "bash", "zsh", "sh", "dash", "ksh" -> kPosix; "fish"; "powershell", "pwsh". kInvalidArgument
// naming the choices otherwise.
Result<ShellKind> parse_shell_kind(std::string_view name);

// `text` quoted for a POSIX shell: a bare word when it is non-empty and made only of
// [A-Za-z0-9_@%+=:,./-], else in single quotes with each ' written '\''.
std::string posix_quote(std::string_view text);
// `text` in fish's single quotes (\\ and \' escaped).
std::string fish_quote(std::string_view text);
// `text` in PowerShell's single quotes (each ' and each of U+2018-U+201B, which PowerShell also
// takes as a single quote, doubled).
std::string powershell_quote(std::string_view text);

// One line that sets (`value`) or removes (nullopt) variable `name` in `shell`. `name` must be
// a valid variable name (env_ops.h env_name_problem).
std::string shell_assignment(ShellKind shell, const std::string& name,
                             const std::optional<std::string>& value);

// `text` with every "{root}" replaced by posix_quote(root): how a script's or a step's command
// names its asset's folder (which may hold spaces). Scripts and steps run with /bin/sh -c.
std::string substitute_root_quoted(std::string_view text, const std::filesystem::path& root);

}  // namespace reel
