// `reel repo init|add|list` and `reel init`.
#include <algorithm>

#include "cli.h"
#include "reel/engine/names.h"
#include "reel/engine/repo.h"

namespace reel::cli {

namespace {

// The workspace's repos as `reel repo list --json` prints them (docs/json.md).
nlohmann::json repos_json(const WorkspaceConfig& config) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : config.repos) {
    out.push_back(
        {{"name", r.name}, {"url", r.url}, {"blessed", r.blessed}, {"default", r.is_default}});
  }
  return out;
}

// `reel repo remove|set-default|set-blessed NAME`: edit workspace.toml's [[repo]] flags, keeping
// everything else as it was.
void register_repo_edit_commands(CLI::App& repo, Cli& cli) {
  auto name = std::make_shared<std::string>();
  auto* remove = repo.add_subcommand("remove", "Remove a repo from the workspace");
  remove->add_option("NAME", *name, "The repo's name in workspace.toml")->required();
  remove->callback([&cli, name] {
    cli.action = [&cli, name]() -> int {
      CLI_TRY(ws, cli.workspace());
      WorkspaceConfig& config = (*ws)->config();
      CLI_TRY(found, find_workspace_repo(config, *name));
      std::vector<std::string> pinned;
      for (const auto& [package, source] : config.sources)
        if (source == *name) pinned.push_back(package);
      if (!pinned.empty()) {
        return cli.fail("repo '" + *name + "' is the source of " + join(pinned, ", ") +
                            " ([sources] in workspace.toml)",
                        "pin them to another repo first (reel add " + pinned.front() +
                            " --repo OTHER) or remove them (reel remove " + pinned.front() + ")");
      }
      bool was_blessed = (*found)->blessed, was_default = (*found)->is_default;
      std::erase_if(config.repos, [&](const RepoConfig& r) { return r.name == *name; });
      CLI_TRY(saved, (*ws)->save_config());
      cli.done("removed repo '" + *name + "'");
      // What the removal means for installs and publishes (warnings, shown under -q too).
      Reporter& reporter = cli.context().value()->reporter;
      if (config.repos.empty()) {
        reporter.warn(
            "the workspace has no repos now: lock, sync and publish need one (reel repo "
            "add NAME URL)");
      } else {
        bool any_blessed = std::any_of(config.repos.begin(), config.repos.end(),
                                       [](const RepoConfig& r) { return r.blessed; });
        if (was_blessed && !any_blessed)
          reporter.warn(
              "no repo is blessed now: installs search every repo, in order (reel repo "
              "set-blessed NAME)");
        if (was_default)
          reporter.warn("no repo is the default now: publish goes to '" +
                        config.default_repo()->name + "', the first (reel repo set-default NAME)");
      }
      auto lock = (*ws)->read_lock();
      if (lock && *lock) {
        std::size_t from_it = 0;
        for (const auto& p : (*lock)->packages) from_it += p.repo == *name ? 1 : 0;
        if (from_it > 0)
          reporter.warn("reel.lock installs " + plural(from_it, "package") + " from '" + *name +
                        "': run `reel lock` to resolve them from the other repos");
      }
      if (cli.json()) cli.print_json(repos_json(config));
      return 0;
    };
  });

  auto set_default_name = std::make_shared<std::string>();
  auto* set_default = repo.add_subcommand("set-default", "Make a repo the default publish target");
  set_default->add_option("NAME", *set_default_name, "The repo's name in workspace.toml")
      ->required();
  set_default->callback([&cli, set_default_name] {
    cli.action = [&cli, set_default_name]() -> int {
      CLI_TRY(ws, cli.workspace());
      WorkspaceConfig& config = (*ws)->config();
      CLI_TRY(found, find_workspace_repo(config, *set_default_name));
      for (auto& r : config.repos) r.is_default = false;
      (*found)->is_default = true;
      CLI_TRY(saved, (*ws)->save_config());
      cli.done("repo '" + *set_default_name + "' is the default publish target");
      if (cli.json()) cli.print_json(repos_json(config));
      return 0;
    };
  });

  struct SetBlessed {
    std::string name;
    bool add = false;
  };
  auto sb = std::make_shared<SetBlessed>();
  auto* set_blessed = repo.add_subcommand(
      "set-blessed", "Make a repo the blessed one, the one installs resolve against");
  set_blessed->add_option("NAME", sb->name, "The repo's name in workspace.toml")->required();
  set_blessed->add_flag("--add", sb->add,
                        "Keep the other blessed repos blessed (searched in file order)");
  set_blessed->callback([&cli, sb] {
    cli.action = [&cli, sb]() -> int {
      CLI_TRY(ws, cli.workspace());
      WorkspaceConfig& config = (*ws)->config();
      CLI_TRY(found, find_workspace_repo(config, sb->name));
      if (!sb->add)
        for (auto& r : config.repos) r.blessed = false;
      (*found)->blessed = true;
      CLI_TRY(saved, (*ws)->save_config());
      cli.done("repo '" + sb->name + "' is blessed" +
               (sb->add ? "" : " (the only one installs resolve against)"));
      if (cli.json()) cli.print_json(repos_json(config));
      return 0;
    };
  });
}

}  // namespace

