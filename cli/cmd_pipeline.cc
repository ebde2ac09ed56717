// `reel status|ingest`: what an artist's workspace holds that is not shared yet, and files taken
// in from outside.
#include "cli.h"
#include "reel/workspace/ingest.h"
#include "reel/workspace/status.h"

namespace reel::cli {
namespace {

nlohmann::json source_json(const std::string& output, const SourceRecord& r) {
  nlohmann::json j = {{"output", output},
                      {"path", r.path},
                      {"url", r.url},
                      {"size", r.size},
                      {"sha256", r.sha256.hex()}};
  if (r.files) j["files"] = r.files;
  if (!r.mtime.empty()) j["mtime"] = r.mtime;
  if (!r.etag.empty()) j["etag"] = r.etag;
  return j;
}

}  // namespace

void register_pipeline_commands(CLI::App& app, Cli& cli) {
  auto* status = app.add_subcommand(
      "status",
      "Show outputs that are dirty, unpublished or have stale steps, and yanked or rejected locks");
  status->callback([&cli] {
    cli.action = [&cli]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(st, workspace_status(**ws));
      nlohmann::json outputs = nlohmann::json::array();
      for (const auto& o : st->outputs) {
        std::vector<std::string> parts;
        if (!o.git)
          parts.push_back("not a git working tree");
        else if (o.dirty)
          parts.push_back("uncommitted changes");
        if (o.published_in.empty()) {
          parts.push_back("not published");
        } else {
          std::string in;
          for (const auto& r : o.published_in) in += (in.empty() ? "" : ", ") + r;
          parts.push_back("published in " + in);
        }
        if (!o.stale_steps.empty()) {
          std::string steps;
          for (const auto& s : o.stale_steps)
            steps += (steps.empty() ? "" : ", ") + s.name + " (" + *s.stale + ")";
          parts.push_back("stale steps: " + steps);
        }
        std::string line = "outputs/" + o.name + " " + o.version.to_string() + ": ";
        for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? "; " : "") + parts[i];
        cli.out(line);
        nlohmann::json stale = nlohmann::json::array();
        for (const auto& s : o.stale_steps)
          stale.push_back({{"name", s.name}, {"reason", *s.stale}});
        outputs.push_back({{"name", o.name},
                           {"version", o.version.to_string()},
                           {"git", o.git},
                           {"dirty", o.dirty},
                           {"published_in", o.published_in},
                           {"stale_steps", stale}});
      }
      if (st->outputs.empty()) cli.out("no outputs");
      nlohmann::json yanked = nlohmann::json::array();
      for (const auto& y : st->yanked) {
        cli.out("locked " + y.name + " " + y.version.to_string() + " is yanked in " + y.repo +
                " (run `reel lock --upgrade-package " + y.name + "`)");
        yanked.push_back({{"name", y.name}, {"version", y.version.to_string()}, {"repo", y.repo}});
      }
      nlohmann::json rejected = nlohmann::json::array();
      for (const auto& r : st->rejected) {
        cli.out("locked " + r.name + " " + r.version.to_string() + " was rejected in " + r.repo +
                (r.by.empty() ? "" : " by " + r.by) + (r.note.empty() ? "" : ": " + r.note) +
                " (run `reel lock --upgrade-package " + r.name + "` once a fix is published)");
        rejected.push_back({{"name", r.name},
                            {"version", r.version.to_string()},
                            {"repo", r.repo},
                            {"by", r.by},
                            {"note", r.note}});
      }
      for (const auto& u : st->unreachable) (*ws)->context().reporter.warn("not checked: " + u);
      if (cli.json())
        cli.print_json({{"outputs", outputs},
                        {"yanked", yanked},
                        {"rejected", rejected},
                        {"unreachable", st->unreachable}});
      return 0;
    };
  });

  struct Ingest {
    std::string name, source, path;
    bool check = false, update = false;
  };
  auto in = std::make_shared<Ingest>();
  auto* ingest = app.add_subcommand(
      "ingest",
      "Copy a file or folder (a path or an http(s) URL) into an output, recording its "
      "source in sources.lock; --check / --update its recorded sources");
  ingest->add_option("NAME", in->name, "The output");
  ingest->add_option("SRC", in->source, "A path or an http(s):// URL");
  ingest->add_option("--path", in->path, "Where in the output (default: SRC's last component)");
  auto* check = ingest->add_flag("--check", in->check,
                                 "List recorded sources that changed upstream (exit 1 if any)");
  ingest->add_flag("--update", in->update, "Take in again the sources that changed upstream")
      ->excludes(check);
  ingest->callback([&cli, in] {
    cli.action = [&cli, in]() -> int {
      CLI_TRY(ws, cli.workspace());
      std::optional<std::string> only;
      if (!in->name.empty()) only = in->name;
      if (in->check || in->update) {
        if (!in->source.empty() || !in->path.empty()) {
          cli.fail("--check and --update take only an output NAME (or none: every output)");
          return 2;
        }
      } else if (in->name.empty() || in->source.empty()) {
        cli.fail("reel ingest needs NAME and SRC", "reel ingest NAME SRC [--path DEST]");
        return 2;
      }
      if (in->check) {
        CLI_TRY(checks, check_sources(**ws, only));
        nlohmann::json out = nlohmann::json::array();
        std::size_t changed = 0;
        for (const auto& c : *checks) {
          std::string what = "outputs/" + c.output + "/" + c.record.path + " <- " + c.record.url;
          // -q keeps what fails the check (exit 1), not the sources that are fine.
          if (c.changed)
            cli.out("changed: " + what + ": " + c.detail);
          else
            cli.done("up to date: " + what);
          auto j = source_json(c.output, c.record);
          j["changed"] = c.changed;
          if (c.changed) j["detail"] = c.detail;
          out.push_back(std::move(j));
          changed += c.changed ? 1 : 0;
        }
        if (cli.json()) cli.print_json(out);
        cli.info(std::to_string(changed) + " of " + std::to_string(checks->size()) +
                 " sources changed upstream" +
                 (changed ? " (`reel ingest --update` takes them in)" : ""));
        return changed ? 1 : 0;
      }
      if (in->update) {
        CLI_TRY(updated, update_sources(**ws, only));
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : *updated) {
          cli.done("updated " + r.path + " from " + r.url + " (sha256:" + r.sha256.hex() + ")");
          out.push_back(source_json(in->name, r));
        }
        if (updated->empty()) cli.done("every source is up to date");
        if (cli.json()) cli.print_json(out);
        return 0;
      }
      std::string src = in->source;
      bool url = src.rfind("http://", 0) == 0 || src.rfind("https://", 0) == 0 ||
                 src.rfind("file://", 0) == 0;
      if (!url) src = (cli.start_dir() / src).lexically_normal().string();
      if (!url && src.size() > 1 && src.back() == '/') src.pop_back();
      CLI_TRY(record, ingest_source(**ws, in->name, src, in->path));
      cli.done("ingested " + record->url + " as outputs/" + in->name + "/" + record->path + " (" +
               (record->files ? plural(record->files, "file") + ", " : "") +
               plural(record->size, "byte") + ", sha256:" + record->sha256.hex() + ")");
      if (cli.json()) cli.print_json(source_json(in->name, *record));
      return 0;
    };
  });
}

}  // namespace reel::cli
