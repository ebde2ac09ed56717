// `reel semver RANGE VERSION...`: prints the versions the range admits, one a line, in the order
// given (like node-semver's `semver -r`); exit 1 if none, 1 with an error for a bad range/version.
#include "cli.h"
#include "reel/resolver/range.h"

namespace reel::cli {

void register_semver_command(CLI::App& app, Cli& cli) {
  auto* sub = app.add_subcommand("semver", "Print the versions a range admits");
  auto range = std::make_shared<std::string>();
  auto versions = std::make_shared<std::vector<std::string>>();
  sub->add_option("RANGE", *range, "A version range (DESIGN §3)")->required();
  sub->add_option("VERSION", *versions, "Versions to test")->required();
  sub->callback([&cli, range, versions] {
    cli.action = [&cli, range, versions]() -> int {
      auto parsed = Range::parse(*range);
      if (!parsed) return cli.fail(parsed.error().to_string());
      nlohmann::json admitted = nlohmann::json::array();
      for (const auto& text : *versions) {
        auto v = Version::parse(text);
        if (!v) return cli.fail(v.error().to_string());
        if (parsed->contains(*v)) {
          cli.out(v->to_string());
          admitted.push_back(v->to_string());
        }
      }
      if (cli.json()) cli.print_json({{"range", parsed->to_string()}, {"admitted", admitted}});
      return admitted.empty() ? 1 : 0;
    };
  });
}

}  // namespace reel::cli
