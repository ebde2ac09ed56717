// Which credentials an HTTP repo gets (credentials.h, docs/http.md "Credentials (client)").
#include "reel/workspace/credentials.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

#include "reel/workspace/workspace.h"

namespace reel {
namespace {

constexpr std::uint64_t kMaxTokenFileBytes = 64 * 1024;
constexpr std::uint64_t kMaxNetrcBytes = 1024 * 1024;
constexpr int kMaxSymlinks = 40;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

// A host name as reel accepts one in a URL: letters, digits, '.', '-' and '_'.
bool host_name_chars(std::string_view host) {
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
      return false;
  }
  return true;
}

// An IPv6 literal's characters (no zone id: a link-local address is no repo host).
bool ipv6_chars(std::string_view host) {
  for (char c : host) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return true;
}

// Whether a URL path could be resolved by a server to somewhere other than where it reads: a "."
// or ".." segment, a backslash, or a percent-encoded '.', '/' or '\'.
bool path_may_escape(std::string_view path) {
  std::string l = lower(path);
  if (l.find('\\') != std::string::npos || l.find("%2e") != std::string::npos ||
      l.find("%2f") != std::string::npos || l.find("%5c") != std::string::npos)
    return true;
  std::size_t pos = 0;
  while (pos <= l.size()) {
    std::size_t end = l.find('/', pos);
    if (end == std::string::npos) end = l.size();
    std::string_view segment = std::string_view(l).substr(pos, end - pos);
    if (segment == "." || segment == "..") return true;
    pos = end + 1;
  }
  return false;
}

// Whether `child` is strictly inside `parent` (both absolute and resolved), component by component.
bool is_inside(const fs::path& child, const fs::path& parent) {
  auto c = child.begin();
  for (auto p = parent.begin(); p != parent.end(); ++p, ++c) {
    if (c == child.end() || *c != *p) return false;
  }
  return c != child.end();
}

std::string env_value(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

std::vector<std::string> split_blanks(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t b = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > b) out.emplace_back(text.substr(b, i - b));
  }
  return out;
}

// Reads netrc tokens as libcurl does: blanks separate them, a "quoted" token may hold blanks and
// \-escapes; `macdef NAME` starts a macro whose body runs to the next blank line.
class NetrcTokens {
 public:
  explicit NetrcTokens(std::string_view text) : text_(text) {}

  std::optional<std::string> next() {
    while (i_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[i_]))) ++i_;
    if (i_ >= text_.size()) return std::nullopt;
    std::string token;
    if (text_[i_] == '"') {
      for (++i_; i_ < text_.size() && text_[i_] != '"'; ++i_) {
        if (text_[i_] == '\\' && i_ + 1 < text_.size()) ++i_;
        token += text_[i_];
      }
      ++i_;  // the closing quote
      return token;
    }
    while (i_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[i_])))
      token += text_[i_++];
    return token;
  }

  // Skips a macro's name line and body; false if the body holds a `default` token.
  bool skip_macro() {
    bool clean = true;
    std::size_t end = text_.find('\n', i_);  // the rest of the `macdef NAME` line
    i_ = end == std::string_view::npos ? text_.size() : end + 1;
    while (i_ < text_.size()) {
      end = text_.find('\n', i_);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = text_.substr(i_, end - i_);
      i_ = end + 1;
      auto words = split_blanks(line);
      if (words.empty()) break;  // the blank line that ends the body
      for (const auto& w : words) clean = clean && !iequals(w, "default");
    }
    return clean;
  }

 private:
  std::string_view text_;
  std::size_t i_ = 0;
};

// The netrc file the environment names: $NETRC, else $HOME/.netrc; empty if neither is usable.
fs::path netrc_path(const std::map<std::string, std::string>& env) {
  std::string netrc = env_value(env, "NETRC");
  if (!netrc.empty()) return fs::path(netrc);
  fs::path home = env_value(env, "HOME");
  if (home.empty() || !home.is_absolute()) return {};
  return (home / ".netrc").lexically_normal();
}

// The state of one choose_credentials() call.
struct Chooser {
  FileSystem& fs;
  const CredentialRequest& request;
  const HttpOrigin& origin;
  Credentials out;

  std::string who() const {
    return request.repo_name.empty() ? "repo at " + request.url
                                     : "repo '" + request.repo_name + "'";
  }
  void warn(std::string message) { out.warnings.push_back(std::move(message)); }

  std::optional<std::string> from_environment() {
    const auto& env = request.environment;
    std::string token = env_value(env, "REEL_TOKEN");
    if (token.empty()) return std::nullopt;
    auto urls = split_blanks(env_value(env, "REEL_TOKEN_URL"));
    if (urls.empty()) {
      warn(
          "REEL_TOKEN is set but REEL_TOKEN_URL is not: the token is not sent (set "
          "REEL_TOKEN_URL to the repo URLs it is for, space-separated)");
      return std::nullopt;
    }
    bool match = false;
    for (const auto& u : urls) {
      auto prefix = parse_http_origin(u);
      if (!prefix) {
        warn("REEL_TOKEN_URL: '" + u + "' is not an http:// or https:// URL (ignored)");
        continue;
      }
      match = match || url_is_under(origin, *prefix);
    }
    if (!match) return std::nullopt;
    return token;
  }

