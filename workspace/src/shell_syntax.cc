// Shell quoting and assignments (shell_syntax.h).
#include "reel/workspace/shell_syntax.h"

#include <cstring>

namespace reel {

Result<ShellKind> parse_shell_kind(std::string_view name) {
  if (name == "bash" || name == "zsh" || name == "sh" || name == "dash" || name == "ksh")
    return ShellKind::kPosix;
  if (name == "fish") return ShellKind::kFish;
  if (name == "powershell" || name == "pwsh") return ShellKind::kPowerShell;
  return make_error(
      ErrorCode::kInvalidArgument,
      "unknown shell '" + std::string(name) + "' (expected bash, zsh, fish, powershell or json)");
}

std::string posix_quote(std::string_view text) {
  bool bare = !text.empty();
  for (char c : text) {
    bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                (c != '\0' && std::strchr("_@%+=:,./-", c) != nullptr);
    if (!safe) bare = false;
  }
  if (bare) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string fish_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string powershell_quote(std::string_view text) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') {
      out += "''";
      continue;
    }
    // U+2018..U+201B in UTF-8: E2 80 98..9B.
    if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) >= 0x98 &&
        static_cast<unsigned char>(text[i + 2]) <= 0x9B) {
      std::string_view quote = text.substr(i, 3);
      out.append(quote);
      out.append(quote);
      i += 2;
      continue;
    }
    out += c;
  }
  return out + "'";
}

std::string shell_assignment(ShellKind shell, const std::string& name,
                             const std::optional<std::string>& value) {
  switch (shell) {
    case ShellKind::kPosix:
      return value ? "export " + name + "=" + posix_quote(*value) : "unset " + name;
    case ShellKind::kFish: {
      if (!value) return "set -e " + name;
      std::string line = "set -gx " + name;
      bool path_list = name.size() >= 4 && name.compare(name.size() - 4, 4, "PATH") == 0;
      if (!path_list) return line + " " + fish_quote(*value);
      // fish keeps *PATH variables as lists and joins them with ':' when it exports them.
      std::size_t start = 0;
      while (start <= value->size()) {
        std::size_t end = value->find(':', start);
        if (end == std::string::npos) end = value->size();
        line += " " + fish_quote(std::string_view(*value).substr(start, end - start));
        start = end + 1;
      }
      return line;
    }
    case ShellKind::kPowerShell:
      return value ? "$env:" + name + " = " + powershell_quote(*value)
                   : "Remove-Item -ErrorAction SilentlyContinue Env:" + name;
  }
  return "";
}

std::string substitute_root_quoted(std::string_view text, const std::filesystem::path& root) {
  std::string quoted = posix_quote(root.string());
  std::string out;
  std::size_t pos = 0;
  for (std::size_t at; (at = text.find("{root}", pos)) != std::string_view::npos; pos = at + 6) {
    out.append(text.substr(pos, at - pos));
    out += quoted;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace reel
