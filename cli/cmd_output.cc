// `reel new|edit|bump|build|publish|promote`: outputs, their build steps, and publishing.
#include <cstdio>

#include "cli.h"
#include "reel/engine/names.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/outputs.h"
#include "reel/workspace/steps.h"

namespace reel::cli {
namespace {

std::string count_files(std::uint64_t n) { return plural(n, "file"); }

// Splits NAME==VERSION (the version part optional unless `need_version`).
bool split_pin(const std::string& spec, std::string& name, std::optional<Version>& version,
               std::string& error) {
  auto eq = spec.find("==");
  name = spec.substr(0, eq);
  if (eq == std::string::npos) return true;
  auto v = Version::parse(spec.substr(eq + 2));
  if (!v) {
    error = v.error().to_string();
    return false;
  }
  version = *v;
  return true;
}

// The spelling of NAME in outputs/ (`reel edit chair` makes outputs/Chair).
std::string canonical_output_name(Workspace& ws, const std::string& name) {
  auto all = list_outputs(ws);
  if (all) {
    for (const auto& n : *all) {
      if (lower_name(n) == lower_name(name)) return n;
    }
  }
  return name;
}

// What to tell the user when publishing NAME failed with `error`.
std::string publish_hint(const Error& error, const std::string& name) {
  if (!error.hint.empty()) return error.hint;
  if (error.code != ErrorCode::kConflict) return "";
  const std::string& m = error.message;
  if (m.rfind("outputs/", 0) == 0 && m.find(" has stale steps: ") != std::string::npos) {
    return "run `reel build " + name +
           "` (it runs them), commit, and publish again; or pass "
           "--allow-stale";
  }
  if (m.rfind("outputs/", 0) == 0 && m.find("uncommitted changes") != std::string::npos) {
    return "commit them, or pass --allow-dirty";
  }
  if (m.rfind("outputs/", 0) == 0)
    return "commit it with git (`git init && git add -A && git commit`), or pass --allow-dirty";
  return "a published version never changes: bump the version (`reel bump " + name +
         " patch`), commit, and publish again";
}

}  // namespace

void register_output_commands(CLI::App& app, Cli& cli) {
  struct New {
    std::string name, type, version = "0.1.0";
  };
  auto nw = std::make_shared<New>();
  auto* create = app.add_subcommand("new", "Scaffold an editable asset in outputs/NAME");
  create->add_option("NAME", nw->name, "The new asset's name (outputs/NAME)")->required();
  create->add_option("--type", nw->type, "Asset type (prop, set, character, ...)");
  create->add_option("--version", nw->version, "First version (default 0.1.0)");
  create->callback([&cli, nw] {
    cli.action = [&cli, nw]() -> int {
      CLI_TRY(ws, cli.workspace());
      auto v = Version::parse(nw->version);
      if (!v) return cli.fail(v.error().to_string());
      CLI_TRY(made, new_output(**ws, nw->name, NewOutputOptions{nw->type, *v}));
      CLI_TRY(source, output_source(**ws, nw->name));
      cli.done("created outputs/" + nw->name + " (" + v->to_string() + ")");
      if (cli.json()) {
        cli.print_json({{"name", nw->name},
                        {"version", v->to_string()},
                        {"type", nw->type},
                        {"path", ((*ws)->outputs_dir() / nw->name).string()},
                        {"commit", source->commit}});
      }
      return 0;
    };
  });

  struct Edit {
    std::string spec, repo;
  };
  auto ed = std::make_shared<Edit>();
  auto* edit = app.add_subcommand("edit", "Make a published version editable in outputs/NAME");
  edit->add_option("NAME[==VERSION]", ed->spec, "A published package (default: its newest version)")
      ->required();
  edit->add_option("--repo", ed->repo, "Take it from this repo");
  edit->callback([&cli, ed] {
    cli.action = [&cli, ed]() -> int {
      CLI_TRY(ws, cli.workspace());
      std::string name, error;
      std::optional<Version> version;
      if (!split_pin(ed->spec, name, version, error)) return cli.fail(error);
      std::optional<std::string> repo;
      if (!ed->repo.empty()) repo = ed->repo;
      {
        CLI_TRY(repos, (*ws)->install_repos(repo));
        CLI_TRY(known, check_package_known(*repos, name));
      }
      CLI_TRY(taken, edit_output(**ws, name, version, repo));
      name = canonical_output_name(**ws, name);
      cli.done("outputs/" + name + " now holds " + name + " " + taken->to_string() +
               " (a git working tree)");
      if (cli.json()) {
        cli.print_json({{"name", name},
                        {"version", taken->to_string()},
                        {"path", ((*ws)->outputs_dir() / name).string()}});
      }
      return 0;
    };
  });

  struct Bump {
    std::string name, part;
  };
  auto bp = std::make_shared<Bump>();
  auto* bump = app.add_subcommand("bump", "Bump an output's version");
  bump->add_option("NAME", bp->name, "An output")->required();
  bump->add_option("PART", bp->part, "major, minor, patch or pre")
      ->required()
      ->check(CLI::IsMember({"major", "minor", "patch", "pre"}));
  bump->callback([&cli, bp] {
    cli.action = [&cli, bp]() -> int {
      CLI_TRY(ws, cli.workspace());
      BumpPart part = bp->part == "major"   ? BumpPart::kMajor
                      : bp->part == "minor" ? BumpPart::kMinor
                      : bp->part == "patch" ? BumpPart::kPatch
                                            : BumpPart::kPre;
      CLI_TRY(next, bump_output(**ws, bp->name, part));
      cli.done(bp->name + " is now " + next->to_string());
      if (cli.json()) cli.print_json({{"name", bp->name}, {"version", next->to_string()}});
      return 0;
    };
  });

  auto build_name = std::make_shared<std::string>();
  auto* build = app.add_subcommand(
      "build", "Run outputs/NAME's stale [[step]]s, then snapshot it into build/");
  build->add_option("NAME", *build_name, "An output")->required();
  build->callback([&cli, build_name] {
    cli.action = [&cli, build_name]() -> int {
      CLI_TRY(ws, cli.workspace());
      std::string name = canonical_output_name(**ws, *build_name);
      auto runner = make_process_runner();
      std::fflush(stdout);
      CLI_TRY(steps, run_steps(**ws, name, *runner));
      for (const auto& r : steps->ran) cli.done("ran step " + r.name + " (" + r.reason + ")");
      for (const auto& s : steps->up_to_date) cli.done("step " + s + " is up to date");
      CLI_TRY(built, build_output(**ws, name));
      cli.done("built " + built->manifest.name + " " + built->manifest.version.to_string() + " (" +
               count_files(built->files.size()) + ", " + human_bytes(built->total_size) +
               ") sha256:" + built->archive_digest.hex());
      if (cli.json()) {
        // "steps": {"ran": [{"name", "reason"}], "up_to_date": [names]}.
        nlohmann::json ran = nlohmann::json::array();
        for (const auto& r : steps->ran) ran.push_back({{"name", r.name}, {"reason", r.reason}});
        cli.print_json({{"name", built->manifest.name},
                        {"version", built->manifest.version.to_string()},
                        {"archive", built->archive_digest.prefixed()},
                        {"files", built->files.size()},
                        {"steps", {{"ran", ran}, {"up_to_date", steps->up_to_date}}}});
      }
      return 0;
    };
  });

  struct Publish {
    std::vector<std::string> names;
    bool all = false, allow_dirty = false, allow_unresolved = false, allow_stale = false;
    std::string repo;
  };
  auto pb = std::make_shared<Publish>();
  auto* publish = app.add_subcommand("publish", "Publish outputs to a repo");
  publish->add_option("NAME", pb->names, "Outputs to publish");
  publish->add_flag("--all", pb->all, "Publish every output");
  publish->add_option("--repo", pb->repo, "Target repo (default: the workspace's default repo)");
  publish->add_flag("--allow-dirty", pb->allow_dirty, "Publish even with uncommitted changes");
  publish->add_flag("--allow-unresolved", pb->allow_unresolved,
                    "Publish even when the dependencies do not resolve (the entry says so)");
  publish->add_flag("--allow-stale", pb->allow_stale,
                    "Publish even when a [[step]] is stale (its inputs changed since steps.lock)");
  publish->callback([&cli, pb] {
    cli.action = [&cli, pb]() -> int {
      if (pb->names.empty() && !pb->all) {  // a usage error: exit 2
        return cli.usage_fail("nothing to publish", "name outputs, or pass --all");
      }
      CLI_TRY(ws, cli.workspace());
      std::vector<std::string> names = pb->names;
      if (pb->all) {
        CLI_TRY(all, list_outputs(**ws));
        names = *all;
      }
      if (names.empty()) return cli.fail("nothing to publish", "name outputs, or pass --all");
      // Dependencies first, so each publish finds what it needs already in the repo.
      for (const auto& n : names) {
        CLI_TRY(known, check_output_known(**ws, n));
      }
      if (!pb->repo.empty()) {
        CLI_TRY(target, find_workspace_repo((*ws)->config(), pb->repo));
      }
      CLI_TRY(ordered, publish_order(**ws, names));
      names = *ordered;
      std::optional<std::string> repo;
      if (!pb->repo.empty()) repo = pb->repo;
      nlohmann::json out = nlohmann::json::array();
      for (const auto& name : names) {
        PublishOptions options;
        options.repo = repo;
        options.allow_dirty = pb->allow_dirty;
        options.allow_unresolved = pb->allow_unresolved;
        options.allow_stale = pb->allow_stale;
        auto result = publish_output(**ws, name, options);
        if (!result) return cli.fail(result.error(), publish_hint(result.error(), name));
        std::string what = result->name + " " + result->version.to_string();
        if (result->already_published) {
          cli.done(what + " is already published in " + result->repo);
        } else {
          cli.done("published " + what + " to " + result->repo + " (" +
                   count_files(result->file_count) + ", " + human_bytes(result->total_size) + ")");
        }
        out.push_back({{"name", result->name},
                       {"version", result->version.to_string()},
                       {"repo", result->repo},
                       {"archive", result->archive.prefixed()},
                       {"already_published", result->already_published}});
      }
      if (cli.json()) cli.print_json(out);
      return 0;
    };
  });

  struct Promote {
    std::string spec, from, to;
    bool with_deps = false, force = false;
  };
  auto pr = std::make_shared<Promote>();
  auto* promote_cmd = app.add_subcommand("promote", "Copy a published version between repos");
  promote_cmd->add_option("NAME==VERSION", pr->spec, "The published version to copy")->required();
  promote_cmd
      ->add_option("--from", pr->from, "Source repo: a workspace repo's name, a path or a URL")
      ->required()
      ->type_name("REPO");
  promote_cmd->add_option("--to", pr->to, "Target repo: a workspace repo's name, a path or a URL")
      ->required()
      ->type_name("REPO");
  promote_cmd->add_flag("--with-deps", pr->with_deps,
                        "Also promote the dependencies the target repo lacks (first)");
  promote_cmd->add_flag("--force", pr->force,
                        "Promote even a version that is not approved (recorded in the audit log)");
  promote_cmd->callback([&cli, pr] {
    cli.action = [&cli, pr]() -> int {
      std::string name, error;
      std::optional<Version> version;
      if (!split_pin(pr->spec, name, version, error)) return cli.fail(error);
      if (!version) return cli.fail("promote needs NAME==VERSION, got '" + pr->spec + "'");
      CLI_TRY(ctx, cli.context());
      // Inside a workspace --from / --to name its repos; outside one (a CI promotion job) they
      // are paths or URLs.
      auto ws = cli.workspace();
      if (!ws && ws.error().code != ErrorCode::kNotFound) return cli.fail(ws.error());
      std::vector<std::unique_ptr<Repo>> opened;
      auto open = [&](const std::string& spec) -> Result<Repo*> {
        if (ws && (*ws)->config().find_repo(spec)) return (*ws)->repo(spec);
        bool looks_like_name =
            spec.find('/') == std::string::npos && spec.find("://") == std::string::npos;
        if (ws && looks_like_name) {
          auto found = find_workspace_repo((*ws)->config(), spec);
          return tl::unexpected(found.error());
        }
        std::string url = spec;
        if (url.find("://") == std::string::npos)
          url = fs::absolute(cli.start_dir() / url).lexically_normal().string();
        auto repo = cli.open_repo_url(url);
        if (!repo) return tl::unexpected(repo.error());
        opened.push_back(std::move(*repo));
        return opened.back().get();
      };
      CLI_TRY(from, open(pr->from));
      CLI_TRY(to, open(pr->to));
      if (*from == *to)
        return cli.fail("promote: --from and --to name the same repo '" + pr->from + "'");
      CLI_TRY(done, promote_between(**from, pr->from, **to, pr->to, name, *version, pr->with_deps,
                                    pr->force, **ctx));
      std::string what = name + " " + version->to_string();
      for (const auto& d : done->dependencies)
        cli.done("promoted " + d + " from " + pr->from + " to " + pr->to + " (a dependency)");
      if (done->already_present)
        cli.done(what + " is already in " + pr->to);
      else
        cli.done("promoted " + what + " from " + pr->from + " to " + pr->to);
      if (cli.json()) {
        cli.print_json({{"name", name},
                        {"version", version->to_string()},
                        {"from", pr->from},
                        {"to", pr->to},
                        {"dependencies", done->dependencies},
                        {"already_present", done->already_present}});
      }
      return 0;
    };
  });
}

}  // namespace reel::cli
