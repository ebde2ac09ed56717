// Which credentials an HTTP repo gets (DESIGN §2 "Credentials", docs/http.md "Credentials
// (client)"). A token is sent only to the repo URL it was configured for, so a workspace.toml
// that a job or a bundle brings cannot send a node's token, or one of its files, elsewhere:
//   1. the command line's --token-file: every HTTP repo the command opens;
//   2. REEL_TOKEN: only to a URL at or under one of REEL_TOKEN_URL's (space-separated);
//   3. a repo's token-file key: only a file under credential_config_dir() (after resolving
//      symlinks); any other path is ignored with a warning;
//   4. the netrc file ($NETRC, else ~/.netrc): libcurl sends the Basic credentials of the
//      host's `machine` entry, never those of a `default` entry.
// The first that has a credential for the URL is used, alone. Plain http:// to a host that is
// not loopback gets none of them unless the repo sets allow-insecure-token = true.
// Everything here is a value computed from its inputs; the only reads are token and netrc files
// (and symlinks) through the FileSystem seam. Nothing prints: warnings are returned.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reel/engine/repo.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"
#include "reel/workspace/config.h"
#include "reel/workspace/context.h"

namespace reel {

// The parts of an http:// or https:// URL that decide where a credential may go.
struct HttpOrigin {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; an IPv6 address without its brackets
  int port = 0;        // the URL's port, else the scheme's default (80, 443)
  std::string path;    // as written, without query or fragment; "" when the URL has none
};

// Parses an http:// or https:// URL (the scheme in any case; user info before '@' is dropped).
// nullopt for any other scheme, a host that is neither a name of letters, digits, '.', '-' and
// '_' nor a bracketed IPv6 address, a port that is not 1-65535 in decimal, a second '@' in the
// authority, or a space, control character or non-ASCII byte anywhere.
std::optional<HttpOrigin> parse_http_origin(std::string_view url);

// Whether `url` is at or under `prefix`: the same scheme, host and port, and prefix's path a
// prefix of url's that ends on a segment boundary ("/a" covers "/a", "/a/" and "/a/b", not
// "/ab"; a trailing '/' of the prefix is ignored, so "" and "/" cover the whole host). A url
// path holding a "." or ".." segment, a backslash or a percent-encoded '.', '/' or '\' is under
// no prefix but the whole host's (a server could resolve it out of the prefix).
bool url_is_under(const HttpOrigin& url, const HttpOrigin& prefix);

// Whether `host` (as in HttpOrigin: lower case, no brackets) is the loopback interface:
// "localhost", an IPv4 address in 127.0.0.0/8 written as a dotted quad, "::1" in any IPv6
// spelling, or an IPv4-mapped 127.x address. Other spellings ("127.1", "localhost.") are not.
bool is_loopback_host(std::string_view host);

// Whether the text of a netrc file (ftp(1)'s format, as libcurl reads it: whitespace-separated
// tokens, "quoted" ones with \ escapes, `macdef` bodies up to a blank line) has a `machine HOST`
// entry for `host` (compared case-insensitively) before any `default` token. libcurl sends a
// `default` entry's credentials to any host, so a `default` first means none may be used.
bool netrc_has_machine(std::string_view netrc_text, std::string_view host);

// The folder whose files a workspace's token-file key may name: $XDG_CONFIG_HOME/reel when
// XDG_CONFIG_HOME is an absolute path, else $HOME/.config/reel when HOME is one; empty if
// neither. Read from `environment` (a process environment), lexically normal.
fs::path credential_config_dir(const std::map<std::string, std::string>& environment);

// The Context::environment key under which cli/ passes the token it read from the command
// line's --token-file. Not an environment variable: cli/ drops one inherited from the process.
inline constexpr std::string_view kCommandLineTokenKey = "reel --token-file";

// What choose_credentials() decides from.
struct CredentialRequest {
  std::string url;                    // the repo's URL
  std::string repo_name;              // names the repo in warnings; "" for a repo opened by URL
  std::string token_file;             // the repo's token-file key as written; "" if none
  bool allow_insecure_token = false;  // the repo's allow-insecure-token key
  std::string command_line_token;     // read from --token-file; "" if none was given
  // The process environment: REEL_TOKEN, REEL_TOKEN_URL, XDG_CONFIG_HOME, HOME and NETRC are
  // read; anything else is ignored.
  std::map<std::string, std::string> environment;
};

enum class CredentialSource { kNone, kCommandLine, kEnvironment, kTokenFile, kNetrc };

// choose_credentials()' answer.
struct Credentials {
  CredentialSource source = CredentialSource::kNone;
  std::string token;    // the bearer token (kCommandLine, kEnvironment, kTokenFile), else ""
  fs::path netrc_file;  // kNetrc: the netrc file libcurl takes the host's credentials from
  // For a person, in order (a source that was ignored and why). Never hold a token.
  std::vector<std::string> warnings;
};

// Decides the credentials for the repo at request.url, in the order of the file comment. A
// relative token-file key is relative to credential_config_dir(); it is honoured when its path,
// with every symlink resolved, is a regular file of at most 64 KiB under that folder (also
// resolved), holding a token (read_token_file). Otherwise, and when the file cannot be read, it
// is ignored with a warning naming the key and the path. A REEL_TOKEN without REEL_TOKEN_URL, or
// an entry of REEL_TOKEN_URL that is not an http(s) URL, gives a warning. The netrc file is
// used when it is a regular file (of at most 1 MiB) with a machine entry for the URL's host; a
// missing one is no warning. A URL that parse_http_origin() refuses gets no credentials.
// Never fails: every problem is a warning and the next source is tried. Thread-compatible.
Credentials choose_credentials(FileSystem& fs, const CredentialRequest& request);

// The request for the repo at `url` from a context: its environment (and the --token-file
// token cli/ put under kCommandLineTokenKey), and `repo`'s name, token-file and
// allow-insecure-token keys when it is given (nullptr: a repo opened by URL alone).
CredentialRequest credential_request(const Context& ctx, const std::string& url,
                                     const RepoConfig* repo = nullptr);

// Sets options.token and options.netrc_file for the repo at `url` (`repo` as in
// credential_request), as choose_credentials() decides, and shows its warnings through
// ctx.reporter, each only if it is not in `shown` yet (it is added): the caller keeps one set for
// a command, so a warning is shown once however many repos it opens. A URL that is not http(s)
// gets no credentials and no warning.
void add_credentials(const Context& ctx, const std::string& url, const RepoConfig* repo,
                     RepoOpenOptions& options, std::set<std::string>& shown);

// `path` (absolute) with every symlink resolved and "." and ".." removed, as realpath(3), through
// the FileSystem seam (lstat and readlink). kNotFound if a component does not exist,
// kInvalidArgument after 40 symlinks (a loop) or for a relative path; the seam's errors.
Result<fs::path> resolve_symlinks(FileSystem& fs, const fs::path& path);

}  // namespace reel
