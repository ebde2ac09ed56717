// `reel rdeps` and `reel outdated`: impact analysis for push pipelines (DESIGN §5, issue 3).
#include <algorithm>

#include "cli.h"
#include "repo_arg.h"
#include "reel/engine/impact.h"
#include "reel/workspace/outdated.h"

namespace reel::cli {
namespace {

// Pads `text` with spaces to `width` columns (counted in bytes; names and versions are ASCII).
std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

// The repos `rdeps` looks in, as (label, repo): --repo R names a workspace repo or is a path/URL;
// without it, the workspace's install repos. The opened repos are kept in `owned`.
Result<std::vector<std::pair<std::string, Repo*>>> rdeps_repos(
    Cli& cli, const std::string& repo, std::vector<std::unique_ptr<Repo>>& owned) {
  std::vector<std::pair<std::string, Repo*>> out;
  auto ws = cli.workspace();
  if (!repo.empty()) {
    auto one = open_repo_arg(cli, repo, owned);
    if (!one) return tl::unexpected(one.error());
    out.push_back(*one);
    return out;
  }
  if (!ws) {
    return make_error(ErrorCode::kInvalidArgument,
                      "rdeps outside a workspace needs --repo PATH|URL (" + ws.error().message +
                          ")");
  }
  return (*ws)->install_repos();
}

}  // namespace

void register_impact_commands(CLI::App& app, Cli& cli) {
  struct Rdeps {
    std::string name, version, repo;
    bool newest = false;
  };
  auto rd = std::make_shared<Rdeps>();
  auto* rdeps = app.add_subcommand(
      "rdeps", "Which published versions depend on NAME, and whether version V would reach them");
  rdeps->add_option("NAME", rd->name, "The package depended on")->required();
  rdeps->add_option("--version", rd->version,
                    "A (new) version of NAME: which dependents would take it (push), which must "
                    "be re-published to take it (pull), which exclude it");
  rdeps->add_option("--repo", rd->repo, "A workspace repo name, or a repo path or URL");
  rdeps->add_flag("--newest", rd->newest, "Only each dependent's newest version");
  rdeps->callback([&cli, rd] {
    cli.action = [&cli, rd]() -> int {
      std::optional<Version> version;
      if (!rd->version.empty()) {
        auto v = Version::parse(rd->version);
        if (!v) return cli.fail("--version: " + v.error().to_string());
        version = *v;
      }
      std::vector<std::unique_ptr<Repo>> owned;
      CLI_TRY(repos, rdeps_repos(cli, rd->repo, owned));
      nlohmann::json rows = nlohmann::json::array();
      std::map<std::string, int> totals;  // impact name -> count
      std::vector<std::vector<ReverseDependency>> found_in;  // per repo
      bool any = false;
      for (const auto& entry : *repos) {
        CLI_TRY(found, reverse_dependencies(*entry.second, rd->name));
        any = any || !found->empty();
        found_in.push_back(std::move(*found));
      }
      // Nothing depends on it: fine for a known name, a typo otherwise (exit 1, nearest name).
      if (!any) {
        CLI_TRY(known, check_package_known(*repos, rd->name));
      }
      for (std::size_t k = 0; k < repos->size(); ++k) {
        const std::string& label = (*repos)[k].first;
        std::vector<ReverseDependency> shown;
        for (auto& r : found_in[k])
          if (!rd->newest || r.newest) shown.push_back(std::move(r));
        cli.out(rd->name + ": " + plural(shown.size(), "dependent version") + " in repo '" + label +
                "'");
        for (const auto& r : shown) {
          std::string line = "  " + pad(r.package + " " + r.version.to_string(), 24) +
                             (r.group.empty() ? "" : "[" + r.group + "] ") +
                             pad(r.range_text, 16) +
                             pad(std::string(dependency_kind_name(r.kind)), 9);
          nlohmann::json j = {{"repo", label},
                              {"package", r.package},
                              {"version", r.version.to_string()},
                              {"group", r.group.empty() ? nlohmann::json() : nlohmann::json(r.group)},
                              {"range", r.range_text},
                              {"kind", dependency_kind_name(r.kind)},
                              {"yanked", r.yanked},
                              {"newest", r.newest}};
          if (version) {
            Impact impact = impact_of(r, *version);
            line += impact_name(impact);
            j["impact"] = impact_name(impact);
            ++totals[std::string(impact_name(impact))];
          }
          if (r.yanked) line += " (yanked)";
          while (!line.empty() && line.back() == ' ') line.pop_back();
          cli.out(line);
          rows.push_back(std::move(j));
        }
      }
      if (version) {
        cli.out(rd->name + " " + version->to_string() + ": " + std::to_string(totals["takes"]) +
                " take it (push), " + std::to_string(totals["pull"]) +
                " pin another version (pull: re-publish to take it), " +
                std::to_string(totals["excluded"]) + " exclude it by their range");
      }
      if (cli.json()) {
        nlohmann::json out = {{"name", rd->name}, {"dependents", rows}};
        out["version"] = version ? nlohmann::json(version->to_string()) : nlohmann::json();
        if (version) {
          out["summary"] = {
              {"takes", totals["takes"]}, {"pull", totals["pull"]}, {"excluded", totals["excluded"]}};
        }
        cli.print_json(out);
      }
      return 0;
    };
  });

  auto groups = std::make_shared<std::vector<std::string>>();
  auto* outdated_cmd = app.add_subcommand(
      "outdated", "Which locked packages have newer versions, admitted or excluded by the ranges");
  outdated_cmd->add_option("--group", *groups, "Include this dependency group of the outputs");
  outdated_cmd->callback([&cli, groups] {
    cli.action = [&cli, groups]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, (*ws)->read_lock());
      if (!*lock) {
        return cli.fail((*ws)->lock_path().string() + " does not exist", "run `reel lock` first");
      }
      LockOptions options;
      options.groups = *groups;
      CLI_TRY(report, outdated(**ws, **lock, options));
      nlohmann::json rows = nlohmann::json::array();
      if (report->packages.empty()) {
        std::size_t n = (*lock)->packages.size();
        cli.out(n == 1
                    ? "the locked package is at its newest version"
                    : "all " + std::to_string(n) + " locked packages are at their newest version");
      } else {
        cli.out(pad("package", 24) + pad("locked", 12) + pad("compatible", 12) + "latest");
      }
      for (const auto& p : report->packages) {
        std::string compatible = p.compatible ? p.compatible->to_string() : "-";
        cli.out(pad(p.name, 24) + pad(p.locked.to_string(), 12) + pad(compatible, 12) +
                p.latest.to_string());
        for (const auto& why : p.excluded_by) cli.out("    " + p.latest.to_string() + " excluded: " + why);
        rows.push_back({{"name", p.name},
                        {"locked", p.locked.to_string()},
                        {"compatible", p.compatible ? nlohmann::json(p.compatible->to_string())
                                                    : nlohmann::json()},
                        {"latest", p.latest.to_string()},
                        {"direct", p.direct},
                        {"excluded_by", p.excluded_by}});
      }
      if (!report->explanation.empty()) {
        cli.info("upgrading every package has no solution, so no compatible versions are shown:");
        cli.info(report->explanation);
      }
      if (cli.json()) {
        nlohmann::json out = {{"packages", rows}};
        out["upgrade_explanation"] = report->explanation.empty()
                                         ? nlohmann::json()
                                         : nlohmann::json(report->explanation);
        cli.print_json(out);
      }
      return 0;
    };
  });
}

}  // namespace reel::cli
