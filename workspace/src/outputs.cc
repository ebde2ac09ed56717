// Outputs: editable assets in outputs/NAME, each a git working tree (outputs.h).
#include "reel/workspace/outputs.h"

#include <algorithm>

#include "git_repo.h"
#include "reel/engine/names.h"
#include "reel/workspace/install.h"

namespace reel {
namespace {

fs::path output_dir(Workspace& ws, const std::string& name) { return ws.outputs_dir() / name; }

Result<AssetManifest> read_output_manifest(Workspace& ws, const std::string& name) {
  fs::path file = output_dir(ws, name) / "asset.toml";
  auto st = ws.context().fs.stat(file);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular) {
    return make_error(ErrorCode::kNotFound, "no output named '" + name + "' (" + file.string() +
                                                " does not exist; create it with `reel new` or `reel edit`)");
  }
  auto text = ws.context().fs.read_file(file);
  if (!text) return tl::unexpected(text.error());
  return parse_manifest(*text, file.string());
}

Status ensure_absent(Workspace& ws, const std::string& name) {
  auto st = ws.context().fs.stat(output_dir(ws, name));
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kMissing) {
    return make_error(ErrorCode::kAlreadyExists, output_dir(ws, name).string() + " already exists");
  }
  return ok();
}

}  // namespace

Status new_output(Workspace& ws, const std::string& name, const NewOutputOptions& options) {
  REEL_TRY(check_package_name(name));
  REEL_TRY(ensure_absent(ws, name));
  AssetManifest m;
  m.name = name;
  m.version = options.version;
  m.type = options.type;
  fs::path dir = output_dir(ws, name);
  REEL_TRY(ws.context().fs.create_directories(dir));
  REEL_TRY(ws.context().fs.write_file_atomic(dir / "asset.toml", serialize_manifest(m), true));
  auto commit = git::init_and_commit_all(dir, "reel new " + name);
  if (!commit) return tl::unexpected(commit.error());
  return ok();
}

Result<Version> edit_output(Workspace& ws, const std::string& name, const std::optional<Version>& version,
                            const std::optional<std::string>& repo_name) {
  REEL_TRY(check_package_name(name));
  auto repos = ws.install_repos(repo_name);
  if (!repos) return tl::unexpected(repos.error());
  for (const auto& [rname, repo] : *repos) {
    auto index = repo->read_index(name);
    if (!index) return tl::unexpected(index.error());
    if (!*index) continue;
    const IndexEntry* entry = nullptr;
    for (const auto& e : (*index)->versions) {
      if (version ? e.version == *version : !e.yanked) entry = &e;
    }
    if (!entry) {
      return make_error(ErrorCode::kNotFound, name + (version ? " " + version->to_string() : std::string()) +
                                                  " is not published in repo '" + rname + "'");
    }
    std::string canonical = (*index)->name;
    REEL_TRY(ensure_absent(ws, canonical));
    LockedPackage locked{canonical, entry->version, rname, entry->archive.sha256, {}};
    auto package = locked_package(ws, locked);
    if (!package) return tl::unexpected(package.error());
    FileSystem& fs = ws.context().fs;
    fs::path dir = output_dir(ws, canonical);
    REEL_TRY(fs.create_directories(dir));
    REEL_TRY(fs.write_file_atomic(dir / "asset.toml", package->manifest_text, false));
    for (const auto& f : package->files) {
      fs::path dest = dir / f.path;
      REEL_TRY(fs.create_directories(dest.parent_path()));
      if (f.symlink) {
        REEL_TRY(fs.symlink(*f.symlink, dest));
        continue;
      }
      REEL_TRY(repo->fetch_object(f.sha256, ws.context().cache.objects()));
      REEL_TRY(fs.copy_file(ws.context().cache.objects().object_path(f.sha256), dest));
      REEL_TRY(fs.set_mode(dest, f.executable ? 0755 : 0644));
    }
    auto commit = git::init_and_commit_all(dir, "reel edit " + canonical + " " + entry->version.to_string());
    if (!commit) return tl::unexpected(commit.error());
    return entry->version;
  }
  return make_error(ErrorCode::kNotFound, "no repo has a package named '" + name + "'");
}

Version bump_version(const Version& v, BumpPart part) {
  switch (part) {
    case BumpPart::kMajor: return Version(v.major() + 1, 0, 0);
    case BumpPart::kMinor: return Version(v.major(), v.minor() + 1, 0);
    case BumpPart::kPatch: return v.is_prerelease() ? v.release() : Version(v.major(), v.minor(), v.patch() + 1);
    case BumpPart::kPre: {
      if (!v.is_prerelease()) {
        Version next(v.major(), v.minor(), v.patch() + 1);
        next.set_prerelease({"0"});
        return next;
      }
      auto ids = v.prerelease();
      const std::string& last = ids.back();
      bool numeric = !last.empty() && std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (numeric) ids.back() = std::to_string(std::stoull(last) + 1);
      else ids.push_back("0");
      Version next = v.release();
      next.set_prerelease(ids);
      return next;
    }
  }
  return v;
}

