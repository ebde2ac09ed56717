// `reel list`, `reel search`, `reel show`, `reel log`: what a studio's repos hold, one package's
// record and the audit trail (DESIGN §5; catalog.h).
#include <algorithm>

#include "cli.h"
#include "repo_arg.h"
#include "reel/engine/catalog.h"
#include "reel/engine/names.h"
#include "reel/engine/studio_metadata.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/watchtower.h"

namespace reel::cli {
namespace {

using nlohmann::json;

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

// The repos a catalog command reads (DESIGN §2's search order): --repo R names a workspace repo
// or is a path/URL; without it, every repo of the workspace in workspace.toml order. Outside a
// workspace --repo is required. Opened repos are kept in `owned`.
Result<RepoList> catalog_repos(Cli& cli, const std::string& repo, const char* command,
                               std::vector<std::unique_ptr<Repo>>& owned) {
  RepoList out;
  auto ws = cli.workspace();
  if (!repo.empty()) {
    auto one = open_repo_arg(cli, repo, owned);
    if (!one) return tl::unexpected(one.error());
    out.push_back(*one);
    return out;
  }
  if (!ws) {
    Error e{ErrorCode::kInvalidArgument, std::string(command) +
                                             " outside a workspace needs --repo PATH|URL (" +
                                             ws.error().message + ")"};
    return tl::unexpected(e);
  }
  for (const auto& r : (*ws)->config().repos) {
    auto opened = (*ws)->repo(r.name);
    if (!opened) return tl::unexpected(opened.error());
    out.emplace_back(r.name, *opened);
  }
  return out;
}

json review_json(const ReviewRecord& r) {
  return {{"state", review_state_name(r.state)}, {"by", r.by}, {"at", r.at}, {"note", r.note}};
}

json yank_json(const IndexEntry& e) {
  if (!e.yanked) return false;
  YankRecord y = e.yank.value_or(YankRecord{});
  return {{"reason", y.reason}, {"by", y.by}, {"at", y.at}};
}

// "approved", "rejected", "pending", with ", yanked" when it is.
std::string state_word(const IndexEntry& e) {
  std::string s(review_state_name(e.review.current.state));
  if (e.yanked) s += ", yanked";
  return s;
}

json list_row(const CatalogPackage& p) {
  const IndexEntry* newest = newest_entry(p.index);
  json row = {{"name", p.index.name}, {"repo", p.repo}, {"versions", p.index.versions.size()}};
  row["newest"] = newest ? json(newest->version.to_string()) : json();
  row["type"] = newest ? json(newest->type) : json();
  row["review"] = newest ? json(review_state_name(newest->review.current.state)) : json();
  row["yanked"] = newest ? newest->yanked : false;
  StudioMetadata meta = read_studio_metadata(newest ? newest->metadata_json : "{}");
  row["description"] = meta.description;
  return row;
}

// Prints `list`/`search` rows: name, newest version, type, review state (yanked marked).
int print_rows(Cli& cli, const std::vector<CatalogPackage>& packages, const std::string& what) {
  json rows = json::array();
  if (packages.empty()) cli.out(what);
  for (const auto& p : packages) {
    json row = list_row(p);
    const IndexEntry* newest = newest_entry(p.index);
    std::string line = pad(p.index.name, 20) + pad(newest ? newest->version.to_string() : "-", 10) +
                       pad(newest ? newest->type : "", 10) +
                       pad(newest ? state_word(*newest) : "", 18) + p.repo;
    std::string description = row["description"].get<std::string>();
    if (!description.empty()) line += "  " + description;
    cli.out(line);
    rows.push_back(std::move(row));
  }
  if (cli.json()) cli.print_json({{"packages", rows}});
  return 0;
}

// The publish record of NAME==V in the audit log of `repo` (its last publish or promote line).
std::optional<AuditRecord> publish_record(const std::vector<CatalogAuditRecord>& log,
                                          const std::string& repo, const Version& version) {
  for (const auto& r : log) {  // newest first
    if (r.repo == repo && r.record.version == version.to_string() &&
        (r.record.action == "publish" || r.record.action == "promote"))
      return r.record;
  }
  return std::nullopt;
}

std::string deps_text(const std::vector<DependencySpec>& deps) {
  std::string out;
  for (const auto& d : deps) out += (out.empty() ? "" : ", ") + d.name + " " + d.range_text;
  return out.empty() ? "none" : out;
}

// One version in full: review (and its history), yank, publication, source, files,
// dependencies per group, metadata.
json show_version(Cli& cli, const CatalogPackage& p, const IndexEntry& e,
                  const std::vector<CatalogAuditRecord>& log) {
  json j = {{"version", e.version.to_string()}, {"type", e.type}};
  cli.out(p.index.name + " " + e.version.to_string() + (e.type.empty() ? "" : " (" + e.type + ")") +
          " in repo '" + p.repo + "'");
  const ReviewRecord& r = e.review.current;
  std::string review(review_state_name(r.state));
  if (!r.by.empty()) review += " by " + r.by;
  if (!r.at.empty()) review += " at " + r.at;
  if (!r.note.empty()) review += ": " + r.note;
  cli.out("  review:       " + review);
  json history = json::array();
  for (auto it = e.review.history.rbegin(); it != e.review.history.rend(); ++it) {
    cli.out("    earlier:    " + std::string(review_state_name(it->state)) +
            (it->by.empty() ? "" : " by " + it->by) + (it->at.empty() ? "" : " at " + it->at) +
            (it->note.empty() ? "" : ": " + it->note));
    history.push_back(review_json(*it));
  }
  j["review"] = review_json(r);
  j["review"]["history"] = history;
  if (e.yanked) {
    YankRecord y = e.yank.value_or(YankRecord{});
    cli.out("  yanked:       " + (y.reason.empty() ? std::string("yes") : y.reason) +
            (y.by.empty() ? "" : " (by " + y.by + (y.at.empty() ? "" : " at " + y.at) + ")"));
  }
  j["yanked"] = yank_json(e);
  auto published = publish_record(log, p.repo, e.version);
  std::string by = published ? published->actor : "";
  std::string at = published ? published->at : e.published;
  cli.out("  published:    " + at + (by.empty() ? "" : " by " + by));
  j["published"] = {{"at", at}, {"by", by}};
  if (!e.source.commit.empty())
    cli.out("  source:       commit " + e.source.commit + (e.source.dirty ? " (dirty)" : ""));
  j["source"] = {{"commit", e.source.commit}, {"dirty", e.source.dirty}};
  cli.out("  files:        " + std::to_string(e.file_count) + " (" + human_bytes(e.file_size) +
          ")");
  j["files"] = {{"count", e.file_count}, {"size", e.file_size}};
  cli.out("  dependencies: " + deps_text(e.dependencies));
  json deps = json::object();
  for (const auto& d : e.dependencies) deps[d.name] = d.range_text;
  json groups = json::object();
  for (const auto& [group, list] : e.groups) {
    cli.out("  [" + group + "]" + std::string(group.size() < 11 ? 11 - group.size() : 1, ' ') +
            deps_text(list));
    json g = json::object();
    for (const auto& d : list) g[d.name] = d.range_text;
    groups[group] = g;
  }
  j["dependencies"] = deps;
  j["dependency-groups"] = groups;
  json meta = json::parse(e.metadata_json, nullptr, false);
  if (!meta.is_object()) meta = json::object();
  for (const auto& [key, value] : meta.items()) {
    cli.out("  " + pad(key + ":", 14) +
            (value.is_string() ? value.get<std::string>() : value.dump()));
  }
  j["metadata"] = meta;
  if (e.unresolved) cli.out("  published with --allow-unresolved");
  j["unresolved"] = e.unresolved;
  return j;
}

void register_list(CLI::App& app, Cli& cli) {
  struct Args {
    std::string repo, type;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "list", "The packages the repos hold: newest version, type, review state (yanked marked)");
  cmd->add_option("--repo", a->repo, "A workspace repo name, or a repo path or URL");
  cmd->add_option("--type", a->type, "Only packages of this type (prop, set, shot, ...)");
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> int {
      std::vector<std::unique_ptr<Repo>> owned;
      CLI_TRY(repos, catalog_repos(cli, a->repo, "list", owned));
      CLI_TRY(packages, read_catalog(*repos, a->type));
      return print_rows(cli, *packages,
                        a->type.empty() ? "no packages" : "no packages of type " + a->type);
    };
  });
}

