// `reel tree|why|export|verify`: looking at a locked workspace.
#include <functional>

#include "cli.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/install.h"

namespace reel::cli {

void register_inspect_commands(CLI::App& app, Cli& cli) {
  auto invert = std::make_shared<std::string>();
  auto files_of = std::make_shared<std::string>();
  auto* tree = app.add_subcommand("tree", "Show the locked dependency tree");
  auto* invert_opt = tree->add_option("--invert", *invert, "Show what depends on NAME");
  tree->add_option("--files", *files_of,
                   "List the files of locked package NAME, frame sequences collapsed")
      ->excludes(invert_opt);
  tree->callback([&cli, invert, files_of] {
    cli.action = [&cli, invert, files_of]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      if (!files_of->empty()) {
        CLI_TRY(groups, package_files(**ws, *lock, *files_of));
        for (const auto& l : file_group_lines(*groups)) cli.out(l);
        if (cli.json()) {
          // An array in display order. A file: {"kind": "file", "path", "size" (bytes),
          // "sha256" (hex; null for a symlink), "symlink" (target; symlinks only)}. A sequence:
          // {"kind": "sequence", "path" ("renders/frame.####.exr"), "directory" ("" at the root),
          // "pattern" ("frame.####.exr"), "padding" (digits; 1 = unpadded), "frames" (inclusive
          // [first, last] pairs: [[1,49],[60,120]]), "count" (files), "size" (bytes, summed)}.
          nlohmann::json out = nlohmann::json::array();
          for (const auto& g : *groups) {
            if (const auto* f = std::get_if<FileEntry>(&g)) {
              nlohmann::json j = {{"kind", "file"}, {"path", f->path}, {"size", f->size}};
              j["sha256"] = f->symlink ? nlohmann::json() : nlohmann::json(f->sha256.hex());
              if (f->symlink) j["symlink"] = *f->symlink;
              out.push_back(std::move(j));
              continue;
            }
            const auto& s = std::get<FileSequence>(g);
            nlohmann::json frames = nlohmann::json::array();
            for (const auto& r : frame_ranges(s.frames)) frames.push_back({r.first, r.second});
            out.push_back({{"kind", "sequence"},
                           {"path", s.display_path()},
                           {"directory", s.directory},
                           {"pattern", s.pattern()},
                           {"padding", s.padding},
                           {"frames", std::move(frames)},
                           {"count", s.file_count()},
                           {"size", s.total_size}});
          }
          cli.print_json(out);
        }
        return 0;
      }
      CLI_TRY(roots, dependency_tree(**ws, *lock, *invert));
      for (const auto& l : tree_lines(*roots)) cli.out(l);
      if (cli.json()) {
        // Nested nodes: {"name", "version" (null for the workspace), "mark" ("cycle" /
        // "repeated", absent otherwise), "editable" (true when outputs/NAME shadows it, absent
        // otherwise), "children": [...]}; --invert: one root object.
        std::function<nlohmann::json(const TreeNode&)> node = [&](const TreeNode& n) {
          nlohmann::json j = {{"name", n.name},
                              {"version", n.version ? nlohmann::json(n.version->to_string())
                                                    : nlohmann::json()}};
          if (n.mark == TreeNode::Mark::kCycle) j["mark"] = "cycle";
          if (n.mark == TreeNode::Mark::kRepeated) j["mark"] = "repeated";
          if (n.editable) j["editable"] = true;
          j["children"] = nlohmann::json::array();
          for (const auto& c : n.children) j["children"].push_back(node(c));
          return j;
        };
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : *roots) out.push_back(node(r));
        cli.print_json(invert->empty() ? out : out.at(0));
      }
      return 0;
    };
  });

  auto why_name = std::make_shared<std::string>();
  auto* why_cmd = app.add_subcommand("why", "Show why a package is in the workspace");
  why_cmd->add_option("NAME", *why_name, "An installed package")->required();
  why_cmd->callback([&cli, why_name] {
    cli.action = [&cli, why_name]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      CLI_TRY(chains, why(**ws, *lock, *why_name));
      if (chains->empty()) cli.out(*why_name + " is locked but nothing requires it");
      for (const auto& chain : *chains) {
        std::string line;
        for (std::size_t i = 0; i < chain.size(); ++i) {
          line += (i ? " -> " : "") + chain[i];
          if (i > 0) {
            const LockedPackage* p = lock->find(chain[i]);
            if (p) line += " " + p->version.to_string();
          }
        }
        cli.out(line);
      }
      if (cli.json()) cli.print_json(*chains);
      return 0;
    };
  });

  auto* exp = app.add_subcommand("export", "Export the lock");
  exp->require_subcommand(1);
  auto out_file = std::make_shared<std::string>();
  auto* req = exp->add_subcommand("requirements", "Pins with hashes (requirements.txt style)");
  req->add_option("-o,--output", *out_file, "Write to FILE instead of stdout");
  req->callback([&cli, out_file] {
    cli.action = [&cli, out_file]() -> int {
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      std::string text = export_requirements((*ws)->config(), *lock);
      // --json: the pins as objects (docs/json.md), and the text only into -o FILE.
      auto pins_json = [&] {
        nlohmann::json pins = nlohmann::json::array();
        for (const auto& p : lock->packages) {
          pins.push_back({{"name", p.name},
                          {"version", p.version.to_string()},
                          {"sha256", p.archive.hex()},
                          {"repo", p.repo}});
        }
        return pins;
      };
      if (out_file->empty()) {
        if (cli.json())
          cli.print_json({{"packages", pins_json()}, {"file", nullptr}});
        else
          std::fputs(text.c_str(), stdout);
        return 0;
      }
      fs::path file = cli.start_dir() / *out_file;
      CLI_TRY(written, cli.context().value()->fs.write_file_atomic(file, text, true));
      cli.info("wrote " + file.string() + " (" + plural(lock->packages.size(), "package") + ")");
      if (cli.json()) cli.print_json({{"packages", pins_json()}, {"file", file.string()}});
      return 0;
    };
  });

  auto verify_cache_too = std::make_shared<bool>(false);
  auto fix = std::make_shared<bool>(false);
  auto* verify = app.add_subcommand("verify", "Re-hash inputs/ against reel.lock");
  auto* cache_flag = verify->add_flag("--cache", *verify_cache_too,
                                      "Re-hash every object and archive of the cache instead");
  verify->add_flag("--fix", *fix,
                   "Repair what is damaged: quarantine bad cache objects, fetch them again and "
                   "re-materialise the packages with problems")
      ->excludes(cache_flag);
  verify->callback([&cli, verify_cache_too, fix] {
    cli.action = [&cli, verify_cache_too, fix]() -> int {
      if (*fix) {
        CLI_TRY(ws, cli.workspace());
        CLI_TRY(lock, require_lock(**ws));
        CLI_TRY(repaired, repair_workspace(**ws, *lock));
        for (const auto& q : repaired->quarantined)
          cli.info("quarantined damaged cache object " + q);
        for (const auto& p : repaired->problems) cli.info("found: " + p);
        for (const auto& p : repaired->sync.installed) cli.info("re-materialised " + p);
        if (cli.json()) {
          cli.print_json({{"ok", repaired->remaining.empty()},
                          {"problems", repaired->problems},
                          {"quarantined", repaired->quarantined},
                          {"reinstalled", repaired->sync.installed},
                          {"remaining", repaired->remaining}});
        }
        if (!repaired->remaining.empty()) {
          cli.fail("inputs/ still does not match reel.lock after the repair:");
          for (const auto& p : repaired->remaining) std::fprintf(stderr, "  %s\n", p.c_str());
          return 1;
        }
        cli.done(repaired->problems.empty() && repaired->quarantined.empty()
                     ? "verified " + plural(lock->packages.size(), "package") +
                           ": nothing to repair"
                     : "repaired " + plural(repaired->sync.installed.size(), "package") + " (" +
                           plural(repaired->problems.size(), "problem") + " in inputs/, " +
                           plural(repaired->quarantined.size(), "damaged cache object") +
                           "): inputs/ matches reel.lock");
        return 0;
      }
      if (*verify_cache_too) {
        CLI_TRY(ctx, cli.context());
        std::uint64_t checked = 0;
        CLI_TRY(problems, verify_cache(**ctx, &checked));
        if (cli.json())
          cli.print_json({{"ok", problems->empty()}, {"checked", checked}, {"problems", *problems}});
        if (problems->empty()) {
          cli.done("verified " + std::to_string(checked) +
                   " cache objects and archives: all match");
          return 0;
        }
        cli.fail("the cache holds " + std::to_string(problems->size()) +
                     " damaged objects (`reel verify --fix` in a workspace quarantines them and "
                     "fetches them again):");
        for (const auto& p : *problems) std::fprintf(stderr, "  %s\n", p.c_str());
        return 1;
      }
      CLI_TRY(ws, cli.workspace());
      CLI_TRY(lock, require_lock(**ws));
      CLI_TRY(problems, verify_inputs(**ws, *lock));
      if (cli.json()) cli.print_json({{"ok", problems->empty()}, {"problems", *problems}});
      if (problems->empty()) {
        cli.done("verified " + plural(lock->packages.size(), "package") +
                 ": inputs/ matches reel.lock");
        return 0;
      }
      cli.fail("inputs/ does not match reel.lock (" + std::to_string(problems->size()) +
               " problems):");
      for (const auto& p : *problems) std::fprintf(stderr, "  %s\n", p.c_str());
      std::fprintf(stderr, "hint: `reel verify --fix` repairs it\n");
      return 1;
    };
  });
}

}  // namespace reel::cli
