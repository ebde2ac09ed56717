// Outputs (DESIGN §1, §5): editable assets in outputs/NAME, each a git working tree (libgit2), and
// the commands that act on them: new, edit, bump, build, publish, promote.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reel/engine/index.h"
#include "reel/engine/package.h"
#include "reel/resolver/version.h"
#include "reel/workspace/workspace.h"

namespace reel {

struct NewOutputOptions {
  std::string type;                   // asset type, may be empty
  Version version = Version(0, 1, 0);
};

// `reel new NAME`: writes outputs/NAME/asset.toml, `git init`s it and makes a first commit.
// kAlreadyExists if outputs/NAME exists; kInvalidArgument for a bad name; kConflict if one of
// the workspace's repos has the name in another spelling (names compare case-insensitively).
Status new_output(Workspace& ws, const std::string& name, const NewOutputOptions& options);

// `reel edit NAME[==V]`: materialises a published version (newest non-yanked if `version` is
// unset) from `repo_name` (else the install repos, first that has it) into outputs/NAME as
// writable copies, git init + first commit ("edit NAME VERSION"). kAlreadyExists if outputs/NAME
// exists; kNotFound for a missing package or version. Returns the version taken.
Result<Version> edit_output(Workspace& ws, const std::string& name,
                            const std::optional<Version>& version,
                            const std::optional<std::string>& repo_name);

enum class BumpPart { kMajor, kMinor, kPatch, kPre };
// The bumped version: major 1.2.3 -> 2.0.0, minor -> 1.3.0, patch -> 1.2.4 (a prerelease 1.2.4-1
// bumps to its release 1.2.4), pre 1.2.3 -> 1.2.4-0 and 1.2.4-0 -> 1.2.4-1.
Version bump_version(const Version& version, BumpPart part);
// `reel bump NAME PART`: rewrites outputs/NAME/asset.toml's version. Returns the new version.
Result<Version> bump_output(Workspace& ws, const std::string& name, BumpPart part);

// The git state of an output: its HEAD commit (hex) and whether the tree has uncommitted changes
// (untracked files included, ignored ones not). A folder that is not a git repo: commit "" and
// dirty = true.
struct OutputSource {
  std::string commit;
  bool dirty = true;
  std::vector<std::string> changed = {};  // the first paths with uncommitted changes (10 at most)
  std::size_t changed_count = 0;          // all the paths with uncommitted changes
};
Result<OutputSource> output_source(Workspace& ws, const std::string& name);

// `reel build NAME`'s snapshot (after run_steps, steps.h, for an output with [[step]]s):
// snapshots outputs/NAME (objects into `store`, by default the cache's) and
// writes the archive to build/NAME-VERSION.reel. Files whose stat is unchanged since the last build
// (the output's stat cache, .reel/stat-cache/NAME) are not read again if their object is in
// `store`. Returns the built package, with what was hashed in `stats`.
Result<BuiltPackage> build_output(Workspace& ws, const std::string& name,
                                  ObjectStore* store = nullptr);

struct PublishResult {
  std::string name;
  Version version;
  std::string repo;        // the repo's name in workspace.toml
  Digest archive;
  bool already_published;  // the same version with the same content was there: nothing written
  std::uint64_t file_count = 0;
  std::uint64_t total_size = 0;
};
// How to publish (`reel publish` flags).
struct PublishOptions {
  std::optional<std::string> repo;  // target repo (default: the workspace's default repo)
  bool allow_dirty = false;         // publish with uncommitted changes
  bool allow_unresolved = false;    // publish though the dependencies do not resolve (flagged)
  bool allow_stale = false;         // publish though [[step]]s are stale
};

// `reel publish NAME`: builds, then publishes to options.repo (else the default repo). Refuses
// (kConflict, with a hint about --allow-dirty) an output with uncommitted changes unless
// allow_dirty; (kConflict "outputs/NAME has stale steps: ...", steps.h) one whose [[step]]s are
// not all up to date unless allow_stale: publishing never runs steps; and (kConflict, with the
// resolver's explanation) a version whose dependencies, plain or with any dependency group,
// cannot be resolved against the target repo followed by the workspace's blessed repos, unless
// allow_unresolved (then the index entry says "unresolved"). Records the git commit in the index
// entry.
Result<PublishResult> publish_output(Workspace& ws, const std::string& name,
                                     const PublishOptions& options);
// publish_output with PublishOptions{repo_name, allow_dirty, allow_stale}.
Result<PublishResult> publish_output(Workspace& ws, const std::string& name,
                                     const std::optional<std::string>& repo_name, bool allow_dirty,
                                     bool allow_stale = false);

// Every output's name (the folders of outputs/ holding an asset.toml), sorted.
Result<std::vector<std::string>> list_outputs(Workspace& ws);

// `names` (outputs) in an order to publish them one after another: every output after the outputs
// among `names` it depends on (plain dependencies and every group), ties by name; a cycle's
// members come last, by name. Errors: reading an output's asset.toml.
Result<std::vector<std::string>> publish_order(Workspace& ws, const std::vector<std::string>& names);

// `reel promote NAME==V --from A --to B` between two of the workspace's repos, staging objects
// through the cache. The version's dependency closure (plain and every group) must be
// installable from B alone: if it is not, kConflict with the resolver's explanation and the
// versions to promote first, unless `with_deps`, which promotes those first (dependencies before
// dependents) and returns them. A version already in B is a no-op. Only versions approved in A
// are promoted (each dependency too): a pending or rejected one is kConflict naming its state,
// unless `force`, which promotes it anyway and records "forced: … was pending" in B's audit log.
// The review record goes along; B's audit log gets a promote line by audit_actor() (review.h).
Result<std::vector<std::string>> promote_version(Workspace& ws, const std::string& name,
                                                 const Version& version, const std::string& from,
                                                 const std::string& to, bool with_deps = false,
                                                 bool force = false);

// What promote_between did: the dependencies it promoted first ("Leg 1.0.0"), and whether the
// version was in the target already (same archive digest), in which case nothing was written.
struct PromoteResult {
  std::vector<std::string> dependencies;
  bool already_present = false;
};
// promote_version between two open repos, no workspace needed (a CI promotion job: `reel promote
// NAME==V --from URL --to URL`). `from` / `to` label the repos in messages (a name or the URL).
// Objects are staged through the context's cache; the audit actor and time are the context's
// (audit_actor, its clock). Same errors and review rules (`force`) as promote_version; the same
// version with another digest in `target` is refused by promote() (kConflict).
Result<PromoteResult> promote_between(Repo& source, const std::string& from, Repo& target,
                                      const std::string& to, const std::string& name,
                                      const Version& version, bool with_deps, bool force,
                                      Context& context);

}  // namespace reel