void register_search(CLI::App& app, Cli& cli) {
  struct Args {
    std::string text, repo;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "search", "Packages whose name, type, description or tags contain QUERY (any case)");
  cmd->add_option("QUERY", a->text, "The text to look for")->required();
  cmd->add_option("--repo", a->repo, "A workspace repo name, or a repo path or URL");
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> int {
      std::vector<std::unique_ptr<Repo>> owned;
      CLI_TRY(repos, catalog_repos(cli, a->repo, "search", owned));
      CLI_TRY(packages, read_catalog(*repos));
      std::vector<CatalogPackage> found;
      for (auto& p : *packages)
        if (catalog_matches(p, a->text)) found.push_back(std::move(p));
      return print_rows(cli, found, "no package matches '" + a->text + "'");
    };
  });
}

void register_show(CLI::App& app, Cli& cli) {
  struct Args {
    std::string spec, repo;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "show",
      "One package's record: its versions with review states and yanks, and one version "
      "in full (the newest unless NAME==V)");
  cmd->add_option("NAME", a->spec, "NAME or NAME==VERSION")->required();
  cmd->add_option("--repo", a->repo, "A workspace repo name, or a repo path or URL");
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> int {
      std::string name = a->spec;
      std::optional<Version> version;
      auto eq = a->spec.find("==");
      if (eq != std::string::npos) {
        name = a->spec.substr(0, eq);
        auto v = Version::parse(a->spec.substr(eq + 2));
        if (!v) {
          cli.fail(a->spec + ": " + v.error().to_string(), "reel show NAME or NAME==VERSION");
          return 2;
        }
        version = *v;
      }
      std::vector<std::unique_ptr<Repo>> owned;
      CLI_TRY(repos, catalog_repos(cli, a->repo, "show", owned));
      CLI_TRY(found, find_catalog_package(*repos, name));
      if (!*found) {
        return cli.fail(Error{ErrorCode::kNotFound, "no package named '" + name + "' in " +
                                                        std::to_string(repos->size()) + " repo" +
                                                        (repos->size() == 1 ? "" : "s")},
                        "`reel search TEXT` looks through names, types and descriptions");
      }
      const CatalogPackage& p = **found;
      const IndexEntry* entry = version ? p.index.find(*version) : newest_entry(p.index);
      if (!entry) {
        return cli.fail(Error{ErrorCode::kNotFound,
                              p.index.name + " has no version " +
                                  (version ? version->to_string() : std::string("published")) +
                                  " in repo '" + p.repo + "'"},
                        "`reel show " + p.index.name + "` lists its versions");
      }
      std::vector<std::string> torn;
      RepoList own_repo;
      for (const auto& r : *repos)
        if (r.first == p.repo) own_repo.push_back(r);
      CLI_TRY(log, read_catalog_log(own_repo, p.index.name, torn));
      json versions = json::array();
      if (!version) {
        cli.out(p.index.name + ": " + std::to_string(p.index.versions.size()) + " version" +
                (p.index.versions.size() == 1 ? "" : "s") + " in repo '" + p.repo + "'");
        for (auto it = p.index.versions.rbegin(); it != p.index.versions.rend(); ++it) {
          const ReviewRecord& r = it->review.current;
          std::string line = "  " + pad(it->version.to_string(), 10) + pad(state_word(*it), 18);
          if (!r.by.empty()) line += r.by;
          if (!r.note.empty()) line += (r.by.empty() ? "" : ": ") + r.note;
          if (it->yanked && it->yank && !it->yank->reason.empty())
            line += " (yanked: " + it->yank->reason + ")";
          while (!line.empty() && line.back() == ' ') line.pop_back();
          cli.out(line);
        }
        cli.out("");
      }
      for (const auto& e : p.index.versions) {
        json v = {{"version", e.version.to_string()},
                  {"review", review_json(e.review.current)},
                  {"yanked", yank_json(e)},
                  {"published", e.published}};
        versions.push_back(v);
      }
      json detail = show_version(cli, p, *entry, *log);
      CLI_TRY(ctx, cli.context());
      for (const auto& t : torn) (*ctx)->reporter.warn(t);
      if (cli.json()) {
        cli.print_json(
            {{"name", p.index.name}, {"repo", p.repo}, {"versions", versions}, {"detail", detail}});
      }
      return 0;
    };
  });
}

