// `reel add|remove|lock|sync`: requirements, resolution and installation.
#include <algorithm>
#include <optional>
#include <set>

#include "cli.h"
#include "reel/engine/names.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/install.h"
#include "reel/workspace/review.h"

namespace reel::cli {
namespace {

struct LockFlags {
  bool upgrade = false;
  bool dry_run = false;
  std::vector<std::string> upgrade_packages;
  std::vector<std::string> groups;
  LockOptions options() const {
    LockOptions o;
    o.upgrade_all = upgrade;
    o.upgrade.insert(upgrade_packages.begin(), upgrade_packages.end());
    o.groups = groups;
    o.dry_run = dry_run;
    return o;
  }
};

void print_report(Cli& cli, const SyncReport& report) {
  std::string summary = "synced: " + std::to_string(report.installed.size()) + " installed, " +
                        std::to_string(report.removed.size()) + " removed, " +
                        std::to_string(report.unchanged) + " unchanged";
  if (!report.repaired.empty())
    summary += ", " + plural(report.repaired.size(), "file") + " repaired";
  if (report.link_mode) summary += " (" + std::string(link_mode_name(*report.link_mode)) + ")";
  cli.done(summary);
  if (cli.detail_on(2)) {
    for (const auto& p : report.installed) cli.detail(2, "materialised " + p);
    for (const auto& p : report.removed) cli.detail(2, "removed " + p);
    for (const auto& f : report.repaired) cli.detail(2, "repaired " + f);
  }
  if (cli.detail_on(1)) {
    std::string line = "sync: " + plural(report.installed.size(), "package") + " installed, " +
                       std::to_string(report.unchanged) + " kept, " +
                       std::to_string(report.removed.size()) + " removed; " +
                       plural(report.objects_fetched, "object") + " fetched into the cache (" +
                       human_bytes(report.bytes_fetched) + "); " + plural(report.files, "file") +
                       " placed (" + human_bytes(report.bytes) + ")";
    if (report.link_mode) line += " by " + std::string(link_mode_name(*report.link_mode));
    if (report.objects_quarantined > 0)
      line += "; " + plural(report.objects_quarantined, "damaged object") + " quarantined";
    cli.detail(1, line);
  }
  if (cli.json()) {
    cli.print_json({{"installed", report.installed},
                    {"removed", report.removed},
                    {"repaired", report.repaired},
                    {"objects_quarantined", report.objects_quarantined},
                    {"unchanged", report.unchanged},
                    {"files", report.files},
                    {"bytes", report.bytes},
                    {"objects_fetched", report.objects_fetched},
                    {"bytes_fetched", report.bytes_fetched}});
  }
}

// Prints what `after` changes in `before` (nullopt: there was no lock), one uv-style line each:
// "Added Chair 1.2.4", "Updated Table 0.2.0 -> 0.3.0", "Removed Lamp 2.0.0"; with `dry_run`
// "Would add Chair 1.2.4", ….
void print_changes(Cli& cli, const std::optional<LockFile>& before, const LockFile& after,
                   bool dry_run = false) {
  if (cli.options.quiet) return;  // the lines would not be printed (3,000 of them on a farm)
  for (const auto& change : diff_locks(before ? &*before : nullptr, after)) {
    std::string line = describe(change);
    if (dry_run) {
      auto space = line.find(' ');
      std::string verb = line.substr(0, space);  // Added / Updated / Removed
      verb = verb == "Added" ? "add" : verb == "Updated" ? "update" : "remove";
      line = "Would " + verb + line.substr(space);
    }
    cli.done(line);
  }
}

// The workspace's reel.lock as it is now, or nullopt if it is missing or cannot be read (then
// every package of the new lock counts as added).
std::optional<LockFile> current_lock(Workspace& ws) {
  auto lock = ws.read_lock();
  if (!lock || !*lock) return std::nullopt;
  return std::move(**lock);
}

// `warning: Table 3.3.0 is yanked: <reason>` for each yanked version `lock` installs (DESIGN §4:
// only a lock or an `==` pin brings one in).
void warn_yanked(Workspace& ws, const LockFile& lock) {
  for (const auto& w : yanked_warnings(ws, lock)) ws.context().reporter.warn(w);
}

int fail_unsolvable(Cli& cli, const std::string& explanation) {
  cli.fail("no solution for the workspace's requirements:");
  std::fprintf(stderr, "%s\n", explanation.c_str());
  return 1;
}

// Lock and sync after a change of requirements; on failure, workspace.toml goes back as it was.
int relock(Cli& cli, Workspace& ws, const WorkspaceConfig& before, const LockOptions& options,
           const std::vector<Pin>& pins = {}) {
  FileSystem& fs = ws.context().fs;
  auto old_lock = fs.read_file(ws.lock_path());
  std::optional<LockFile> before_lock = current_lock(ws);
  auto restore = [&] {
    ws.config() = before;
    (void)ws.save_config();
    if (old_lock)
      (void)fs.write_file_atomic(ws.lock_path(), *old_lock, true);
    else
      (void)fs.remove(ws.lock_path());
  };
  if (auto saved = ws.save_config(); !saved) return cli.fail(saved.error());
  auto outcome = lock_workspace(ws, options);
  if (!outcome) {
    restore();
    return cli.fail(outcome.error());
  }
  if (!outcome->lock) {
    restore();
    return fail_unsolvable(cli, outcome->explanation);
  }
  if (auto checked = check_pins(*outcome->lock, pins); !checked) {
    restore();
    return cli.fail(checked.error());
  }
  auto report = sync_workspace(ws, SyncMode::kFrozen, options);
  if (!report) {
    restore();
    return cli.fail(report.error());
  }
  print_changes(cli, before_lock, *outcome->lock);
  for (const auto& w : outcome->yanked) ws.context().reporter.warn(w);
  print_report(cli, *report);
  return 0;
}

}  // namespace

void register_install_commands(CLI::App& app, Cli& cli) {
  struct Add {
    std::vector<std::string> specs;
    std::string repo, file;
    LockFlags flags;
  };
  auto ad = std::make_shared<Add>();
  auto* add = app.add_subcommand("add", "Add requirements, then lock and sync");
  add->add_option("SPEC", ad->specs, "Table, Table==3.2.1, 'Table >=1.2,<2'");
  add->add_option("--repo", ad->repo,
                  "Resolve these packages from this repo only (recorded in [sources])");
  add->add_option("-r,--requirements", ad->file, "Read pins from a requirements export");
  add->add_option("--group", ad->flags.groups, "Include this dependency group of the outputs");
  add->callback([&cli, ad] {
    cli.action = [&cli, ad]() -> int {
      if (ad->specs.empty() && ad->file.empty()) {  // a usage error: exit 2
        return cli.usage_fail("nothing to add",
                              "name packages (reel add Table 'Chair ^1'), or -r FILE");
      }
      CLI_TRY(ws, cli.workspace());
      WorkspaceConfig before = (*ws)->config();
      std::vector<std::pair<std::string, std::string>> wanted;
      std::vector<Pin> pins;
      std::set<std::string> bare;  // lower names given without a range (`reel add Table`)
      for (const auto& spec : ad->specs) {
        CLI_TRY(parsed, parse_requirement_spec(spec));
        std::string_view rest = std::string_view(spec).substr(parsed->first.size());
        if (rest.find_first_not_of(" \t") == std::string_view::npos)
          bare.insert(lower_name(parsed->first));
        wanted.push_back(*parsed);
      }
      if (!ad->file.empty()) {
        fs::path file = cli.start_dir() / ad->file;
        CLI_TRY(text, cli.context().value()->fs.read_file(file));
        CLI_TRY(parsed, parse_requirements_export(*text, file.string()));
        pins = *parsed;
        for (const auto& p : pins) wanted.emplace_back(p.name, "==" + p.version.to_string());
      }
      if (wanted.empty()) return cli.fail("nothing to add", "give SPEC arguments or -r FILE");
      if (!ad->repo.empty()) {
        CLI_TRY(repo, (*ws)->repo(ad->repo));
        for (const auto& want : wanted) {
          CLI_TRY(known, check_package_known({{ad->repo, *repo}}, want.first));
        }
      } else {
        for (const auto& want : wanted) {
          CLI_TRY(known, check_package_known(**ws, want.first));
        }
      }
      // --repo R pins each added name to R in [sources]; without it an earlier pin is kept.
      auto& sources = (*ws)->config().sources;
      for (const auto& want : wanted) {
        if (ad->repo.empty()) continue;
        auto it = std::find_if(sources.begin(), sources.end(), [&](const auto& s) {
          return lower_name(s.first) == lower_name(want.first);
        });
        if (it != sources.end())
          it->second = ad->repo;
        else
          sources.emplace_back(want.first, ad->repo);
      }
      std::sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) {
        return lower_name(a.first) < lower_name(b.first);
      });
      auto& reqs = (*ws)->config().requirements;
      for (const auto& want : wanted) {
        const std::string& name = want.first;
        const std::string& range = want.second;
        auto it = std::find_if(reqs.begin(), reqs.end(), [&](const auto& r) {
          return lower_name(r.first) == lower_name(name);
        });
        if (it == reqs.end()) {
          reqs.emplace_back(name, range);
          cli.info("requirement " + name + " " + range);
        } else if (it->second == range) {
          cli.info("requirement " + it->first + " " + range + " (unchanged)");
        } else if (bare.count(lower_name(name))) {
          // `reel add Table` never loosens `Table ==0.2.0` (uv and cargo keep it too): a new
          // range must be given.
          cli.info("requirement " + it->first + " " + it->second +
                   " kept (a name alone does not change it; `reel add '" + it->first +
                   " *'` or another range does)");
        } else {
          cli.info("requirement " + it->first + " " + it->second + " -> " + range);
          it->second = range;
        }
      }
      std::sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) {
        return lower_name(a.first) < lower_name(b.first);
      });
      return relock(cli, **ws, before, ad->flags.options(), pins);
    };
  });

  auto rm = std::make_shared<std::vector<std::string>>();
  auto* remove = app.add_subcommand("remove", "Remove requirements, then lock and sync");
  remove->add_option("NAME", *rm, "Requirements to remove from workspace.toml")->required();
  remove->callback([&cli, rm] {
    cli.action = [&cli, rm]() -> int {
      CLI_TRY(ws, cli.workspace());
      WorkspaceConfig before = (*ws)->config();
      auto& reqs = (*ws)->config().requirements;
      for (const auto& name : *rm) {
        auto it = std::find_if(reqs.begin(), reqs.end(), [&](const auto& r) {
          return lower_name(r.first) == lower_name(name);
        });
        if (it == reqs.end())
          return cli.fail("'" + name + "' is not a requirement of the workspace");
        reqs.erase(it);
        auto& sources = (*ws)->config().sources;
        std::erase_if(sources,
                      [&](const auto& s) { return lower_name(s.first) == lower_name(name); });
      }
      return relock(cli, **ws, before, LockOptions{});
    };
  });

  auto lf = std::make_shared<LockFlags>();
  auto* lock = app.add_subcommand("lock", "Resolve and write reel.lock");
  lock->add_flag("--upgrade", lf->upgrade, "Ignore the current lock's versions");
  lock->add_option("--upgrade-package", lf->upgrade_packages,
                   "Ignore the current lock's version of NAME");
  lock->add_option("--group", lf->groups, "Include this dependency group of the outputs");
  lock->add_flag("--dry-run", lf->dry_run, "Resolve and print, but do not write reel.lock");
  lock->callback([&cli, lf] {
    cli.action = [&cli, lf]() -> int {
      CLI_TRY(ws, cli.workspace());
      std::optional<LockFile> before = current_lock(**ws);
      for (const auto& name : lf->upgrade_packages) {
        // A name the lock does not hold and no repo has is a typo, not a no-op (uv refuses too).
        if (before && before->find(name)) continue;
        CLI_TRY(known, check_package_known(**ws, name));
      }
      CLI_TRY(outcome, lock_workspace(**ws, lf->options()));
      if (!outcome->lock) return fail_unsolvable(cli, outcome->explanation);
      print_changes(cli, before, *outcome->lock, lf->dry_run);
      nlohmann::json out = nlohmann::json::array();
      for (const auto& p : outcome->lock->packages) {
        out.push_back({{"name", p.name},
                       {"version", p.version.to_string()},
                       {"repo", p.repo},
                       {"archive", p.archive.prefixed()}});
      }
      for (const auto& w : outcome->yanked) (**ws).context().reporter.warn(w);
      cli.info(std::string(lf->dry_run ? "would lock " : "locked ") +
               plural(outcome->lock->packages.size(), "package"));
      if (cli.json()) cli.print_json(out);
      return 0;
    };
  });

  struct Sync {
    bool frozen = false, locked = false;
    std::vector<std::string> groups;
    std::vector<std::string> reinstall;
  };
  auto sy = std::make_shared<Sync>();
  auto* sync = app.add_subcommand("sync", "Make inputs/ match reel.lock");
  auto* frozen = sync->add_flag("--frozen", sy->frozen, "Use reel.lock as it is; never resolve");
  sync->add_flag("--locked", sy->locked, "Fail if reel.lock is stale")->excludes(frozen);
  sync->add_option("--group", sy->groups, "Include this dependency group of the outputs");
  auto* reinstall =
      sync->add_option("--reinstall", sy->reinstall,
                       "Re-materialise these packages (all, given no NAME) from scratch")
          ->expected(0, -1)
          ->type_name("[NAME...]");
  sync->callback([&cli, sy, reinstall] {
    cli.action = [&cli, sy, reinstall]() -> int {
      CLI_TRY(ws, cli.workspace());
      SyncMode mode = sy->frozen   ? SyncMode::kFrozen
                      : sy->locked ? SyncMode::kLocked
                                   : SyncMode::kResolveIfNeeded;
      LockOptions options;
      options.groups = sy->groups;
      SyncOptions sync_options;
      // `--reinstall` alone: CLI11 gives an empty vector or one empty string.
      for (const auto& n : sy->reinstall)
        if (!n.empty()) sync_options.reinstall.insert(lower_name(n));
      sync_options.reinstall_all = reinstall->count() > 0 && sync_options.reinstall.empty();
      // --frozen never writes reel.lock: nothing to compare (two reads and parses of the lock
      // fewer, a quarter of a no-op farm sync's CPU), and no yank warnings (they came when the
      // lock was made, and `reel status` lists yanked locked versions).
      const bool frozen = mode == SyncMode::kFrozen;
      std::optional<LockFile> before = frozen ? std::nullopt : current_lock(**ws);
      CLI_TRY(report, sync_workspace(**ws, mode, options, sync_options));
      if (!report->explanation.empty()) return fail_unsolvable(cli, report->explanation);
      if (std::optional<LockFile> after = frozen ? std::nullopt : current_lock(**ws)) {
        print_changes(cli, before, *after);
        warn_yanked(**ws, *after);
      }
      print_report(cli, *report);
      return 0;
    };
  });
}

}  // namespace reel::cli