  std::optional<std::string> from_token_file() {
    const std::string& key = request.token_file;
    std::string ignored = who() + ": token-file '" + key + "' is ignored: ";
    fs::path dir = credential_config_dir(request.environment);
    if (dir.empty()) {
      warn(ignored +
           "there is no config folder (neither XDG_CONFIG_HOME nor HOME is an "
           "absolute path)");
      return std::nullopt;
    }
    auto real_dir = resolve_symlinks(fs, dir);
    if (!real_dir) {
      warn(ignored + "the config folder: " + real_dir.error().message);
      return std::nullopt;
    }
    fs::path path = fs::path(key).is_absolute() ? fs::path(key) : dir / key;
    auto real = resolve_symlinks(fs, path);
    if (!real) {
      warn(ignored + real.error().message);
      return std::nullopt;
    }
    if (!is_inside(*real, *real_dir)) {
      warn(ignored + real->string() + " is not under " + real_dir->string() +
           "/ (a workspace may name only token files in the user's reel config folder)");
      return std::nullopt;
    }
    auto st = fs.stat(*real);
    if (!st || st->type != FileType::kRegular || st->size > kMaxTokenFileBytes) {
      warn(ignored + real->string() +
           (st ? " is not a regular file of at most 64 KiB" : ": " + st.error().message));
      return std::nullopt;
    }
    auto token = read_token_file(fs, *real);
    if (!token) {
      warn(ignored + token.error().message);
      return std::nullopt;
    }
    return *token;
  }

  std::optional<fs::path> from_netrc() {
    fs::path file = netrc_path(request.environment);
    if (file.empty()) return std::nullopt;
    if (!file.is_absolute()) {
      warn("NETRC '" + file.string() + "' is not an absolute path (ignored)");
      return std::nullopt;
    }
    auto real = resolve_symlinks(fs, file);
    if (!real) {
      if (real.error().code != ErrorCode::kNotFound)
        warn("netrc file " + file.string() + " is ignored: " + real.error().message);
      return std::nullopt;
    }
    auto st = fs.stat(*real);
    if (!st || st->type != FileType::kRegular || st->size > kMaxNetrcBytes) {
      warn("netrc file " + real->string() + " is ignored: not a regular file of at most 1 MiB");
      return std::nullopt;
    }
    auto text = fs.read_file(*real);
    if (!text) {
      warn("netrc file " + real->string() + " is ignored: " + text.error().message);
      return std::nullopt;
    }
    if (!netrc_has_machine(*text, origin.host)) return std::nullopt;
    return *real;
  }
};

}  // namespace

std::optional<HttpOrigin> parse_http_origin(std::string_view url) {
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return std::nullopt;
  }
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  HttpOrigin out;
  out.scheme = lower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  std::size_t end = rest.find_first_of("/?#");
  if (end == std::string_view::npos) end = rest.size();
  std::string_view authority = rest.substr(0, end);
  std::string_view after = rest.substr(end);
  out.path = std::string(after.substr(0, after.find_first_of("?#")));
  if (std::size_t at = authority.find('@'); at != std::string_view::npos) {
    if (authority.find('@', at + 1) != std::string_view::npos) return std::nullopt;
    authority.remove_prefix(at + 1);
  }
  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view tail = authority.substr(close + 1);
    if (!tail.empty() && tail.front() != ':') return std::nullopt;
    if (!tail.empty()) port = tail.substr(1);
    if (!ipv6_chars(host)) return std::nullopt;
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (!host_name_chars(host)) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  out.host = lower(host);
  if (port.empty()) {
    out.port = out.scheme == "https" ? 443 : 80;
  } else {
    if (!all_digits(port) || port.size() > 5) return std::nullopt;
    out.port = std::stoi(std::string(port));
    if (out.port < 1 || out.port > 65535) return std::nullopt;
  }
  return out;
}

bool url_is_under(const HttpOrigin& url, const HttpOrigin& prefix) {
  if (url.scheme != prefix.scheme || url.host != prefix.host || url.port != prefix.port)
    return false;
  std::string_view base = prefix.path;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  if (base.empty()) return true;
  const std::string& path = url.path;
  if (path_may_escape(path)) return false;
  return path.compare(0, base.size(), base) == 0 &&
         (path.size() == base.size() || path[base.size()] == '/');
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1)
    return reinterpret_cast<const unsigned char*>(&v4.s_addr)[0] == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

bool netrc_has_machine(std::string_view netrc_text, std::string_view host) {
  NetrcTokens tokens(netrc_text);
  while (auto token = tokens.next()) {
    if (iequals(*token, "machine")) {
      auto name = tokens.next();
      if (!name) return false;
      if (iequals(*name, host)) return true;
    } else if (iequals(*token, "default")) {
      return false;  // libcurl would send this entry to any host
    } else if (iequals(*token, "login") || iequals(*token, "password") ||
               iequals(*token, "account")) {
      if (!tokens.next()) return false;  // the value, which is no keyword
    } else if (iequals(*token, "macdef")) {
      if (!tokens.skip_macro()) return false;
    }
  }
  return false;
}