Result<Version> bump_output(Workspace& ws, const std::string& name, BumpPart part) {
  auto m = read_output_manifest(ws, name);
  if (!m) return tl::unexpected(m.error());
  fs::path file = output_dir(ws, name) / "asset.toml";
  auto text = ws.context().fs.read_file(file);
  if (!text) return tl::unexpected(text.error());
  Version next = bump_version(m->version, part);
  // Rewrite only the `version = ...` line of [asset], keeping comments and layout.
  std::string out;
  bool in_asset = false, done = false;
  std::size_t pos = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    std::string line = text->substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    std::string trimmed = line.substr(std::min(line.find_first_not_of(" \t"), line.size()));
    if (!trimmed.empty() && trimmed[0] == '[') in_asset = trimmed.rfind("[asset]", 0) == 0;
    if (in_asset && !done && trimmed.rfind("version", 0) == 0 &&
        trimmed.find('=') != std::string::npos &&
        trimmed.substr(7, trimmed.find('=') - 7).find_first_not_of(" \t") == std::string::npos) {
      line = "version = \"" + next.to_string() + "\"";
      done = true;
    }
    out += line;
    if (end == std::string::npos) break;
    out += "\n";
    pos = end + 1;
  }
  auto check = parse_manifest(out, file.string());
  if (!done || !check || !(check->version == next)) {
    return make_error(ErrorCode::kInvalidArgument, file.string() + ": could not find the [asset] version line to bump");
  }
  REEL_TRY(ws.context().fs.write_file_atomic(file, out, true));
  return next;
}

Result<OutputSource> output_source(Workspace& ws, const std::string& name) {
  auto s = git::state(output_dir(ws, name));
  if (!s) return tl::unexpected(s.error());
  return OutputSource{s->head, s->dirty};
}

Result<BuiltPackage> build_output(Workspace& ws, const std::string& name) {
  REEL_TRY(read_output_manifest(ws, name).map([](auto&&) {}));
  auto built = build_package(ws.context().fs, ws.context().cache.objects(), output_dir(ws, name));
  if (!built) return tl::unexpected(built.error());
  REEL_TRY(ws.context().fs.create_directories(ws.build_dir()));
  fs::path archive = ws.build_dir() / (built->manifest.name + "-" + built->manifest.version.to_string() + ".reel");
  REEL_TRY(ws.context().fs.write_file_atomic(archive, built->archive_bytes, true));
  return built;
}

Result<PublishResult> publish_output(Workspace& ws, const std::string& name,
                                     const std::optional<std::string>& repo_name, bool allow_dirty) {
  auto manifest = read_output_manifest(ws, name);
  if (!manifest) return tl::unexpected(manifest.error());
  auto source = output_source(ws, name);
  if (!source) return tl::unexpected(source.error());
  if (source->dirty && !allow_dirty) {
    return make_error(ErrorCode::kConflict, "outputs/" + name + (source->commit.empty() ? " is not a committed git working tree" : " has uncommitted changes"));
  }
  std::string target;
  if (repo_name) {
    target = *repo_name;
  } else if (const RepoConfig* rc = ws.config().default_repo()) {
    target = rc->name;
  } else {
    return make_error(ErrorCode::kNotFound, "the workspace has no repo to publish to (add one with `reel repo add`)");
  }
  auto repo = ws.repo(target);
  if (!repo) return tl::unexpected(repo.error());
  auto built = build_output(ws, name);
  if (!built) return tl::unexpected(built.error());
  PublishResult result;
  result.name = built->manifest.name;
  result.version = built->manifest.version;
  result.repo = target;
  result.archive = built->archive_digest;
  result.file_count = built->files.size();
  result.total_size = built->total_size;
  auto index = (*repo)->read_index(result.name);
  if (!index) return tl::unexpected(index.error());
  const IndexEntry* existing = *index ? (*index)->find(result.version) : nullptr;
  result.already_published = existing && existing->archive.sha256 == built->archive_digest;
  IndexEntry entry = make_index_entry(*built, SourceInfo{source->commit, source->dirty}, ws.context().clock);
  REEL_TRY((*repo)->publish(*built, ws.context().cache.objects(), std::move(entry)));
  return result;
}

Result<std::vector<std::string>> list_outputs(Workspace& ws) {
  std::vector<std::string> out;
  FileSystem& fs = ws.context().fs;
  auto st = fs.stat(ws.outputs_dir());
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kDirectory) return out;
  auto entries = fs.list_dir(ws.outputs_dir());
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    auto m = fs.stat(ws.outputs_dir() / e.name / "asset.toml");
    if (e.type == FileType::kDirectory && m && m->type == FileType::kRegular) out.push_back(e.name);
  }
  return out;
}

Status promote_version(Workspace& ws, const std::string& name, const Version& version, const std::string& from,
                       const std::string& to) {
  auto a = ws.repo(from);
  if (!a) return tl::unexpected(a.error());
  auto b = ws.repo(to);
  if (!b) return tl::unexpected(b.error());
  return promote(**a, **b, name, version, ws.context().cache.objects());
}

}  // namespace reel
