// `reel version` / `reel --version` / `reel -V` (cargo's spelling: `reel 0.1.0 (commit, build
// type)`; with -v also the versions of the libraries reel runs on, as `cargo -vV` does), and
// `reel help [COMMAND...]`, the help of the app or of a (nested) command.
#include <archive.h>
#include <curl/curl.h>
#include <git2.h>
#include <openssl/crypto.h>
#include <zstd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include "cli.h"
#include "reel_version.h"

namespace reel::cli {
namespace {

// The library versions reel was built with and runs on, name -> version text.
std::vector<std::pair<std::string, std::string>> library_versions() {
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  std::string archive = archive_version_string();  // "libarchive 3.6.2"
  if (archive.rfind("libarchive ", 0) == 0) archive.erase(0, 11);
  return {
      {"libgit2", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev)},
      {"libcurl", curl->version},
      {"openssl", OpenSSL_version(OPENSSL_VERSION_STRING)},
      {"libarchive", archive},
      {"zstd", ZSTD_versionString()},
      {"nlohmann-json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                            std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                            std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
      {"toml11", std::to_string(TOML11_VERSION_MAJOR) + "." + std::to_string(TOML11_VERSION_MINOR) +
                     "." + std::to_string(TOML11_VERSION_PATCH)},
      {"cli11", CLI11_VERSION},
  };
}

}  // namespace

std::string version_line() {
  std::string commit = REEL_GIT_COMMIT;
  return std::string("reel ") + REEL_VERSION + " (" + (commit.empty() ? "unknown commit" : commit) +
         ", " + REEL_BUILD_TYPE + ")";
}

int print_version(Cli& cli) {
  if (cli.json()) {
    nlohmann::json libs = nlohmann::json::object();
    for (const auto& [name, v] : library_versions()) libs[name] = v;
    cli.print_json({{"version", REEL_VERSION},
                    {"commit", REEL_GIT_COMMIT},
                    {"build_type", REEL_BUILD_TYPE},
                    {"libraries", libs}});
    return 0;
  }
  std::cout << version_line() << "\n";
  if (cli.options.verbose > 0) {
    for (const auto& [name, v] : library_versions()) std::cout << name << " " << v << "\n";
  }
  return 0;
}

void register_version_commands(CLI::App& app, Cli& cli) {
  auto* version = app.add_subcommand("version", "Print reel's version (-v: library versions too)");
  version->callback([&cli] { cli.action = [&cli] { return print_version(cli); }; });

  auto* help = app.add_subcommand("help", "Print the help of reel or of a command");
  auto words = std::make_shared<std::vector<std::string>>();
  help->add_option("COMMAND", *words, "A command, and a subcommand of it (reel help repo add)")
      ->type_name("COMMAND");
  help->callback([&cli, &app, words] {
    cli.action = [&cli, &app, words]() -> int {
      CLI::App* target = &app;
      std::string path = "reel";
      for (const auto& w : *words) {
        CLI::App* next = nullptr;
        try {
          next = target->get_subcommand(w);
        } catch (const CLI::OptionNotFound&) {
        }
        if (next == nullptr || w == "help") {
          std::string hint = nearest_command(*target, w);
          return cli.fail("no command '" + w + "'" +
                              (target == &app ? "" : " in 'reel " + target->get_name() + "'"),
                          hint.empty() ? "run `reel help` for the commands"
                                       : "did you mean '" + hint + "'?") +
                 1;
        }
        target = next;
        path += " " + w;
      }
      // The formatter, not App::help(): that one delegates to the parsed subcommand (this one).
      std::cout << target->get_formatter()->make_help(target, path, CLI::AppFormatMode::Normal);
      return 0;
    };
  });
}

}  // namespace reel::cli
