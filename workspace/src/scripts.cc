// Asset scripts (scripts.h).
#include "reel/workspace/scripts.h"

#include <algorithm>

#include "reel/engine/names.h"
#include "reel/workspace/shell_syntax.h"

namespace reel {

std::vector<ScriptRef> workspace_scripts(const std::vector<EnvAsset>& assets) {
  std::vector<ScriptRef> out;
  for (const auto& a : assets) {
    for (const auto& [name, command] : a.manifest.scripts)
      out.push_back(ScriptRef{a.manifest.name, name, command, a.root, a.editable});
  }
  std::sort(out.begin(), out.end(), [](const ScriptRef& x, const ScriptRef& y) {
    auto kx = std::make_pair(lower_name(x.asset), lower_name(x.name));
    auto ky = std::make_pair(lower_name(y.asset), lower_name(y.name));
    return kx < ky;
  });
  return out;
}

Result<ScriptRef> find_script(const std::vector<EnvAsset>& assets, std::string_view spec) {
  std::vector<ScriptRef> all = workspace_scripts(assets);
  auto colon = spec.find(':');
  if (colon != std::string_view::npos) {
    std::string asset(spec.substr(0, colon)), script(spec.substr(colon + 1));
    auto a = std::find_if(assets.begin(), assets.end(), [&](const EnvAsset& x) {
      return lower_name(x.name) == lower_name(asset);
    });
    if (a == assets.end())
      return make_error(ErrorCode::kNotFound, "no asset named " + asset + " in the workspace");
    std::string names;
    for (const auto& [name, command] : a->manifest.scripts) {
      if (lower_name(name) == lower_name(script))
        return ScriptRef{a->manifest.name, name, command, a->root, a->editable};
      names += (names.empty() ? "" : ", ") + name;
    }
    return make_error(ErrorCode::kNotFound,
                      a->manifest.name + " has no script '" + script + "' (" +
                          (names.empty() ? "it has no [scripts]" : "its scripts: " + names) + ")");
  }
  std::vector<const ScriptRef*> offered;
  for (const auto& s : all) {
    if (lower_name(s.name) == lower_name(spec)) offered.push_back(&s);
  }
  if (offered.empty())
    return make_error(ErrorCode::kNotFound, "no asset offers a script '" + std::string(spec) + "'");
  if (offered.size() > 1) {
    std::string who, choices;
    for (std::size_t i = 0; i < offered.size(); ++i) {
      std::string sep = i == 0 ? "" : (i + 1 == offered.size() ? " and " : ", ");
      who += sep + offered[i]->asset;
      choices += (i == 0 ? "" : (i + 1 == offered.size() ? " or " : ", ")) + offered[i]->asset +
                 ":" + offered[i]->name;
    }
    return make_error(ErrorCode::kConflict, "the script '" + std::string(spec) +
                                                "' is offered by " + who + ": run " + choices);
  }
  return *offered[0];
}

bool names_script(const std::vector<EnvAsset>& assets, std::string_view word) {
  // NAME:SCRIPT always names a script (a program path holds a '/'), so a misspelt asset name
  // gets find_script's answer rather than "cannot run".
  if (word.find(':') != std::string_view::npos) return word.find('/') == std::string_view::npos;
  for (const auto& a : assets) {
    for (const auto& s : a.manifest.scripts) {
      if (lower_name(s.first) == lower_name(word)) return true;
    }
  }
  return false;
}

ProcessRequest script_request(const ScriptRef& script, const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& environment,
                              const fs::path& cwd) {
  ProcessRequest r;
  r.argv = {"/bin/sh", "-c", substitute_root_quoted(script.command, script.root) + " \"$@\"",
            script.asset + ":" + script.name};
  r.argv.insert(r.argv.end(), args.begin(), args.end());
  r.environment = environment;
  r.cwd = cwd;
  return r;
}

}  // namespace reel