void register_log(CLI::App& app, Cli& cli) {
  struct Args {
    std::string name, repo;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "log",
      "The repos' audit trail (publish, promote, approve, reject, yank, unyank), newest first");
  cmd->add_option("NAME", a->name, "Only this package's records");
  cmd->add_option("--repo", a->repo, "A workspace repo name, or a repo path or URL");
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> int {
      std::vector<std::unique_ptr<Repo>> owned;
      CLI_TRY(repos, catalog_repos(cli, a->repo, "log", owned));
      std::vector<std::string> torn;
      CLI_TRY(log, read_catalog_log(*repos, a->name, torn));
      CLI_TRY(ctx, cli.context());
      for (const auto& t : torn) (*ctx)->reporter.warn(t);
      json rows = json::array();
      if (log->empty())
        cli.out(a->name.empty() ? "no audit records" : "no audit records for " + a->name);
      for (const auto& r : *log) {
        const AuditRecord& x = r.record;
        std::string line = x.at + "  " + pad(x.action, 8) + pad(x.name + " " + x.version, 22) +
                           pad(r.repo, 10) + x.actor;
        if (!x.note.empty()) line += ": " + x.note;
        cli.out(line);
        rows.push_back({{"repo", r.repo},
                        {"at", x.at},
                        {"actor", x.actor},
                        {"action", x.action},
                        {"name", x.name},
                        {"version", x.version},
                        {"note", x.note},
                        {"commit", x.commit}});
      }
      if (cli.json()) cli.print_json({{"records", rows}, {"warnings", torn}});
      return 0;
    };
  });
}

