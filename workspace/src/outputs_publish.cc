// `reel build NAME` and `reel publish NAME` (outputs.h).
#include <set>

#include "git_repo.h"
#include "outputs_common.h"
#include "reel/engine/installable.h"
#include "reel/engine/names.h"
#include "reel/storage/stat_cache.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/outputs.h"
#include "reel/workspace/review.h"
#include "reel/workspace/steps.h"

namespace reel {

using outputs_detail::output_dir;
using outputs_detail::read_output_manifest;

Result<BuiltPackage> build_output(Workspace& ws, const std::string& name, ObjectStore* store) {
  auto manifest = read_output_manifest(ws, name);
  if (!manifest) return tl::unexpected(manifest.error());
  FileSystem& fs = ws.context().fs;
  auto hold = hold_cache(ws.context());  // gc waits until build/ names what this build stores
  if (!hold) return tl::unexpected(hold.error().with_context("using the cache"));
  REEL_TRY(register_workspace(ws.context(), ws.root()));
  // The output's stat cache (stat_cache.h): unchanged files are not read again.
  fs::path stat_file = ws.root() / ".reel" / "stat-cache" / lower_name(name);
  StatCache stat_cache;
  REEL_TRY(stat_cache.load(fs, stat_file));
  BuildOptions options;
  options.stat_cache = &stat_cache;
  // What git ignores and does not track stays out (cargo package, git archive); an output that is
  // not a git working tree is taken whole.
  auto ignores = git::IgnoreFilter::open(output_dir(ws, name));
  if (!ignores && ignores.error().code != ErrorCode::kNotFound)
    return tl::unexpected(ignores.error().with_context("building outputs/" + name));
  if (ignores) {
    git::IgnoreFilter* filter = ignores->get();
    options.excluded = [filter](const std::string& path, bool is_dir) {
      return filter->excluded(path, is_dir);
    };
  }
  auto built = build_package(fs, store ? *store : ws.context().cache.objects(), output_dir(ws, name),
                             options);
  if (!built) return tl::unexpected(built.error().with_context("building outputs/" + name));
  stat_cache.prune_unused();
  if (auto saved = stat_cache.save(fs, stat_file); !saved) {
    ws.context().reporter.warn("could not save the stat cache " + stat_file.string() + ": " +
                               saved.error().message + " (the next build hashes every file)");
  }
  ws.context().reporter.info("built " + built->manifest.name + " " +
                             built->manifest.version.to_string() + ": " +
                             std::to_string(built->stats.files_hashed) + " files hashed, " +
                             std::to_string(built->stats.files_unchanged) + " unchanged");
  REEL_TRY(fs.create_directories(ws.build_dir()));
  fs::path archive =
      ws.build_dir() / (built->manifest.name + "-" + built->manifest.version.to_string() + ".reel");
  REEL_TRY(fs.write_file_atomic(archive, built->archive_bytes, true));
  return built;
}

Result<PublishResult> publish_output(Workspace& ws, const std::string& name,
                                     const std::optional<std::string>& repo_name, bool allow_dirty,
                                     bool allow_stale) {
  PublishOptions options;
  options.repo = repo_name;
  options.allow_dirty = allow_dirty;
  options.allow_stale = allow_stale;
  return publish_output(ws, name, options);
}

namespace {

// The repos a published version must be installable from: the target, then the workspace's
// blessed repos (first repo with a name wins, as installs resolve).
Result<std::vector<std::pair<std::string, Repo*>>> publish_check_repos(Workspace& ws,
                                                                       const std::string& target,
                                                                       Repo* repo) {
  std::vector<std::pair<std::string, Repo*>> out{{target, repo}};
  for (const RepoConfig* rc : ws.config().install_repos()) {
    if (rc->name == target) continue;
    auto r = ws.repo(rc->name);
    if (!r) return tl::unexpected(r.error());
    out.emplace_back(rc->name, *r);
  }
  return out;
}

std::string repo_list(const std::vector<std::pair<std::string, Repo*>>& repos) {
  std::string s;
  for (const auto& [n, r] : repos) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

}  // namespace

Result<PublishResult> publish_output(Workspace& ws, const std::string& name,
                                     const PublishOptions& options) {
  const std::optional<std::string>& repo_name = options.repo;
  const bool allow_dirty = options.allow_dirty;
  const bool allow_stale = options.allow_stale;
  auto manifest = read_output_manifest(ws, name);
  if (!manifest) return tl::unexpected(manifest.error());
  if (!manifest->steps.empty() && !allow_stale) {
    auto lock = ws.read_lock();
    if (!lock) return tl::unexpected(lock.error());
    auto states = step_states(ws, name, *lock ? &**lock : nullptr);
    if (!states) return tl::unexpected(states.error());
    std::string stale;
    for (const auto& s : *states) {
      if (s.stale) stale += (stale.empty() ? "" : ", ") + s.name + " (" + *s.stale + ")";
    }
    if (!stale.empty()) {
      return tl::unexpected(
          Error{ErrorCode::kConflict, "outputs/" + name + " has stale steps: " + stale +
                                          "; what steps.lock records is not what would be "
                                          "published"}
              .with_hint("run `reel build " + name + "` first, or pass --allow-stale"));
    }
  }
  auto source = output_source(ws, name);
  if (!source) return tl::unexpected(source.error());
  if (source->dirty && !allow_dirty) {
    std::string paths;
    for (const auto& p : source->changed) paths += (paths.empty() ? ": " : ", ") + p;
    if (source->changed_count > source->changed.size())
      paths += " and " + std::to_string(source->changed_count - source->changed.size()) + " more";
    return make_error(ErrorCode::kConflict,
                      "outputs/" + name +
                          (source->commit.empty() ? " is not a git working tree with a commit"
                                                  : " has uncommitted changes" + paths));
  }
  std::string target;
  if (repo_name) {
    target = *repo_name;
  } else if (const RepoConfig* rc = ws.config().default_repo()) {
    target = rc->name;
  } else {
    return make_error(ErrorCode::kNotFound,
                      "the workspace has no repo to publish to (add one with `reel repo add`)");
  }
  auto repo = ws.repo(target);
  if (!repo) return tl::unexpected(repo.error());
  // Read the index first, so a same-content republish is reported (and skipped) as such; a
  // different-content one is refused by Repo::publish (kConflict).
  auto index = (*repo)->read_index(manifest->name);
  if (!index) return tl::unexpected(index.error());
  if (*index && (*index)->name != manifest->name) {
    return tl::unexpected(
        Error{ErrorCode::kConflict, "repo '" + target + "' already has an asset named '" +
                                        (*index)->name + "', not '" + manifest->name +
                                        "'; names compare case-insensitively"}
            .with_hint("use the repo's spelling in outputs/" + name + "/asset.toml, or another "
                       "name"));
  }
  // The repo stays installable: refuse a version whose dependencies cannot be resolved.
  auto against = publish_check_repos(ws, target, *repo);
  if (!against) return tl::unexpected(against.error());
  const std::string label = manifest->name + " " + manifest->version.to_string();
  auto installable =
      check_installable(*against, label, manifest->dependencies, manifest->groups);
  if (!installable) return tl::unexpected(installable.error());
  const bool unresolved = !installable->explanation.empty();
  if (unresolved && !options.allow_unresolved) {
    return tl::unexpected(
        Error{ErrorCode::kConflict,
              "cannot publish " + label + " to '" + target + "': its " +
                  (installable->group.empty() ? std::string("dependencies")
                                              : "dependencies with its " + installable->group +
                                                    " group") +
                  " cannot be resolved against " + repo_list(*against) + ":\n" +
                  installable->explanation}
            .with_hint("publish or promote what it needs first, or pass --allow-unresolved (the "
                       "index entry then says so)"));
  }
  if (unresolved) {
    ws.context().reporter.warn("publishing " + label + " with dependencies that cannot be "
                               "resolved against " + repo_list(*against) +
                               " (--allow-unresolved): " + installable->explanation);
  }
  const IndexEntry* existing = *index ? (*index)->find(manifest->version) : nullptr;
  // A folder repo's objects are written straight into it, each file read and written once; but a
  // version the repo already has is built into the cache, so that a refused republish leaves the
  // repo exactly as it was.
  ObjectStore* store = existing ? nullptr : (*repo)->local_store();
  if (!store) store = &ws.context().cache.objects();
  auto built = build_output(ws, name, store);
  if (!built) return tl::unexpected(built.error());

  PublishResult result;
  result.name = built->manifest.name;
  result.version = built->manifest.version;
  result.repo = target;
  result.archive = built->archive_digest;
  result.file_count = built->files.size();
  result.total_size = built->total_size;
  result.already_published = existing && existing->archive.sha256 == built->archive_digest;
  if (Reporter& r = ws.context().reporter; r.detail_on(1)) {
    std::set<Digest> objects;
    for (const auto& f : built->files)
      if (!f.symlink) objects.insert(f.sha256);
    r.detail(
        1,
        "built " + label + ": " + plural_count(built->files.size(), "file") + " (" +
            std::to_string(built->total_size) + " B) as " + plural_count(objects.size(), "object") +
            ", " + std::to_string(built->stats.files_hashed) + " hashed, " +
            std::to_string(built->stats.files_unchanged) + " unchanged (stat cache); archive " +
            std::to_string(built->archive_bytes.size()) + " B " + built->archive_digest.prefixed() +
            (result.already_published ? "; already in repo " + target : ""));
  }
  if (result.already_published) return result;
  IndexEntry entry =
      make_index_entry(*built, SourceInfo{source->commit, source->dirty}, ws.context().clock);
  entry.unresolved = unresolved;
  AuditInfo audit{audit_actor(ws.context()), entry.published, "publish", ""};
  REEL_TRY((*repo)->publish(*built, *store, std::move(entry), audit));
  return result;
}

}  // namespace reel
