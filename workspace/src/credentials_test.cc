// Which credentials an HTTP repo gets (credentials.h): URL matching, loopback, netrc entries, and
// the decision table of choose_credentials() on a real file system (symlinks need one).
#include "reel/workspace/credentials.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "reel/storage/testing.h"
#include "reel/workspace/workspace.h"

namespace reel {
namespace {

constexpr auto write = testing::write_file;

TEST(ParseHttpOrigin, PartsAndRefusals) {
  struct Case {
    std::string url;
    std::string scheme, host;
    int port;
    std::string path;
  };
  std::vector<Case> good = {
      {"http://Host.Example:8080/a/b", "http", "host.example", 8080, "/a/b"},
      {"HTTPS://h", "https", "h", 443, ""},
      {"http://h/", "http", "h", 80, "/"},
      {"http://h:/x", "http", "h", 80, "/x"},
      {"https://h:443/x/", "https", "h", 443, "/x/"},
      {"http://[::1]:9/x", "http", "::1", 9, "/x"},
      {"http://[::1]/x", "http", "::1", 80, "/x"},
      {"http://user:pw@h:81/x", "http", "h", 81, "/x"},
      {"http://h/a?q=1#f", "http", "h", 80, "/a"},
      {"http://h?q=/x", "http", "h", 80, ""},
      {"http://h#/x", "http", "h", 80, ""},
  };
  for (const auto& c : good) {
    auto o = parse_http_origin(c.url);
    ASSERT_TRUE(o) << c.url;
    EXPECT_EQ(o->scheme, c.scheme) << c.url;
    EXPECT_EQ(o->host, c.host) << c.url;
    EXPECT_EQ(o->port, c.port) << c.url;
    EXPECT_EQ(o->path, c.path) << c.url;
  }
  for (const std::string& bad : std::vector<std::string>{
           "ftp://h/", "/studio/blessed", "file:///studio/blessed", "http://", "http:///x",
           "http://h:0/", "http://h:65536/", "http://h:8x/", "http://h:-1/", "http://a@b@c/",
           "http://h /x", "http://h/x y", "http://h\t/", std::string("http://h/\x01"),
           "http://h\xc3\xa9/", "http://[::1/", "http://[::1]x/", "httpx://h/", "http:/h/"}) {
    EXPECT_FALSE(parse_http_origin(bad)) << bad;
  }
}

TEST(UrlIsUnder, SchemeHostPortAndPathSegments) {
  struct Case {
    std::string url, prefix;
    bool under;
  };
  std::vector<Case> cases = {
      {"http://h/a", "http://h/a", true},
      {"http://h/a/", "http://h/a", true},
      {"http://h/a/b", "http://h/a", true},
      {"http://h/a/b", "http://h/a/", true},
      {"http://h/a", "http://h/a/", true},
      {"http://h/ab", "http://h/a", false},
      {"http://h/", "http://h/a", false},
      {"http://h", "http://h/a", false},
      {"http://h/b/a", "http://h/a", false},
      {"http://h/x", "http://h", true},
      {"http://h", "http://h/", true},
      {"http://h/x/y", "http://h/", true},
      // Default ports are the same port.
      {"http://h/a/b", "http://h:80/a", true},
      {"http://h:80/a", "http://h/a", true},
      {"https://h:443/x", "https://h", true},
      {"http://h:8080/x", "http://h/", false},
      {"http://h/x", "http://h:8080/", false},
      {"http://h:443/x", "https://h/", false},
      // Scheme and host.
      {"http://h/x", "https://h/", false},
      {"https://h/x", "http://h/", false},
      {"http://h.EXAMPLE/x", "http://H.example/", true},
      {"http://h2/a", "http://h/a", false},
      {"http://h.evil/a", "http://h/a", false},
      {"http://evil/h/a", "http://h/a", false},
      {"http://h@evil/a", "http://h/a", false},
      // Paths a server could resolve out of the prefix.
      {"http://h/a/../b", "http://h/a", false},
      {"http://h/a/./b", "http://h/a", false},
      {"http://h/a/%2e%2e/b", "http://h/a", false},
      {"http://h/a/%2E%2E/b", "http://h/a", false},
      {"http://h/a%2f..%2fb", "http://h/a", false},
      {"http://h/a/..%5cb", "http://h/a", false},
      {"http://h/a\\..\\b", "http://h/a", false},
      {"http://h/a/../b", "http://h/", true},  // the whole host is covered anyway
      {"http://h/a/..", "http://h", true},
  };
  for (const auto& c : cases) {
    auto url = parse_http_origin(c.url);
    auto prefix = parse_http_origin(c.prefix);
    ASSERT_TRUE(url && prefix) << c.url << " " << c.prefix;
    EXPECT_EQ(url_is_under(*url, *prefix), c.under) << c.url << " under " << c.prefix;
  }
}

TEST(IsLoopbackHost, NamesAndAddresses) {
  for (const char* host : {"localhost", "127.0.0.1", "127.0.0.2", "127.255.255.254", "127.1.2.3",
                           "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "0::1"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host :
       {"", "localhost.", "localhost.example", "mylocalhost", "127.1", "2130706433", "0x7f.1",
        "128.0.0.1", "10.0.0.1", "126.255.255.255", "127.0.0.1.example", "::2",
        "::", "::ffff:10.0.0.1", "example.com", "0.0.0.0", "127.0.0.256"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(NetrcHasMachine, EntriesDefaultAndMacros) {
  struct Case {
    std::string text, host;
    bool has;
  };
  std::vector<Case> cases = {
      {"machine h login reel password tok\n", "h", true},
      {"machine H.Example login reel password tok\n", "h.example", true},
      {"machine h.example login reel password tok\n", "H.EXAMPLE", true},
      {"machine h login reel password tok\n", "h2", false},
      {"machine other login h password h\n", "h", false},  // values are not host names
      {"machine 127.0.0.1\n  login reel\n  password tok\nmachine h login a password b\n", "h",
       true},
      {"default login x password y\nmachine h login a password b\n", "h", false},
      {"machine h login a password b\ndefault login x password y\n", "h", true},
      {"machine other login a password default\nmachine h login a password b\n", "h", true},
      {"machine other login a password \"two words default\"\nmachine h login a password b\n", "h",
       true},
      {"machine \"h\" login a password b\n", "h", true},
      {"macdef init\nmachine h login a password b\n\nmachine x login a password b\n", "h", false},
      {"macdef init\ncd /\n\nmachine h login a password b\n", "h", true},
      {"macdef init\ndefault\n\nmachine h login a password b\n", "h", false},
      {"", "h", false},
      {"machine", "h", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(netrc_has_machine(c.text, c.host), c.has) << c.host << " in:\n" << c.text;
  }
}

TEST(CredentialConfigDir, XdgThenHome) {
  EXPECT_EQ(credential_config_dir({{"XDG_CONFIG_HOME", "/x/cfg/"}, {"HOME", "/home/u"}}),
            fs::path("/x/cfg/reel"));
  EXPECT_EQ(credential_config_dir({{"XDG_CONFIG_HOME", "rel/cfg"}, {"HOME", "/home/u"}}),
            fs::path("/home/u/.config/reel"));
  EXPECT_EQ(credential_config_dir({{"XDG_CONFIG_HOME", ""}, {"HOME", "/home/u"}}),
            fs::path("/home/u/.config/reel"));
  EXPECT_EQ(credential_config_dir({{"HOME", "relative"}}), fs::path());
  EXPECT_EQ(credential_config_dir({}), fs::path());
}

// A home folder with a config folder, on the real file system.
struct ChooseCredentials : ::testing::Test {
  testing::TempDir dir{"reel-credentials"};
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  fs::path home = dir.path() / "home";
  fs::path config = home / ".config" / "reel";

  void SetUp() override { fs::create_directories(config); }

  CredentialRequest request(const std::string& url) {
    CredentialRequest r;
    r.url = url;
    r.repo_name = "blessed";
    r.environment = {{"HOME", home.string()}};
    return r;
  }
  Credentials choose(const CredentialRequest& r) { return choose_credentials(*fs, r); }
};

// Whether one of `warnings` holds every one of `pieces`.
bool warned(const std::vector<std::string>& warnings, std::vector<std::string> pieces) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) {
    return std::all_of(pieces.begin(), pieces.end(),
                       [&](const std::string& p) { return w.find(p) != std::string::npos; });
  });
}

std::string all(const std::vector<std::string>& warnings) {
  std::string out;
  for (const auto& w : warnings) out += w + "\n";
  return out;
}

TEST_F(ChooseCredentials, ReelTokenWithoutReelTokenUrlIsNotSent) {
  auto r = request("http://127.0.0.1:8080/repo");
  r.environment["REEL_TOKEN"] = "env-secret";
  auto c = choose(r);
  EXPECT_EQ(c.source, CredentialSource::kNone);
  EXPECT_EQ(c.token, "");
  EXPECT_TRUE(warned(c.warnings, {"REEL_TOKEN", "REEL_TOKEN_URL", "not sent"})) << all(c.warnings);
  EXPECT_FALSE(warned(c.warnings, {"env-secret"}));
}

TEST_F(ChooseCredentials, ReelTokenGoesOnlyUnderReelTokenUrl) {
  auto r = request("");
  r.environment["REEL_TOKEN"] = "env-secret";
  r.environment["REEL_TOKEN_URL"] = "http://127.0.0.1:9/other  http://127.0.0.1:8080/repo\t";
  for (const std::string& url :
       std::vector<std::string>{"http://127.0.0.1:8080/repo", "http://127.0.0.1:8080/repo/",
                                "http://127.0.0.1:8080/repo/sub", "http://127.0.0.1:9/other/x"}) {
    r.url = url;
    auto c = choose(r);
    EXPECT_EQ(c.source, CredentialSource::kEnvironment) << url;
    EXPECT_EQ(c.token, "env-secret") << url;
    EXPECT_TRUE(c.warnings.empty()) << url << ": " << all(c.warnings);
  }
  for (const std::string& url :
       std::vector<std::string>{"http://127.0.0.1:8080/repository", "http://127.0.0.1:8081/repo",
                                "http://127.0.0.2:8080/repo", "https://127.0.0.1:8080/repo",
                                "http://127.0.0.1:8080/", "http://127.0.0.1:8080/repo/../admin"}) {
    r.url = url;
    auto c = choose(r);
    EXPECT_EQ(c.source, CredentialSource::kNone) << url;
    EXPECT_EQ(c.token, "") << url;
  }
}

TEST_F(ChooseCredentials, AMalformedReelTokenUrlEntryIsNamedAndSkipped) {
  auto r = request("https://assets.example/blessed");
  r.environment["REEL_TOKEN"] = "env-secret";
  r.environment["REEL_TOKEN_URL"] = "assets.example https://assets.example/blessed";
  auto c = choose(r);
  EXPECT_EQ(c.token, "env-secret");
  EXPECT_TRUE(warned(c.warnings, {"REEL_TOKEN_URL", "'assets.example'"})) << all(c.warnings);
}

TEST_F(ChooseCredentials, CommandLineTokenGoesToEveryRepoAndWins) {
  write(config / "blessed.token", "file-secret\n");
  auto r = request("");
  r.command_line_token = "cli-secret";
  r.environment["REEL_TOKEN"] = "env-secret";
  r.environment["REEL_TOKEN_URL"] = "https://assets.example/";
  r.token_file = "blessed.token";
  for (const std::string& url :
       std::vector<std::string>{"http://127.0.0.1:5/x", "https://assets.example/blessed",
                                "https://other.example/", "http://localhost/"}) {
    r.url = url;
    auto c = choose(r);
    EXPECT_EQ(c.source, CredentialSource::kCommandLine) << url;
    EXPECT_EQ(c.token, "cli-secret") << url;
    EXPECT_TRUE(c.warnings.empty()) << url << ": " << all(c.warnings);
  }
  // A folder repo, or a URL that does not parse, gets nothing.
  for (const std::string& url :
       std::vector<std::string>{"/studio/assets/blessed", "file:///studio", "http://a@b@c/"}) {
    r.url = url;
    EXPECT_EQ(choose(r).source, CredentialSource::kNone) << url;
  }
}

TEST_F(ChooseCredentials, PlainHttpToAnotherHostNeedsAllowInsecureToken) {
  auto r = request("http://assets.example:8080/blessed");
  r.command_line_token = "cli-secret";
  auto c = choose(r);
  EXPECT_EQ(c.source, CredentialSource::kNone);
  EXPECT_EQ(c.token, "");
  EXPECT_TRUE(warned(c.warnings, {"repo 'blessed'", "http://assets.example:8080/blessed",
                                  "--token-file", "allow-insecure-token"}))
      << all(c.warnings);
  r.allow_insecure_token = true;
  c = choose(r);
  EXPECT_EQ(c.token, "cli-secret");
  EXPECT_TRUE(c.warnings.empty()) << all(c.warnings);
  // https and loopback need no permission.
  r.allow_insecure_token = false;
  for (const std::string& url :
       std::vector<std::string>{"https://assets.example:8080/blessed", "http://127.0.0.1:8080/",
                                "http://localhost:8080/", "http://[::1]:8080/"}) {
    r.url = url;
    c = choose(r);
    EXPECT_EQ(c.token, "cli-secret") << url;
    EXPECT_TRUE(c.warnings.empty()) << url << ": " << all(c.warnings);
  }
  // The same rule for REEL_TOKEN and the token-file key.
  write(config / "t", "file-secret\n");
  for (int source = 0; source < 2; ++source) {
    auto q = request("http://10.1.2.3/blessed");
    if (source == 0) {
      q.environment["REEL_TOKEN"] = "env-secret";
      q.environment["REEL_TOKEN_URL"] = "http://10.1.2.3/";
    } else {
      q.token_file = "t";
    }
    c = choose(q);
    EXPECT_EQ(c.token, "") << source;
    EXPECT_TRUE(
        warned(c.warnings, {source == 0 ? "REEL_TOKEN" : "token-file", "allow-insecure-token"}))
        << all(c.warnings);
    q.allow_insecure_token = true;
    EXPECT_EQ(choose(q).token, source == 0 ? "env-secret" : "file-secret");
  }
}

TEST_F(ChooseCredentials, TokenFileUnderTheConfigFolderIsRead) {
  write(config / "blessed.token", "# the studio token\n\n  file-secret  \n");
  write(config / "sub" / "review.token", "review-secret\n");
  auto r = request("https://assets.example/blessed");
  for (const std::string& key : std::vector<std::string>{
           "blessed.token", (config / "blessed.token").string(), "sub/../blessed.token",
           (config / "." / "blessed.token").string()}) {
    r.token_file = key;
    auto c = choose(r);
    EXPECT_EQ(c.source, CredentialSource::kTokenFile) << key;
    EXPECT_EQ(c.token, "file-secret") << key;
    EXPECT_TRUE(c.warnings.empty()) << key << ": " << all(c.warnings);
  }
  r.token_file = "sub/review.token";
  EXPECT_EQ(choose(r).token, "review-secret");
  // XDG_CONFIG_HOME moves the folder.
  write(dir.path() / "xdg" / "reel" / "blessed.token", "xdg-secret\n");
  r.environment["XDG_CONFIG_HOME"] = (dir.path() / "xdg").string();
  r.token_file = "blessed.token";
  EXPECT_EQ(choose(r).token, "xdg-secret");
  r.token_file = (config / "blessed.token").string();  // no longer the config folder
  auto c = choose(r);
  EXPECT_EQ(c.token, "");
  EXPECT_TRUE(
      warned(c.warnings, {"token-file", "not under", (dir.path() / "xdg" / "reel").string()}))
      << all(c.warnings);
}

TEST_F(ChooseCredentials, TokenFileOutsideTheConfigFolderIsIgnoredWithAWarning) {
  write(dir.path() / "outside.token", "outside-secret\n");
  write(home / ".config" / "reel-evil" / "t", "sibling-secret\n");
  auto r = request("https://assets.example/blessed");
  for (const std::string& key :
       std::vector<std::string>{(dir.path() / "outside.token").string(), "../../../outside.token",
                                (home / ".config" / "reel-evil" / "t").string(), "../reel-evil/t",
                                "/etc/hostname", "/etc/passwd"}) {
    r.token_file = key;
    auto c = choose(r);
    EXPECT_EQ(c.source, CredentialSource::kNone) << key;
    EXPECT_EQ(c.token, "") << key;
    EXPECT_TRUE(warned(c.warnings, {"repo 'blessed'", "token-file", "'" + key + "'", "ignored"}))
        << key << ": " << all(c.warnings);
    EXPECT_FALSE(warned(c.warnings, {"secret"})) << all(c.warnings);
  }
}

TEST_F(ChooseCredentials, SymlinksAreResolvedBeforeTheCheck) {
  write(dir.path() / "outside.token", "outside-secret\n");
  write(config / "real.token", "real-secret\n");
  // Out of the config folder: refused.
  fs::create_symlink(dir.path() / "outside.token", config / "out.token");
  fs::create_symlink("../../../outside.token", config / "out-relative.token");
  fs::create_directory_symlink(dir.path(), config / "up");
  // Into the config folder: the file is under it.
  fs::create_symlink(config / "real.token", dir.path() / "in.token");
  auto r = request("https://assets.example/blessed");
  for (const std::string& key :
       std::vector<std::string>{"out.token", "out-relative.token", "up/outside.token"}) {
    r.token_file = key;
    auto c = choose(r);
    EXPECT_EQ(c.token, "") << key;
    EXPECT_TRUE(warned(c.warnings, {"token-file", "'" + key + "'", "not under", "ignored"}))
        << key << ": " << all(c.warnings);
  }
  r.token_file = (dir.path() / "in.token").string();
  auto c = choose(r);
  EXPECT_EQ(c.token, "real-secret") << all(c.warnings);
  // A config folder that is itself a symlink is resolved too.
  fs::path elsewhere = dir.path() / "dotfiles" / "reel";
  fs::create_directories(elsewhere.parent_path());
  fs::rename(config, elsewhere);
  fs::create_directory_symlink(elsewhere, config);
  r.token_file = "real.token";
  c = choose(r);
  EXPECT_EQ(c.token, "real-secret") << all(c.warnings);
  // A loop is a warning, not a hang.
  fs::create_symlink(elsewhere / "loop-b", elsewhere / "loop-a");
  fs::create_symlink(elsewhere / "loop-a", elsewhere / "loop-b");
  r.token_file = "loop-a";
  c = choose(r);
  EXPECT_EQ(c.token, "");
  EXPECT_TRUE(warned(c.warnings, {"token-file", "'loop-a'"})) << all(c.warnings);
}

TEST_F(ChooseCredentials, UnusableTokenFilesAreWarnings) {
  fs::create_directories(config / "a-folder");
  write(config / "empty.token", "# nothing\n\n");
  write(config / "huge.token", std::string(65 * 1024, 'x'));
  auto r = request("https://assets.example/blessed");
  for (const std::string& key :
       std::vector<std::string>{"missing.token", "a-folder", "empty.token", "huge.token"}) {
    r.token_file = key;
    auto c = choose(r);
    EXPECT_EQ(c.source, CredentialSource::kNone) << key;
    EXPECT_TRUE(warned(c.warnings, {"repo 'blessed'", "token-file", "ignored"}))
        << key << ": " << all(c.warnings);
  }
  // No config folder at all (neither XDG_CONFIG_HOME nor HOME).
  r.environment.clear();
  r.token_file = "blessed.token";
  auto c = choose(r);
  EXPECT_EQ(c.token, "");
  EXPECT_TRUE(warned(c.warnings, {"token-file", "HOME"})) << all(c.warnings);
}

TEST_F(ChooseCredentials, NetrcIsUsedForItsHostOnlyAndLast) {
  write(home / ".netrc", "machine 127.0.0.1 login reel password netrc-secret\n");
  auto r = request("http://127.0.0.1:8080/repo");
  auto c = choose(r);
  EXPECT_EQ(c.source, CredentialSource::kNetrc);
  EXPECT_EQ(c.netrc_file, home / ".netrc");
  EXPECT_EQ(c.token, "");
  EXPECT_TRUE(c.warnings.empty()) << all(c.warnings);
  r.url = "http://127.0.0.2:8080/repo";
  c = choose(r);
  EXPECT_EQ(c.source, CredentialSource::kNone);
  EXPECT_EQ(c.netrc_file, fs::path());
  // $NETRC names another file.
  write(dir.path() / "other.netrc", "machine 127.0.0.2 login reel password other-secret\n");
  r.environment["NETRC"] = (dir.path() / "other.netrc").string();
  c = choose(r);
  EXPECT_EQ(c.source, CredentialSource::kNetrc);
  EXPECT_EQ(c.netrc_file, dir.path() / "other.netrc");
  // A token of reel's own wins: the netrc is not used as well.
  write(config / "t", "file-secret\n");
  r.token_file = "t";
  c = choose(r);
  EXPECT_EQ(c.source, CredentialSource::kTokenFile);
  EXPECT_EQ(c.netrc_file, fs::path());
  // A `default` entry is never used; plain http to another host neither.
  write(home / ".netrc", "default login reel password default-secret\n");
  auto q = request("https://assets.example/");
  EXPECT_EQ(choose(q).source, CredentialSource::kNone);
  write(home / ".netrc", "machine assets.example login reel password netrc-secret\n");
  EXPECT_EQ(choose(q).source, CredentialSource::kNetrc);
  q.url = "http://assets.example/";
  c = choose(q);
  EXPECT_EQ(c.source, CredentialSource::kNone);
  EXPECT_EQ(c.netrc_file, fs::path());
  EXPECT_TRUE(warned(c.warnings, {".netrc", "allow-insecure-token"})) << all(c.warnings);
  // A missing netrc is no warning.
  fs::remove(home / ".netrc");
  c = choose(q);
  EXPECT_EQ(c.source, CredentialSource::kNone);
  EXPECT_TRUE(c.warnings.empty()) << all(c.warnings);
}

TEST_F(ChooseCredentials, PrecedenceCommandLineEnvironmentTokenFileNetrc) {
  write(config / "t", "file-secret\n");
  write(home / ".netrc", "machine 127.0.0.1 login reel password netrc-secret\n");
  auto r = request("http://127.0.0.1:8080/repo");
  r.token_file = "t";
  r.environment["REEL_TOKEN"] = "env-secret";
  r.environment["REEL_TOKEN_URL"] = "http://127.0.0.1:8080/repo";
  r.command_line_token = "cli-secret";
  EXPECT_EQ(choose(r).token, "cli-secret");
  r.command_line_token.clear();
  EXPECT_EQ(choose(r).token, "env-secret");
  r.environment["REEL_TOKEN_URL"] = "http://127.0.0.1:8080/elsewhere";
  EXPECT_EQ(choose(r).token, "file-secret");
  r.token_file.clear();
  EXPECT_EQ(choose(r).source, CredentialSource::kNetrc);
}

TEST_F(ChooseCredentials, ResolveSymlinksIsRealpath) {
  write(dir.path() / "a" / "f", "x");
  fs::create_directory_symlink("a", dir.path() / "b");
  fs::create_symlink("../a/f", dir.path() / "a" / "g");
  fs::path real = fs::canonical(dir.path());
  EXPECT_EQ(resolve_symlinks(*fs, dir.path() / "b" / "f").value(), real / "a" / "f");
  EXPECT_EQ(resolve_symlinks(*fs, dir.path() / "b" / "g").value(), real / "a" / "f");
  EXPECT_EQ(resolve_symlinks(*fs, dir.path() / "b" / ".." / "a" / "." / "f").value(),
            real / "a" / "f");
  EXPECT_EQ(resolve_symlinks(*fs, dir.path() / "a" / "missing").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(resolve_symlinks(*fs, "relative/path"));
}

TEST(CredentialRequestFromContext, EnvironmentCommandLineAndRepoKeys) {
  testing::TempDir dir;
  auto fs = make_real_file_system();
  testing::FixedClock clock;
  Cache cache{*fs, dir.path() / "cache"};
  struct : Reporter {
    void warn(std::string_view) override {}
    void info(std::string_view) override {}
    void progress(const TransferStatus&) override {}
  } reporter;
  Context ctx{*fs,
              clock,
              cache,
              reporter,
              {{"REEL_TOKEN", "env-secret"},
               {"HOME", "/home/u"},
               {std::string(kCommandLineTokenKey), "cli-secret"}}};
  RepoConfig rc;
  rc.name = "review";
  rc.url = "https://assets.example/review";
  rc.token_file = "review.token";
  rc.allow_insecure_token = true;
  auto r = credential_request(ctx, rc.url, &rc);
  EXPECT_EQ(r.url, rc.url);
  EXPECT_EQ(r.repo_name, "review");
  EXPECT_EQ(r.token_file, "review.token");
  EXPECT_TRUE(r.allow_insecure_token);
  EXPECT_EQ(r.command_line_token, "cli-secret");
  EXPECT_EQ(r.environment.at("REEL_TOKEN"), "env-secret");
  EXPECT_EQ(r.environment.count(std::string(kCommandLineTokenKey)), 0u);
  auto bare = credential_request(ctx, "https://x.example/");
  EXPECT_EQ(bare.repo_name, "");
  EXPECT_EQ(bare.token_file, "");
  EXPECT_FALSE(bare.allow_insecure_token);
  // The options for opening repos carry no token of their own any more: REEL_TOKEN is not a
  // token for every URL.
  EXPECT_EQ(repo_open_options(ctx).token, "");
}

TEST(WorkspaceConfig, AllowInsecureTokenRoundTrips) {
  auto c = parse_workspace_config(
      "[[repo]]\nname = \"farm\"\nurl = \"http://farm:8080\"\nallow-insecure-token = true\n"
      "token-file = \"farm.token\"\n",
      "workspace.toml");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->repos.size(), 1u);
  EXPECT_TRUE(c->repos[0].allow_insecure_token);
  std::string text = serialize_workspace_config(*c);
  EXPECT_NE(text.find("allow-insecure-token = true\n"), std::string::npos) << text;
  auto again = parse_workspace_config(text, "again.toml");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->repos[0].allow_insecure_token);
  c->repos[0].allow_insecure_token = false;
  EXPECT_EQ(serialize_workspace_config(*c).find("allow-insecure-token"), std::string::npos);
  auto bad = parse_workspace_config(
      "[[repo]]\nname = \"farm\"\nurl = \"http://farm\"\nallow-insecure-token = \"yes\"\n",
      "workspace.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("workspace.toml:4: [[repo]] allow-insecure-token"),
            std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace reel
