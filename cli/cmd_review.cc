// `reel review list|approve|reject`, `reel yank`, `reel unyank` (DESIGN §5): the review workflow
// on a repo's versions and withdrawing versions from new resolutions. docs/decisions.md "Review,
// yank and the audit log".
#include <algorithm>

#include "cli.h"
#include "reel/engine/names.h"
#include "reel/workspace/review.h"

namespace reel::cli {
namespace {

// The repo a command acts on, as (label, repo): --repo R names a workspace repo or is a path or
// URL (then no workspace is needed); without it `fallback` (the default or the blessed repo).
struct TargetRepo {
  std::string label;
  Repo* repo = nullptr;
  std::unique_ptr<Repo> owned;
};

Result<TargetRepo> target_repo(Cli& cli, const std::string& repo, bool blessed) {
  TargetRepo out;
  auto ws = cli.workspace();
  if (!repo.empty() && (!ws || !(*ws)->config().find_repo(repo)) &&
      (repo.find('/') != std::string::npos || repo.find("://") != std::string::npos || !ws)) {
    std::string url = repo;
    if (url.find("://") == std::string::npos) url = (cli.start_dir() / repo).lexically_normal();
    auto opened = cli.open_repo_url(url);
    if (!opened) return tl::unexpected(opened.error());
    out.owned = std::move(*opened);
    out.repo = out.owned.get();
    out.label = out.repo->name();
    return Result<TargetRepo>(std::move(out));
  }
  if (!ws) return tl::unexpected(ws.error());
  std::optional<std::string> named;
  if (!repo.empty()) named = repo;
  auto name = blessed ? yank_repo(**ws, named) : review_repo(**ws, named);
  if (!name) return tl::unexpected(name.error());
  auto opened = (*ws)->repo(*name);
  if (!opened) return tl::unexpected(opened.error());
  out.label = *name;
  out.repo = *opened;
  return Result<TargetRepo>(std::move(out));
}

// NAME==VERSION; false with `error` set otherwise.
bool parse_pin(const std::string& spec, std::string& name, Version& version, std::string& error) {
  auto eq = spec.find("==");
  if (eq == std::string::npos) {
    error = "expected NAME==VERSION, got '" + spec + "'";
    return false;
  }
  name = spec.substr(0, eq);
  auto v = Version::parse(spec.substr(eq + 2));
  if (!v) {
    error = v.error().to_string();
    return false;
  }
  version = *v;
  return true;
}

// Warns when the repo's audit log ends in a torn line (an append cut short by a crash).
void warn_torn_log(Cli& cli, Repo& repo, const std::string& label) {
  auto log = repo.read_audit_log();
  auto ctx = cli.context();
  if (!ctx) return;
  if (!log) {
    (*ctx)->reporter.warn("repo '" + label + "': " + log.error().message);
  } else if (log->torn_line) {
    (*ctx)->reporter.warn("repo '" + label + "': log/audit.jsonl line " +
                          std::to_string(*log->torn_line) +
                          " is torn (an append cut short by a crash); it is ignored");
  }
}

nlohmann::json record_json(const ReviewRecord& r) {
  return {{"state", std::string(review_state_name(r.state))},
          {"by", r.by},
          {"at", r.at},
          {"note", r.note}};
}

void register_review(CLI::App& app, Cli& cli) {
  auto* review = app.add_subcommand("review", "The review workflow: list, approve, reject");
  review->require_subcommand(1);

  struct List {
    std::string repo, state;
  };
  auto ls = std::make_shared<List>();
  auto* list = review->add_subcommand(
      "list", "List a repo's versions with their review state (all states unless --state)");
  list->add_option("--repo", ls->repo,
                   "A workspace repo name, or a repo path or URL (default: the default repo)");
  list->add_option("--state", ls->state, "Only versions in this state")
      ->check(CLI::IsMember({"pending", "approved", "rejected"}));
  list->callback([&cli, ls] {
    cli.action = [&cli, ls]() -> int {
      CLI_TRY(target, target_repo(cli, ls->repo, false));
      std::optional<ReviewState> state;
      if (!ls->state.empty()) state = parse_review_state(ls->state);
      CLI_TRY(rows, list_reviews(*target->repo, state));
      warn_torn_log(cli, *target->repo, target->label);
      nlohmann::json out = nlohmann::json::array();
      std::vector<std::vector<std::string>> table;
      table.push_back({"NAME", "VERSION", "STATE", "BY", "NOTE"});
      for (const auto& row : *rows) {
        const ReviewRecord& r = row.entry.review.current;
        std::string st(review_state_name(r.state));
        if (row.entry.yanked) st += " (yanked)";
        table.push_back(
            {row.name, row.entry.version.to_string(), st, r.by.empty() ? "-" : r.by, r.note});
        nlohmann::json history = nlohmann::json::array();
        for (const auto& h : row.entry.review.history) history.push_back(record_json(h));
        nlohmann::json j = record_json(r);
        j["name"] = row.name;
        j["version"] = row.entry.version.to_string();
        j["published"] = row.entry.published;
        j["yanked"] = row.entry.yanked;
        j["history"] = std::move(history);
        out.push_back(std::move(j));
      }
      if (cli.json()) {
        cli.print_json({{"repo", target->label}, {"versions", out}});
        return 0;
      }
      if (rows->empty()) {
        cli.out("no " + (ls->state.empty() ? std::string() : ls->state + " ") +
                "versions in repo '" + target->label + "'");
        return 0;
      }
      std::vector<std::size_t> width(5, 0);
      for (const auto& line : table)
        for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
      for (const auto& line : table) {
        std::string text;
        for (std::size_t i = 0; i < line.size(); ++i) {
          text += line[i];
          if (i + 1 < line.size()) text += std::string(width[i] - line[i].size() + 2, ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        cli.out(text);
      }
      return 0;
    };
  });

  for (bool approve : {true, false}) {
    struct Decide {
      std::string spec, note, repo;
    };
    auto d = std::make_shared<Decide>();
    auto* cmd = review->add_subcommand(
        approve ? "approve" : "reject",
        approve ? "Approve a published version" : "Reject a published version (with a note)");
    cmd->add_option("NAME==VERSION", d->spec, "The published version, e.g. Table==3.3.0")
        ->required();
    auto* note =
        cmd->add_option("--note", d->note, approve ? "Why (optional)" : "What to fix (required)");
    if (!approve) note->required();
    cmd->add_option("--repo", d->repo,
                    "A workspace repo name, or a repo path or URL (default: the default repo)");
    cmd->callback([&cli, d, approve] {
      cli.action = [&cli, d, approve]() -> int {
        std::string name, error;
        Version version;
        if (!parse_pin(d->spec, name, version, error)) return cli.fail(error) + 1;  // usage
        CLI_TRY(target, target_repo(cli, d->repo, false));
        CLI_TRY(ctx, cli.context());
        CLI_TRY(done,
                review_version(**ctx, *target->repo, name, version,
                               approve ? ReviewState::kApproved : ReviewState::kRejected, d->note));
        cli.done(std::string(approve ? "approved " : "rejected ") + name + " " +
                 version.to_string() + " in " + target->label);
        if (cli.json()) {
          cli.print_json({{"name", name},
                          {"version", version.to_string()},
                          {"repo", target->label},
                          {"state", approve ? "approved" : "rejected"},
                          {"note", d->note}});
        }
        return 0;
      };
    });
  }
}

void register_yank(CLI::App& app, Cli& cli) {
  for (bool yank : {true, false}) {
    struct Yank {
      std::string spec, reason, repo;
    };
    auto y = std::make_shared<Yank>();
    auto* cmd = app.add_subcommand(
        yank ? "yank" : "unyank", yank ? "Withdraw a version from new resolutions" : "Undo a yank");
    cmd->add_option("NAME==VERSION", y->spec, "The published version, e.g. Table==3.3.0")
        ->required();
    auto* reason =
        cmd->add_option("--reason", y->reason,
                        yank ? "Why (required; shown to whoever installs it)" : "Why (optional)");
    if (yank) reason->required();
    cmd->add_option("--repo", y->repo,
                    "A workspace repo name, or a repo path or URL (default: the blessed repo)");
    cmd->callback([&cli, y, yank] {
      cli.action = [&cli, y, yank]() -> int {
        std::string name, error;
        Version version;
        if (!parse_pin(y->spec, name, version, error)) return cli.fail(error) + 1;  // usage
        CLI_TRY(target, target_repo(cli, y->repo, true));
        CLI_TRY(ctx, cli.context());
        CLI_TRY(done, yank_version(**ctx, *target->repo, name, version, yank, y->reason));
        cli.done(std::string(yank ? "yanked " : "unyanked ") + name + " " + version.to_string() +
                 " in " + target->label);
        if (cli.json()) {
          cli.print_json({{"name", name},
                          {"version", version.to_string()},
                          {"repo", target->label},
                          {"yanked", yank}});
        }
        return 0;
      };
    });
  }
}

}  // namespace

void register_review_commands(CLI::App& app, Cli& cli) {
  register_review(app, cli);
  register_yank(app, cli);
}

}  // namespace reel::cli
