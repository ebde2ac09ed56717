// `reel status` (status.h).
#include "reel/workspace/status.h"

#include <map>

#include "outputs_common.h"
#include "reel/engine/names.h"
#include "reel/workspace/outputs.h"

namespace reel {

Result<WorkspaceStatus> workspace_status(Workspace& ws) {
  WorkspaceStatus status;
  auto lock = ws.read_lock();
  if (!lock) return tl::unexpected(lock.error());
  const LockFile* locked = *lock ? &**lock : nullptr;
  // Each repo's index of a name, read once; a repo that fails is unreachable from then on.
  std::map<std::string, bool> dead;
  std::map<std::pair<std::string, std::string>, std::optional<PackageIndex>> indexes;
  auto index_of = [&](const std::string& repo_name,
                      const std::string& package) -> const std::optional<PackageIndex>* {
    if (dead[repo_name]) return nullptr;
    auto key = std::make_pair(repo_name, lower_name(package));
    auto it = indexes.find(key);
    if (it != indexes.end()) return &it->second;
    Result<std::optional<PackageIndex>> index = std::nullopt;
    auto repo = ws.repo(repo_name);
    if (repo)
      index = (*repo)->read_index(package);
    else
      index = tl::unexpected(repo.error());
    if (!index) {
      dead[repo_name] = true;
      status.unreachable.push_back("repo '" + repo_name + "': " + index.error().message);
      return nullptr;
    }
    return &indexes.emplace(key, std::move(*index)).first->second;
  };

  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  for (const auto& name : *outputs) {
    auto manifest = outputs_detail::read_output_manifest(ws, name);
    if (!manifest) return tl::unexpected(manifest.error());
    OutputStatus o;
    o.name = manifest->name;
    o.version = manifest->version;
    auto source = output_source(ws, name);
    if (!source) return tl::unexpected(source.error());
    o.git = !source->commit.empty();
    o.dirty = source->dirty;
    for (const auto& repo : ws.config().repos) {
      const auto* index = index_of(repo.name, manifest->name);
      if (index && *index && (*index)->find(manifest->version)) o.published_in.push_back(repo.name);
    }
    if (!manifest->steps.empty()) {
      auto states = step_states(ws, name, locked);
      if (!states) return tl::unexpected(states.error());
      for (auto& s : *states) {
        if (s.stale) o.stale_steps.push_back(std::move(s));
      }
    }
    status.outputs.push_back(std::move(o));
  }
  if (locked) {
    for (const auto& p : locked->packages) {
      const auto* index = index_of(p.repo, p.name);
      if (!index || !*index) continue;
      const IndexEntry* e = (*index)->find(p.version);
      if (e && e->yanked) status.yanked.push_back(LockedStatus{p.name, p.version, p.repo, "", ""});
      if (e && e->review.current.state == ReviewState::kRejected) {
        status.rejected.push_back(
            LockedStatus{p.name, p.version, p.repo, e->review.current.note, e->review.current.by});
      }
    }
  }
  return status;
}

}  // namespace reel
