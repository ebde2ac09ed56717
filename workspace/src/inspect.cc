#include "reel/workspace/inspect.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "reel/engine/names.h"
#include "reel/workspace/outputs.h"

namespace reel {
namespace {

std::map<std::string, const LockedPackage*> by_lower(const LockFile& lock) {
  std::map<std::string, const LockedPackage*> out;
  for (const auto& p : lock.packages) out[lower_name(p.name)] = &p;
  return out;
}

}  // namespace

Result<std::vector<RequirementChain>> why(Workspace& ws, const LockFile& lock,
                                          const std::string& name) {
  auto index = by_lower(lock);
  auto target = index.find(lower_name(name));
  if (target == index.end()) return make_error(ErrorCode::kNotFound, name + " is not in reel.lock");
  auto reqs = workspace_requirements(ws, LockOptions{});
  if (!reqs) return tl::unexpected(reqs.error());
  // Breadth-first from each root requirement, keeping every simple path that reaches the target.
  std::vector<RequirementChain> chains;
  std::deque<RequirementChain> queue;
  std::set<std::string> seen_roots;
  for (const auto& r : *reqs) {
    auto it = index.find(lower_name(r.name));
    if (it != index.end() && seen_roots.insert(it->first).second)
      queue.push_back({"the workspace", it->second->name});
  }
  while (!queue.empty() && chains.size() < 50) {
    RequirementChain chain = queue.front();
    queue.pop_front();
    const LockedPackage* p = index.at(lower_name(chain.back()));
    if (p == target->second) {
      chains.push_back(chain);
      continue;
    }
    for (const auto& d : p->dependencies) {
      auto it = index.find(lower_name(d));
      if (it == index.end()) continue;
      if (std::find(chain.begin(), chain.end(), it->second->name) != chain.end()) continue;
      RequirementChain next = chain;
      next.push_back(it->second->name);
      queue.push_back(std::move(next));
    }
  }
  return chains;
}

Result<std::vector<TreeNode>> dependency_tree(Workspace& ws, const LockFile& lock,
                                              const std::string& invert) {
  auto index = by_lower(lock);
  auto reqs = workspace_requirements(ws, LockOptions{});
  if (!reqs) return tl::unexpected(reqs.error());
  std::set<std::string> required;  // lower names the workspace requires directly
  for (const auto& r : *reqs) required.insert(lower_name(r.name));
  // Dependents of each package (lower name -> packages), for --invert.
  std::map<std::string, std::vector<const LockedPackage*>> dependents;
  for (const auto& q : lock.packages) {
    for (const auto& d : q.dependencies) dependents[lower_name(d)].push_back(&q);
  }
  auto next = [&](const LockedPackage& p) {
    std::vector<const LockedPackage*> out;
    if (!invert.empty()) {
      auto it = dependents.find(lower_name(p.name));
      if (it != dependents.end()) out = it->second;
      return out;
    }
    for (const auto& d : p.dependencies) {
      auto it = index.find(lower_name(d));
      if (it != index.end()) out.push_back(it->second);
    }
    return out;
  };
  std::set<std::string> expanded;  // shown with their children once already
  std::function<TreeNode(const LockedPackage&, std::set<std::string>&)> build =
      [&](const LockedPackage& p, std::set<std::string>& path) {
        TreeNode node{p.name, p.version, TreeNode::Mark::kNone, {}, false};
        const std::string key = lower_name(p.name);
        if (!expanded.insert(key).second) {
          node.mark = TreeNode::Mark::kRepeated;
          return node;
        }
        path.insert(key);
        for (const LockedPackage* child : next(p)) {
          if (path.count(lower_name(child->name))) {
            node.children.push_back(
                TreeNode{child->name, child->version, TreeNode::Mark::kCycle, {}, false});
          } else {
            node.children.push_back(build(*child, path));
          }
        }
        if (!invert.empty() && required.count(key)) {
          node.children.push_back(
              TreeNode{"the workspace", std::nullopt, TreeNode::Mark::kNone, {}, false});
        }
        path.erase(key);
        return node;
      };
  std::vector<TreeNode> roots;
  if (!invert.empty()) {
    auto it = index.find(lower_name(invert));
    if (it == index.end()) return make_error(ErrorCode::kNotFound, invert + " is not in reel.lock");
    std::set<std::string> path;
    roots.push_back(build(*it->second, path));
  } else {
    std::set<std::string> seen;
    for (const auto& r : *reqs) {
      auto it = index.find(lower_name(r.name));
      if (it == index.end() || !seen.insert(it->first).second) continue;
      std::set<std::string> path;
      roots.push_back(build(*it->second, path));
    }
  }
  // Packages an output shadows (environment.h) are marked editable wherever they appear.
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  std::set<std::string> editable;
  for (const auto& o : *outputs) editable.insert(lower_name(o));
  std::function<void(TreeNode&)> mark = [&](TreeNode& n) {
    n.editable = n.version && editable.count(lower_name(n.name));
    for (auto& c : n.children) mark(c);
  };
  for (auto& r : roots) mark(r);
  return roots;
}

std::vector<std::string> tree_lines(const std::vector<TreeNode>& roots) {
  std::vector<std::string> lines;
  bool repeated = false;
  auto text = [&repeated](const TreeNode& n) {
    std::string t = n.name + (n.version ? " " + n.version->to_string() : "");
    if (n.editable) t += " (editable)";
    if (n.mark == TreeNode::Mark::kCycle) t += " (cycle)";
    if (n.mark == TreeNode::Mark::kRepeated) {
      t += " (*)";
      repeated = true;
    }
    return t;
  };
  std::function<void(const TreeNode&, const std::string&)> draw = [&](const TreeNode& node,
                                                                      const std::string& prefix) {
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      bool last = i + 1 == node.children.size();
      lines.push_back(prefix + (last ? "└── " : "├── ") + text(node.children[i]));
      draw(node.children[i], prefix + (last ? "    " : "│   "));
    }
  };
  for (const auto& root : roots) {
    lines.push_back(text(root));
    draw(root, "");
  }
  if (repeated) lines.push_back("(*) shown above with its dependencies");
  return lines;
}