// `reel export watchtower` joins `export requirements` and `export bundle` (cmd_inspect.cc and
// cmd_bundle.cc register the group first).
void register_watchtower(CLI::App& app, Cli& cli) {
  struct Args {
    std::string output, repo, project;
    bool force = false;
  };
  auto a = std::make_shared<Args>();
  auto found = app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "export"; });
  CLI::App* group = found.empty() ? app.add_subcommand("export", "Export") : found.front();
  auto* cmd = group->add_subcommand(
      "watchtower", "The JSON files and previews Blender Studio's Watchtower web client reads");
  cmd->add_option("-o,--output", a->output, "The folder to write (the site's root)")->required();
  cmd->add_option("--repo", a->repo, "A workspace repo name, or a repo path or URL");
  cmd->add_option("--project", a->project, "The project ([metadata] project) to export");
  cmd->add_flag("--force", a->force, "Write into a non-empty folder that is not an export");
  cmd->callback([&cli, a] {
    cli.action = [&cli, a]() -> int {
      std::vector<std::unique_ptr<Repo>> owned;
      CLI_TRY(repos, catalog_repos(cli, a->repo, "export watchtower", owned));
      CLI_TRY(ctx, cli.context());
      WatchtowerOptions options;
      options.output = (cli.start_dir() / a->output).lexically_normal();
      options.project = a->project;
      options.force = a->force;
      CLI_TRY(report, export_watchtower(**ctx, *repos, options));
      cli.done("exported project " + report->project + " (" + std::to_string(report->sequences) +
               " sequences, " + std::to_string(report->shots) + " shots, " +
               std::to_string(report->assets) + " assets, " + std::to_string(report->previews) +
               " previews, " + (report->video ? "an edit movie" : "no edit movie") + ") to " +
               options.output.string());
      if (cli.json()) {
        cli.print_json({{"output", options.output.string()},
                        {"project", report->project},
                        {"project_id", report->project_id},
                        {"sequences", report->sequences},
                        {"shots", report->shots},
                        {"assets", report->assets},
                        {"previews", report->previews},
                        {"team", report->team},
                        {"total_frames", report->total_frames},
                        {"video", report->video}});
      }
      return 0;
    };
  });
}

}  // namespace

void register_catalog_commands(CLI::App& app, Cli& cli) {
  register_list(app, cli);
  register_search(app, cli);
  register_show(app, cli);
  register_log(app, cli);
  register_watchtower(app, cli);
}

}  // namespace reel::cli
