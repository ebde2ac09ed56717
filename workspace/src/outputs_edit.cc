// `reel edit NAME[==V]` (outputs.h): a published version materialised as writable copies in
// outputs/NAME, made a git working tree with one commit. The folder is assembled under a temporary
// name in outputs/ and renamed into place, so a failure leaves no half-made output.
#include <unistd.h>

#include "git_repo.h"
#include "outputs_common.h"
#include "reel/engine/names.h"
#include "reel/workspace/install.h"
#include "reel/workspace/outputs.h"

namespace reel {
namespace {

using outputs_detail::output_dir;

// The entry to edit: `version` if given (yanked or not: it was asked for by name), else the newest
// version that is not yanked. kNotFound naming the repo and what it does have.
Result<const IndexEntry*> pick_version(const PackageIndex& index,
                                       const std::optional<Version>& version,
                                       const std::string& repo_name) {
  if (version) {
    if (const IndexEntry* e = index.find(*version)) return e;
    std::string have;
    for (const auto& e : index.versions) have += (have.empty() ? "" : ", ") + e.version.to_string();
    return make_error(ErrorCode::kNotFound,
                      index.name + " " + version->to_string() + " is not published in repo '" +
                          repo_name + "' (it has " + (have.empty() ? "no versions" : have) + ")");
  }
  for (auto it = index.versions.rbegin(); it != index.versions.rend(); ++it) {
    if (!it->yanked) return &*it;
  }
  return make_error(ErrorCode::kNotFound, "every version of " + index.name + " in repo '" +
                                              repo_name + "' is yanked (name one: `reel edit " +
                                              index.name + "==VERSION`)");
}

// Copies one content file from the cache to `dest`, writable. A cached object of the wrong size is
// dropped and fetched again from `repo` (verified on entry), as sync does.
Status copy_content(Workspace& ws, Repo& repo, const FileEntry& f, const fs::path& dest) {
  FileSystem& fs = ws.context().fs;
  ObjectStore& objects = ws.context().cache.objects();
  const ObjectRef ref{f.sha256, f.size};
  REEL_TRY(repo.fetch_object(ref, objects));
  fs::path object = objects.object_path(f.sha256);
  auto st = fs.stat(object);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular || st->size != f.size) {
    ws.context().reporter.warn("the cached object " + f.sha256.prefixed() +
                               " is damaged; fetching it again");
    (void)fs.set_mode(object, 0644);
    REEL_TRY(fs.remove(object));
    REEL_TRY(repo.fetch_object(ref, objects));
  }
  REEL_TRY(fs.copy_file(object, dest));
  return fs.set_mode(dest, f.executable ? 0755 : 0644);
}

// Writes `package` into `dir` (which exists and is empty): asset.toml verbatim, content files as
// writable copies, then symlinks (last, so no file is ever written through a link made here).
// The file list passed the path rules when the archive was read (parse_files_json): no .git,
// no path below a symlink, every link resolving inside the asset.
Status write_files(Workspace& ws, Repo& repo, const BuiltPackage& package, const fs::path& dir) {
  FileSystem& fs = ws.context().fs;
  REEL_TRY(fs.write_file_atomic(dir / "asset.toml", package.manifest_text, false));
  for (const auto& f : package.files) {
    if (f.symlink) continue;
    fs::path dest = dir / f.path;
    REEL_TRY(fs.create_directories(dest.parent_path()));
    REEL_TRY(copy_content(ws, repo, f, dest));
  }
  for (const auto& f : package.files) {
    if (!f.symlink) continue;
    fs::path dest = dir / f.path;
    REEL_TRY(fs.create_directories(dest.parent_path()));
    REEL_TRY(fs.symlink(*f.symlink, dest));
  }
  return ok();
}

Result<Version> materialise(Workspace& ws, const std::string& repo_name, Repo& repo,
                            const std::string& name, const IndexEntry& entry) {
  REEL_TRY(outputs_detail::ensure_absent(ws, name));
  auto package =
      locked_package(ws, LockedPackage{name, entry.version, repo_name, entry.archive.sha256, {}});
  if (!package) return tl::unexpected(package.error());
  FileSystem& fs = ws.context().fs;
  fs::path temp = ws.outputs_dir() / (".edit-" + name + "-" + std::to_string(::getpid()) + ".tmp");
  REEL_TRY(fs.remove_all(temp));
  REEL_TRY(fs.create_directories(temp));
  std::string what = name + " " + entry.version.to_string();
  auto made = write_files(ws, repo, *package, temp).and_then([&]() -> Status {
    auto commit = git::init_and_commit_all(temp, "reel edit " + what);
    if (!commit) return tl::unexpected(commit.error());
    return fs.rename(temp, output_dir(ws, name));
  });
  if (!made) {
    (void)fs.remove_all(temp);
    return tl::unexpected(made.error().with_context("editing " + what));
  }
  return entry.version;
}

}  // namespace

Result<Version> edit_output(Workspace& ws, const std::string& name,
                            const std::optional<Version>& version,
                            const std::optional<std::string>& repo_name) {
  REEL_TRY(check_package_name(name));
  auto repos = ws.install_repos(repo_name);
  if (!repos) return tl::unexpected(repos.error());
  std::string searched;
  // The first repo that has the name decides (DESIGN §2: no mixing of a name across repos).
  for (const auto& [rname, repo] : *repos) {
    auto index = repo->read_index(name);
    if (!index) return tl::unexpected(index.error());
    if (!*index) {
      searched += (searched.empty() ? "'" : ", '") + rname + "'";
      continue;
    }
    auto entry = pick_version(**index, version, rname);
    if (!entry) return tl::unexpected(entry.error());
    return materialise(ws, rname, *repo, (*index)->name, **entry);
  }
  return make_error(ErrorCode::kNotFound,
                    "no package named '" + name + "' in " +
                        (searched.empty() ? std::string("any repo") : "repo " + searched));
}

}  // namespace reel
