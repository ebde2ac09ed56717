// `reel gc`: collecting what no workspace uses from the shared cache (gc.h).
#include "cli.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/inspect.h"

namespace reel::cli {

void register_cache_commands(CLI::App& app, Cli& cli) {
  auto dry_run = std::make_shared<bool>(false);
  auto* gc = app.add_subcommand(
      "gc", "Remove cache objects and archives no registered workspace uses");
  gc->add_flag("--dry-run,-n", *dry_run, "Report what would be removed; remove nothing");
  gc->callback([&cli, dry_run] {
    cli.action = [&cli, dry_run]() -> int {
      CLI_TRY(ctx, cli.context());
      GcOptions options;
      options.dry_run = *dry_run;
      CLI_TRY(report, collect_garbage(**ctx, options));
      for (const auto& root : report->forgotten)
        cli.info((*dry_run ? "would forget " : "forgot ") + root + " (no workspace there)");
      const std::string verb = *dry_run ? "would remove " : "removed ";
      cli.done(verb + plural(report->objects_removed, "object") + " and " +
               plural(report->archives_removed, "archive") + " (" +
               human_bytes(report->bytes_removed) + "); kept " +
               plural(report->objects_kept, "object") + " and " +
               plural(report->archives_kept, "archive") + " used by " +
               plural(report->workspaces, "workspace"));
      if (cli.json()) {
        cli.print_json({{"dry_run", *dry_run},
                        {"workspaces", report->workspaces},
                        {"forgotten", report->forgotten},
                        {"objects_removed", report->objects_removed},
                        {"objects_kept", report->objects_kept},
                        {"archives_removed", report->archives_removed},
                        {"archives_kept", report->archives_kept},
                        {"bytes_removed", report->bytes_removed},
                        {"temp_files_removed", report->temp_files_removed}});
      }
      return 0;
    };
  });
}

}  // namespace reel::cli
