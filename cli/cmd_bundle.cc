// `reel export bundle` / `reel import bundle`: a lock's whole closure in one tar.zst, for
// air-gapped sites and farms (bundle.h).
#include "cli.h"
#include "reel/workspace/bundle.h"
#include "reel/workspace/inspect.h"

namespace reel::cli {
namespace {

// The `export` group (cmd_inspect.cc registers it with `export requirements`), or a new one.
CLI::App* export_group(CLI::App& app) {
  auto found = app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "export"; });
  if (!found.empty()) return found.front();
  auto* exp = app.add_subcommand("export", "Export the lock");
  exp->require_subcommand(1);
  return exp;
}

}  // namespace

void register_bundle_commands(CLI::App& app, Cli& cli) {
  struct Export {
    std::string output;
    int level = 3;
  };
  auto ex = std::make_shared<Export>();
  auto* exp = export_group(app)->add_subcommand(
      "bundle", "The lock's whole closure (archives, objects, index entries) in one tar.zst");
  exp->add_option("-o,--output", ex->output, "The bundle file to write (e.g. job.tar.zst)")
      ->required();
  exp->add_option("--level", ex->level, "zstd compression level")
      ->check(CLI::Range(1, 19))
      ->default_val(3);
  exp->callback([&cli, ex] {
    cli.action = [&cli, ex]() -> int {
      CLI_TRY(ws, cli.workspace());
      fs::path file = (cli.start_dir() / ex->output).lexically_normal();
      ExportBundleOptions options;
      options.zstd_level = ex->level;
      CLI_TRY(report, export_bundle(**ws, file, options));
      cli.done("exported " + plural(report->packages, "package") + ", " +
               plural(report->objects, "object") + " (" + human_bytes(report->object_bytes) +
               ") to " + file.string() + " (" + human_bytes(report->bundle_bytes) + ")");
      if (cli.json()) {
        cli.print_json({{"bundle", file.string()},
                        {"packages", report->packages},
                        {"objects", report->objects},
                        {"object_bytes", report->object_bytes},
                        {"bytes", report->bundle_bytes},
                        {"objects_fetched", report->objects_fetched}});
      }
      return 0;
    };
  });

  struct Import {
    std::string file, repo_dir, workspace;
  };
  auto im = std::make_shared<Import>();
  auto* imp = app.add_subcommand("import", "Import what an export wrote");
  imp->require_subcommand(1);
  auto* bundle = imp->add_subcommand(
      "bundle",
      "Put a bundle's archives and objects into the cache (verified), so `reel sync "
      "--frozen` of its lock needs no repo");
  bundle->add_option("FILE", im->file, "The bundle (a tar.zst written by `reel export bundle`)")
      ->required();
  bundle->add_option("--repo-dir", im->repo_dir,
                     "Also publish its packages into the folder repo DIR (created if absent)");
  bundle->add_option("--workspace", im->workspace,
                     "Also write its workspace.toml and reel.lock into DIR (a job to sync)");
  bundle->callback([&cli, im] {
    cli.action = [&cli, im]() -> int {
      CLI_TRY(ctx, cli.context());
      fs::path file = (cli.start_dir() / im->file).lexically_normal();
      ImportBundleOptions options;
      if (!im->repo_dir.empty())
        options.repo_dir = (cli.start_dir() / im->repo_dir).lexically_normal();
      if (!im->workspace.empty())
        options.workspace_dir = (cli.start_dir() / im->workspace).lexically_normal();
      CLI_TRY(report, import_bundle(**ctx, file, options));
      std::string line =
          "imported " + plural(report->packages, "package") + ", " +
          plural(report->objects, "object") + " (" + human_bytes(report->object_bytes) + "; " +
          std::to_string(report->objects_stored) + " new to the cache) from " + file.string();
      if (options.repo_dir) {
        line += "; " + std::to_string(report->published) + " newly published to " +
                options.repo_dir->string();
      }
      if (options.workspace_dir) line += "; workspace " + options.workspace_dir->string();
      cli.done(line);
      if (cli.json()) {
        cli.print_json(
            {{"bundle", file.string()},
             {"packages", report->packages},
             {"objects", report->objects},
             {"object_bytes", report->object_bytes},
             {"objects_stored", report->objects_stored},
             {"archives_stored", report->archives_stored},
             {"published", report->published},
             {"repo_dir", options.repo_dir ? options.repo_dir->string() : ""},
             {"workspace", options.workspace_dir ? options.workspace_dir->string() : ""}});
      }
      return 0;
    };
  });
}

}  // namespace reel::cli
