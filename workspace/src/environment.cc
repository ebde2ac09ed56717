// The workspace environment (environment.h).
#include "reel/workspace/environment.h"

#include <set>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/workspace/credentials.h"
#include "reel/workspace/outputs.h"

namespace reel {
namespace {

Result<AssetManifest> read_manifest_at(FileSystem& fs, const fs::path& root) {
  fs::path file = root / "asset.toml";
  auto text = fs.read_file(file, kMaxManifestBytes);
  if (!text) return tl::unexpected(text.error());
  return parse_manifest(*text, file.string());
}

// Kahn's algorithm over lower-case names: among the assets whose dependencies are all placed,
// the smallest name goes next; when none is ready (a cycle), the smallest remaining one does.
std::vector<EnvAsset> dependency_order(std::vector<EnvAsset> assets) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < assets.size(); ++i) index[lower_name(assets[i].name)] = i;
  std::map<std::string, std::set<std::string>> waiting;  // key -> unplaced dependencies
  std::map<std::string, std::vector<std::string>> dependents;
  for (const auto& [key, i] : index) {
    const EnvAsset& a = assets[i];
    std::vector<std::string> deps;
    if (a.editable || !a.locked) {
      for (const auto& d : a.manifest.dependencies) deps.push_back(d.name);
    } else {
      deps = a.locked->dependencies;
    }
    waiting[key];
    for (const auto& d : deps) {
      std::string dep = lower_name(d);
      if (index.count(dep) && dep != key && waiting[key].insert(dep).second)
        dependents[dep].push_back(key);
    }
  }
  std::set<std::string> ready, remaining;
  for (const auto& [key, deps] : waiting) {
    remaining.insert(key);
    if (deps.empty()) ready.insert(key);
  }
  std::vector<EnvAsset> out;
  while (!remaining.empty()) {
    std::string next = ready.empty() ? *remaining.begin() : *ready.begin();
    ready.erase(next);
    remaining.erase(next);
    for (const auto& d : dependents[next]) {
      auto& w = waiting[d];
      if (w.erase(next) && w.empty() && remaining.count(d)) ready.insert(d);
    }
    out.push_back(std::move(assets[index.at(next)]));
  }
  return out;
}

}  // namespace

Result<std::vector<EnvAsset>> environment_assets(Workspace& ws, const LockFile* lock) {
  FileSystem& fs = ws.context().fs;
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  std::map<std::string, std::string> output_names;  // lower name -> folder name
  for (const auto& o : *outputs) output_names[lower_name(o)] = o;
  std::vector<EnvAsset> assets;
  if (lock) {
    for (const auto& p : lock->packages) {
      EnvAsset a;
      a.name = p.name;
      a.locked = &p;
      auto out = output_names.find(lower_name(p.name));
      a.editable = out != output_names.end();
      a.root = a.editable ? ws.outputs_dir() / out->second : ws.inputs_dir() / p.name;
      if (a.editable) output_names.erase(out);
      if (!a.editable) {
        auto st = fs.stat(a.root / "asset.toml");
        if (!st) return tl::unexpected(st.error());
        if (st->type != FileType::kRegular)
          return make_error(ErrorCode::kNotFound, p.name + " is not installed (run `reel sync`): " +
                                                      (a.root / "asset.toml").string() +
                                                      " does not exist");
      }
      auto m = read_manifest_at(fs, a.root);
      if (!m) return tl::unexpected(m.error());
      a.manifest = std::move(*m);
      assets.push_back(std::move(a));
    }
  }
  for (const auto& [key, folder] : output_names) {
    EnvAsset a;
    a.name = folder;
    a.editable = true;
    a.root = ws.outputs_dir() / folder;
    auto m = read_manifest_at(fs, a.root);
    if (!m) return tl::unexpected(m.error());
    a.manifest = std::move(*m);
    assets.push_back(std::move(a));
  }
  return dependency_order(std::move(assets));
}

Result<WorkspaceEnvironment> workspace_environment(Workspace& ws, const LockFile* lock) {
  auto assets = environment_assets(ws, lock);
  if (!assets) return tl::unexpected(assets.error());
  WorkspaceEnvironment env;
  env.base = ws.context().environment;
  env.base.erase(std::string(kCommandLineTokenKey));  // never handed to a child
  const std::vector<EnvEntry> reel_vars = {
      {"REEL_WORKSPACE", EnvAction::kSet, {"{root}"}},
      {"REEL_INPUTS", EnvAction::kSet, {"{root}/inputs"}},
  };
  std::vector<EnvLayer> layers = {{"the workspace", ws.root().string(), &reel_vars}};
  for (const auto& a : *assets) layers.push_back({a.name, a.root.string(), &a.manifest.env});
  ComposedEnv composed = compose_env(env.base, layers);
  env.variables = std::move(composed.variables);
  env.touched = std::move(composed.touched);
  env.warnings = std::move(composed.warnings);
  env.assets = std::move(*assets);
  return env;
}

Result<std::vector<std::string>> editable_range_warnings(Workspace& ws, const LockFile& lock) {
  // No output, nothing to warn about: a farm job's sync does not read every installed manifest.
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  if (outputs->empty()) return std::vector<std::string>();
  auto assets = environment_assets(ws, &lock);
  if (!assets) return tl::unexpected(assets.error());
  std::vector<std::string> out;
  for (const auto& e : *assets) {
    if (!e.editable) continue;
    const Version& v = e.manifest.version;
    for (const auto& d : *assets) {
      if (&d == &e) continue;
      for (const auto& dep : d.manifest.dependencies) {
        if (lower_name(dep.name) != lower_name(e.name) || dep.range.contains(v)) continue;
        std::string line = "outputs/" + e.root.filename().string() + " is " + e.manifest.name +
                           " " + v.to_string() + ", outside " + d.manifest.name + " " +
                           d.manifest.version.to_string() + "'s range " + dep.range_text +
                           "; the environment uses outputs/" + e.root.filename().string();
        if (e.locked) {
          line += ", reel.lock and inputs/ keep " + e.locked->name + " " +
                  e.locked->version.to_string();
        }
        out.push_back(line);
      }
    }
  }
  return out;
}

}  // namespace reel