fs::path credential_config_dir(const std::map<std::string, std::string>& environment) {
  fs::path xdg = env_value(environment, "XDG_CONFIG_HOME");
  if (!xdg.empty() && xdg.is_absolute()) return (xdg / "reel").lexically_normal();
  fs::path home = env_value(environment, "HOME");
  if (!home.empty() && home.is_absolute()) return (home / ".config" / "reel").lexically_normal();
  return {};
}

Result<fs::path> resolve_symlinks(FileSystem& fs, const fs::path& path) {
  if (!path.is_absolute())
    return make_error(ErrorCode::kInvalidArgument, path.string() + ": not an absolute path");
  std::vector<std::string> todo;  // components still to walk, the next one last
  auto push = [&](const fs::path& p) {
    std::vector<std::string> parts;
    for (const auto& part : p.relative_path()) parts.push_back(part.string());
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
  };
  push(path);
  fs::path out = "/";
  int links = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      out = out.parent_path();
      continue;
    }
    fs::path next = out / part;
    auto st = fs.stat(next);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kMissing)
      return make_error(ErrorCode::kNotFound, next.string() + ": no such file or directory");
    if (st->type != FileType::kSymlink) {
      out = std::move(next);
      continue;
    }
    if (++links > kMaxSymlinks)
      return make_error(ErrorCode::kInvalidArgument,
                        path.string() + ": more than 40 symlinks (a loop?)");
    auto target = fs.read_symlink(next);
    if (!target) return tl::unexpected(target.error());
    if (target->is_absolute()) out = "/";
    push(*target);
  }
  return out;
}

Credentials choose_credentials(FileSystem& fs, const CredentialRequest& request) {
  auto origin = parse_http_origin(request.url);
  if (!origin) return {};
  Chooser c{fs, request, *origin, {}};
  std::string what;  // names the credential in a warning
  if (!request.command_line_token.empty()) {
    c.out = {CredentialSource::kCommandLine, request.command_line_token, {}, {}};
    what = "the token from --token-file";
  }
  if (c.out.source == CredentialSource::kNone) {
    if (auto token = c.from_environment()) {
      c.out.source = CredentialSource::kEnvironment;
      c.out.token = std::move(*token);
      what = "REEL_TOKEN";
    }
  }
  if (c.out.source == CredentialSource::kNone && !request.token_file.empty()) {
    if (auto token = c.from_token_file()) {
      c.out.source = CredentialSource::kTokenFile;
      c.out.token = std::move(*token);
      what = "the token from token-file '" + request.token_file + "'";
    }
  }
  if (c.out.source == CredentialSource::kNone) {
    if (auto file = c.from_netrc()) {
      c.out.source = CredentialSource::kNetrc;
      c.out.netrc_file = *file;
      what = "the netrc entry in " + file->string();
    }
  }
  bool secure =
      origin->scheme == "https" || is_loopback_host(origin->host) || request.allow_insecure_token;
  if (c.out.source != CredentialSource::kNone && !secure) {
    std::string where = request.repo_name.empty()
                            ? "repo at " + request.url
                            : "repo '" + request.repo_name + "' (" + request.url + ")";
    c.warn(where + ": plain http to a host that is not loopback: " + what +
           " is not sent (use https; on a trusted network, set allow-insecure-token = true in "
           "the repo's [[repo]] table)");
    c.out.source = CredentialSource::kNone;
    c.out.token.clear();
    c.out.netrc_file.clear();
  }
  return std::move(c.out);
}

CredentialRequest credential_request(const Context& ctx, const std::string& url,
                                     const RepoConfig* repo) {
  CredentialRequest r;
  r.url = url;
  for (const char* name : {"REEL_TOKEN", "REEL_TOKEN_URL", "XDG_CONFIG_HOME", "HOME", "NETRC"}) {
    auto it = ctx.environment.find(name);
    if (it != ctx.environment.end()) r.environment.emplace(name, it->second);
  }
  auto cli = ctx.environment.find(std::string(kCommandLineTokenKey));
  if (cli != ctx.environment.end()) r.command_line_token = cli->second;
  if (repo) {
    r.repo_name = repo->name;
    r.token_file = repo->token_file;
    r.allow_insecure_token = repo->allow_insecure_token;
  }
  return r;
}

void add_credentials(const Context& ctx, const std::string& url, const RepoConfig* repo,
                     RepoOpenOptions& options, std::set<std::string>& shown) {
  Credentials credentials = choose_credentials(ctx.fs, credential_request(ctx, url, repo));
  for (const auto& w : credentials.warnings) {
    if (shown.insert(w).second) ctx.reporter.warn(w);
  }
  options.token = std::move(credentials.token);
  options.netrc_file = std::move(credentials.netrc_file);
}

}  // namespace reel