void register_repo_commands(CLI::App& app, Cli& cli) {
  auto* repo = app.add_subcommand("repo", "Create and configure repos");
  repo->require_subcommand(1);

  struct InitRepo {
    std::string path, name;
  };
  auto ir = std::make_shared<InitRepo>();
  auto* init_repo = repo->add_subcommand("init", "Create an empty folder repo");
  init_repo->add_option("PATH", ir->path, "Folder for the repo")->required();
  init_repo->add_option("--name", ir->name, "Repo name (default: the folder's name)");
  init_repo->callback([&cli, ir] {
    cli.action = [&cli, ir]() -> int {
      CLI_TRY(ctx, cli.context());
      fs::path path = fs::absolute(cli.start_dir() / ir->path).lexically_normal();
      std::string name = ir->name.empty() ? path.filename().string() : ir->name;
      CLI_TRY(created, init_folder_repo((*ctx)->fs, path, name));
      cli.done("created repo '" + name + "' at " + path.string());
      if (cli.json()) cli.print_json({{"name", name}, {"path", path.string()}});
      return 0;
    };
  });

  struct AddRepo {
    std::string name, url;
    bool blessed = false, is_default = false;
  };
  auto ar = std::make_shared<AddRepo>();
  auto* add = repo->add_subcommand("add", "Add a repo to the workspace");
  add->add_option("NAME", ar->name, "The repo's name in workspace.toml")->required();
  add->add_option("URL", ar->url, "A path, file://, http:// or https:// URL")->required();
  add->add_flag("--blessed", ar->blessed, "Install from this repo");
  add->add_flag("--default", ar->is_default, "Publish to this repo by default");
  add->callback([&cli, ar] {
    cli.action = [&cli, ar]() -> int {
      CLI_TRY(ws, cli.workspace());
      WorkspaceConfig& config = (*ws)->config();
      if (config.find_repo(ar->name))
        return cli.fail("the workspace already has a repo named '" + ar->name + "'");
      RepoConfig rc{ar->name, ar->url, ar->blessed, ar->is_default, ""};
      if (rc.url.find("://") == std::string::npos)
        rc.url = fs::absolute(cli.start_dir() / rc.url).lexically_normal().string();
      CLI_TRY(opened, cli.open_repo_url(rc.url));
      if (rc.is_default)
        for (auto& r : config.repos) r.is_default = false;
      config.repos.push_back(rc);
      CLI_TRY(saved, (*ws)->save_config());
      cli.done("added repo '" + rc.name + "' (" + rc.url + ")");
      if (cli.json()) {
        cli.print_json({{"name", rc.name},
                        {"url", rc.url},
                        {"blessed", rc.blessed},
                        {"default", rc.is_default}});
      }
      return 0;
    };
  });

  auto* list = repo->add_subcommand("list", "List the workspace's repos");
  list->callback([&cli] {
    cli.action = [&cli]() -> int {
      CLI_TRY(ws, cli.workspace());
      const auto& repos = (*ws)->config().repos;
      std::size_t name_width = 0, url_width = 0;
      for (const auto& r : repos) {
        name_width = std::max(name_width, r.name.size());
        url_width = std::max(url_width, r.url.size());
      }
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : repos) {
        std::string flags;
        if (r.blessed) flags += " blessed";
        if (r.is_default) flags += " default";
        std::string line = r.name + std::string(name_width - r.name.size() + 2, ' ') + r.url;
        if (!flags.empty())
          line += std::string(url_width - r.url.size() + 2, ' ') + "[" + flags.substr(1) + "]";
        cli.out(line);
        out.push_back(
            {{"name", r.name}, {"url", r.url}, {"blessed", r.blessed}, {"default", r.is_default}});
      }
      if (cli.json()) cli.print_json(out);
      return 0;
    };
  });

  register_repo_edit_commands(*repo, cli);

  struct Init {
    std::string dir = ".", name, link_mode, blessed, publish_to;
    std::vector<std::string> repos;
  };
  auto in = std::make_shared<Init>();
  auto* init = app.add_subcommand("init", "Create a workspace");
  init->add_option("DIR", in->dir, "Folder (default: the current one)");
  init->add_option("--name", in->name, "Workspace name (default: the folder's name)");
  init->add_option(
          "--repo", in->repos,
          "A repo, in search order; the first is blessed and the default publish "
          "target, unless --blessed / --default say otherwise (or one is named review: the "
          "default; or blessed: the blessed one)")
      ->type_name("NAME=URL");
  init->add_option("--blessed", in->blessed, "The repo installs resolve against (a --repo NAME)")
      ->type_name("NAME");
  init->add_option("--default", in->publish_to, "The default publish target (a --repo NAME)")
      ->type_name("NAME");
  init->add_option("--link-mode", in->link_mode,
                   "auto, clone, hardlink, copy or symlink (default: the user config's "
                   "link-mode, else auto)");
  init->callback([&cli, in] {
    cli.action = [&cli, in]() -> int {
      CLI_TRY(ctx, cli.context());
      CLI_TRY(user, cli.user_config());
      InitOptions options;
      options.name = in->name;
      if (!in->link_mode.empty()) {
        CLI_TRY(mode, parse_link_mode(in->link_mode));
        options.link_mode = *mode;
      } else if ((*user)->link_mode) {
        options.link_mode = *(*user)->link_mode;
      }
      std::vector<std::string> specs = in->repos;
      if (specs.empty()) {
        // No --repo: the user config's repos, with their flags.
        for (const auto& r : (*user)->repos) {
          specs.push_back(r.name + "=" + r.url);
          if (r.blessed && in->blessed.empty()) in->blessed = r.name;
          if (r.is_default && in->publish_to.empty()) in->publish_to = r.name;
        }
      }
      for (const auto& spec : specs) {
        auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
          return cli.fail("invalid --repo '" + spec + "'", "write it as NAME=URL");
        }
        std::string url = spec.substr(eq + 1);
        if (url.find("://") == std::string::npos)
          url = fs::absolute(cli.start_dir() / url).lexically_normal().string();
        CLI_TRY(opened, cli.open_repo_url(url));
        options.repos.emplace_back(spec.substr(0, eq), url);
      }
      options.blessed_repo = in->blessed;
      options.default_repo = in->publish_to;
      // Unless flagged, a repo named review is the default publish target (DESIGN §1:
      // "conventionally review") and one named blessed the blessed one; else the first is both.
      for (const auto& [repo_name, url] : options.repos) {
        if (in->publish_to.empty() && repo_name == "review") options.default_repo = repo_name;
        if (in->blessed.empty() && repo_name == "blessed") options.blessed_repo = repo_name;
      }
      fs::path dir = fs::absolute(cli.start_dir() / in->dir).lexically_normal();
      CLI_TRY(ws, Workspace::create(**ctx, dir, options));
      cli.done("created workspace '" + ws->config().name + "' in " + dir.string());
      if (cli.json()) cli.print_json({{"name", ws->config().name}, {"path", dir.string()}});
      return 0;
    };
  });
}

}  // namespace reel::cli
