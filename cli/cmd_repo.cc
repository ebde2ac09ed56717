// `reel repo init|add|list` and `reel init`.
#include "cli.h"
#include "reel/engine/names.h"
#include "reel/engine/repo.h"

namespace reel::cli {

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
  add->add_option("NAME", ar->name)->required();
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
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : (*ws)->config().repos) {
        std::string flags;
        if (r.blessed) flags += " blessed";
        if (r.is_default) flags += " default";
        cli.out(r.name + "  " + r.url + (flags.empty() ? "" : "  [" + flags.substr(1) + "]"));
        out.push_back(
            {{"name", r.name}, {"url", r.url}, {"blessed", r.blessed}, {"default", r.is_default}});
      }
      if (cli.json()) cli.print_json(out);
      return 0;
    };
  });

  struct Init {
    std::string dir = ".", name, link_mode = "auto";
    std::vector<std::string> repos;
  };
  auto in = std::make_shared<Init>();
  auto* init = app.add_subcommand("init", "Create a workspace");
  init->add_option("DIR", in->dir, "Folder (default: the current one)");
  init->add_option("--name", in->name, "Workspace name (default: the folder's name)");
  init->add_option("--repo", in->repos,
                   "NAME=URL; the first is blessed and the default publish target");
  init->add_option("--link-mode", in->link_mode, "auto, clone, hardlink, copy or symlink");
  init->callback([&cli, in] {
    cli.action = [&cli, in]() -> int {
      CLI_TRY(ctx, cli.context());
      InitOptions options;
      options.name = in->name;
      CLI_TRY(mode, parse_link_mode(in->link_mode));
      options.link_mode = *mode;
      for (const auto& spec : in->repos) {
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
      fs::path dir = fs::absolute(cli.start_dir() / in->dir).lexically_normal();
      CLI_TRY(ws, Workspace::create(**ctx, dir, options));
      cli.done("created workspace '" + ws->config().name + "' in " + dir.string());
      if (cli.json()) cli.print_json({{"name", ws->config().name}, {"path", dir.string()}});
      return 0;
    };
  });
}

}  // namespace reel::cli