std::string export_requirements(const WorkspaceConfig& config, const LockFile& lock) {
  std::string out = "# reel export requirements: workspace " + config.name + ", " +
                    std::to_string(lock.packages.size()) + " packages\n";
  for (const auto& p : lock.packages) {
    out += p.name + "==" + p.version.to_string() + " --hash=" + p.archive.prefixed() + "\n";
  }
  return out;
}

Result<std::vector<Pin>> parse_requirements_export(std::string_view text, std::string_view file) {
  REEL_TRY(check_text(text, file));
  std::vector<Pin> pins;
  std::size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    ++line_no;
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    line = line.substr(first);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
      line.remove_suffix(1);
    auto bad = [&](const std::string& why) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(file) + ":" + std::to_string(line_no) + ": " + why);
    };
    auto eq = line.find("==");
    auto hash = line.find(" --hash=");
    if (eq == std::string_view::npos || hash == std::string_view::npos || hash < eq) {
      return bad("expected 'Name==VERSION --hash=sha256:…'");
    }
    Pin pin;
    pin.name = std::string(line.substr(0, eq));
    if (auto okname = check_package_name(pin.name); !okname) return bad(okname.error().message);
    auto v = Version::parse(line.substr(eq + 2, hash - eq - 2));
    if (!v) return bad(v.error().to_string());
    pin.version = *v;
    auto d = Digest::from_prefixed(line.substr(hash + 8));
    if (!d) return bad(d.error().message);
    pin.archive = *d;
    pins.push_back(std::move(pin));
  }
  return pins;
}

Status check_pins(const LockFile& lock, const std::vector<Pin>& pins) {
  for (const auto& pin : pins) {
    const LockedPackage* p = lock.find(pin.name);
    std::string what = pin.name + "==" + pin.version.to_string();
    if (!p || p->version != pin.version) {
      return make_error(ErrorCode::kConflict,
                        what + " is pinned but reel.lock has " +
                            (p ? p->name + " " + p->version.to_string() : "no such package"));
    }
    if (p->archive != pin.archive) {
      return make_error(ErrorCode::kCorruption,
                        what + ": the repo's archive is " + p->archive.prefixed() +
                            " but the requirements file says " + pin.archive.prefixed());
    }
  }
  return ok();
}

Result<std::vector<std::string>> verify_inputs(Workspace& ws, const LockFile& lock) {
  std::vector<std::string> problems;
  for (const auto& locked : lock.packages) {
    auto found = verify_package(ws, locked);
    if (!found) return tl::unexpected(found.error());
    problems.insert(problems.end(), found->begin(), found->end());
  }
  return problems;
}

Result<std::vector<std::string>> verify_package(Workspace& ws, const LockedPackage& locked) {
  FileSystem& fs = ws.context().fs;
  std::vector<std::string> problems;
  {
    fs::path root = ws.inputs_dir() / locked.name;
    std::string shown = "inputs/" + locked.name;
    auto st = fs.stat(root);
    if (!st) return tl::unexpected(st.error());
    if (st->type != FileType::kDirectory) {
      problems.push_back(shown + ": not installed (run `reel sync`)");
      return problems;
    }
    auto package = locked_package(ws, locked);
    if (!package) return tl::unexpected(package.error());
    std::set<std::string> expected{"asset.toml"};
    auto manifest = fs.read_file(root / "asset.toml");
    if (!manifest || *manifest != package->manifest_text)
      problems.push_back(shown + "/asset.toml: differs from the lock");
    for (const auto& f : package->files) {
      expected.insert(f.path);
      fs::path p = root / f.path;
      auto fst = fs.stat(p);
      if (!fst) return tl::unexpected(fst.error());
      if (f.symlink) {
        auto target = fs.read_symlink(p);
        if (fst->type != FileType::kSymlink || !target || target->string() != *f.symlink) {
          problems.push_back(shown + "/" + f.path + ": symlink differs from the lock");
        }
        continue;
      }
      if (fst->type == FileType::kMissing) {
        problems.push_back(shown + "/" + f.path + ": missing");
        continue;
      }
      auto d = sha256_file(fs, p);
      if (!d) return tl::unexpected(d.error());
      if (*d != f.sha256)
        problems.push_back(shown + "/" + f.path + ": content differs from the lock (sha256:" +
                           d->hex() + ", expected sha256:" + f.sha256.hex() + ")");
    }
    // Files that the lock does not name.
    std::function<Status(const fs::path&, const std::string&)> walk =
        [&](const fs::path& dir, const std::string& rel) -> Status {
      auto entries = fs.list_dir(dir);
      if (!entries) return tl::unexpected(entries.error());
      for (const auto& e : *entries) {
        std::string path = rel.empty() ? e.name : rel + "/" + e.name;
        if (e.type == FileType::kDirectory)
          REEL_TRY(walk(dir / e.name, path));
        else if (!expected.count(path))
          problems.push_back(shown + "/" + path + ": not in the lock");
      }
      return ok();
    };
    REEL_TRY(walk(root, ""));
  }
  return problems;
}

}  // namespace reel
