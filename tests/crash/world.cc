// The crash sweeps' world and invariants (world.h).
#include "world.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "reel/engine/repo.h"
#include "reel/storage/digest.h"
#include "reel/workspace/install.h"

namespace reel::crash {

AssetFiles table_v1() {
  return {{"model.obj", {"table model v1"}},
          {"tex/wood.png", {"wood texture"}},
          {"tex/notes.txt", {"dropped in 2.0.0"}},
          {"bin/turntable.sh", {"#!/bin/sh\necho v1\n", true}},
          {"latest.obj", {"model.obj", false, true}}};
}

AssetFiles table_v2() {
  return {{"model.obj", {"table model v2"}},
          {"tex/wood.png", {"wood texture"}},
          {"tex/normal.png", {"new in 2.0.0"}},
          {"bin/turntable.sh", {"#!/bin/sh\necho v2\n", true}},
          {"latest.obj", {"model.obj", false, true}}};
}

AssetFiles leg_v1() { return {{"leg.obj", {"leg model"}}}; }

World::World() { EXPECT_TRUE(real().create_directories(root())); }

void World::init_repo(const std::string& name) {
  ASSERT_TRUE(init_folder_repo(real(), repo(name), name));
}

void World::write_asset(const fs::path& dir, const std::string& name, const std::string& version,
                        const AssetFiles& files, const std::string& deps) {
  testing::write_file(dir / "asset.toml", "[asset]\nname = \"" + name + "\"\nversion = \"" +
                                              version + "\"\ntype = \"prop\"\n[dependencies]\n" +
                                              deps);
  for (const auto& [path, f] : files) {
    const fs::path p = dir / path;
    fs::create_directories(p.parent_path());
    if (f.symlink) {
      fs::create_symlink(f.data, p);
      continue;
    }
    testing::write_file(p, f.data);
    if (f.executable) ::chmod(p.c_str(), 0755);
  }
}

void World::publish(const std::string& repo_name, const std::string& name,
                    const std::string& version, const AssetFiles& files, const std::string& deps) {
  const fs::path src = dir_.path() / "src" / (repo_name + "-" + name + "-" + version);
  write_asset(src, name, version, files, deps);
  ObjectStore staging(real(), dir_.path() / "staging");
  auto built = build_package(real(), staging, src);
  ASSERT_TRUE(built) << built.error().message;
  auto opened = open_repo(real(), repo(repo_name).string());
  ASSERT_TRUE(opened) << opened.error().message;
  testing::FixedClock clock;
  ASSERT_TRUE((*opened)->publish(*built, staging, make_index_entry(*built, SourceInfo{}, clock)));
}

void World::make_workspace(const std::string& name, const std::vector<std::string>& repos,
                           const std::vector<std::pair<std::string, std::string>>& requirements) {
  InitOptions options;
  for (const auto& r : repos) options.repos.emplace_back(r, repo(r).string());
  auto ws = Workspace::create(setup_.ctx, workspace(name), options);
  ASSERT_TRUE(ws) << ws.error().message;
  relock(name, requirements);
}

void World::relock(const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& requirements) {
  auto ws = Workspace::find(setup_.ctx, workspace(name));
  ASSERT_TRUE(ws) << ws.error().message;
  ws->config().requirements = requirements;
  ASSERT_TRUE(ws->save_config());
  auto locked = lock_workspace(*ws, {});
  ASSERT_TRUE(locked && locked->lock) << (locked ? locked->explanation : locked.error().message);
}

void World::sync(const std::string& name) {
  auto ws = Workspace::find(setup_.ctx, workspace(name));
  ASSERT_TRUE(ws) << ws.error().message;
  auto synced = sync_workspace(*ws, SyncMode::kFrozen, {});
  ASSERT_TRUE(synced) << synced.error().message;
}

BuiltPackage World::package(const std::string& repo_name, const std::string& name,
                            const Version& version) {
  auto opened = open_repo(real(), repo(repo_name).string()).value();
  auto index = opened->read_index(name).value().value();
  auto bytes = opened->read_archive(index.find(version)->archive).value();
  return read_package(bytes, name).value();
}

std::map<Digest, std::uint64_t> World::object_sizes() {
  std::map<Digest, std::uint64_t> out;
  auto repos = real().list_dir(root() / "repos");
  if (!repos) return out;
  for (const auto& r : *repos) {
    auto opened = open_repo(real(), (root() / "repos" / r.name).string());
    if (!opened) continue;
    auto all = (*opened)->read_all_indexes();
    if (!all) continue;
    for (const auto& index : *all) {
      for (const auto& entry : index.versions) {
        auto bytes = (*opened)->read_archive(entry.archive);
        if (!bytes) continue;
        auto package = read_package(*bytes, "archive");
        if (!package) continue;
        for (const auto& f : package->files) out[f.sha256] = f.size;
      }
    }
  }
  return out;
}

void World::age(const fs::path& dir) {
  const std::int64_t two_hours_ago = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count() -
                                     std::int64_t{7200} * 1000000000;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    (void)real().set_mtime(it->path(), two_hours_ago);
  }
}

std::vector<std::string> repo_problems(FileSystem& fs, const fs::path& root) {
  std::vector<std::string> out;
  auto marker = fs.stat(root / "reel-repo.json");
  if (!marker || marker->type == FileType::kMissing) return out;  // no repo (yet)
  auto repo = open_repo(fs, root.string());
  if (!repo) return {"opening " + root.string() + ": " + repo.error().message};
  auto all = (*repo)->read_all_indexes();
  if (!all) return {"reading the indexes: " + all.error().message};
  ObjectStore objects(fs, root / "objects");
  for (const auto& index : *all) {
    for (const auto& entry : index.versions) {
      const std::string what = index.name + " " + entry.version.to_string();
      auto bytes = (*repo)->read_archive(entry.archive);  // checks size and digest
      if (!bytes) {
        out.push_back(what + ": " + bytes.error().message);
        continue;
      }
      auto package = read_package(*bytes, what);
      if (!package) {
        out.push_back(what + ": " + package.error().message);
        continue;
      }
      for (const auto& f : package->files) {
        if (f.symlink) continue;
        auto st = fs.stat(objects.object_path(f.sha256));
        if (!st || st->type != FileType::kRegular || st->size != f.size) {
          out.push_back(what + ": object of " + f.path + " missing or of the wrong size");
        } else if (auto v = objects.verify(f.sha256); !v) {
          out.push_back(what + ": " + v.error().message);
        }
      }
    }
  }
  return out;
}

std::vector<std::string> cache_problems(FileSystem& fs, const fs::path& cache_dir,
                                        PowerLossModel model,
                                        const std::map<Digest, std::uint64_t>& sizes) {
  std::vector<std::string> out;
  for (const char* bucket : {"objects-v1", "archives-v1"}) {
    ObjectStore store(fs, cache_dir / bucket);
    auto listed = store.list_objects();
    if (!listed) return {std::string(bucket) + ": " + listed.error().message};
    for (const auto& o : *listed) {
      if (store.verify(o.digest)) continue;
      auto expected = sizes.find(o.digest);
      const bool refused_by_size = model == PowerLossModel::kMetadataKeptDataLost &&
                                   o.stat.type == FileType::kRegular &&
                                   (expected == sizes.end() ? std::string(bucket) == "archives-v1"
                                                            : o.stat.size < expected->second);
      // An archive is read whole and hashed before use (locked_package), so any damage to one
      // is refused; an object by its files.json size.
      if (!refused_by_size) out.push_back(o.path.string() + ": does not hash to its name");
    }
  }
  return out;
}

namespace {

// Regular files and symlinks below `dir`, relative.
std::vector<std::string> files_below(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_symlink() || !it->is_directory()) {
      out.push_back(it->path().lexically_relative(dir).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::optional<std::string> file_difference(FileSystem& fs, const fs::path& dir,
                                           const BuiltPackage& package, const std::string& path) {
  const fs::path p = dir / path;
  auto st = fs.stat(p);
  if (!st) return path + ": " + st.error().message;
  if (path == "asset.toml") {
    auto manifest = st->type == FileType::kRegular ? fs.read_file(p) : Result<std::string>("");
    if (!manifest || *manifest != package.manifest_text) return path + ": differs";
    return std::nullopt;
  }
  const FileEntry* f = nullptr;
  for (const auto& e : package.files) {
    if (e.path == path) f = &e;
  }
  if (!f) return path + ": not part of the package";
  if (f->symlink) {
    auto target = fs.read_symlink(p);
    if (st->type != FileType::kSymlink || !target || target->string() != *f->symlink)
      return path + ": not the symlink";
    return std::nullopt;
  }
  if (st->type != FileType::kRegular) return path + ": missing";
  auto digest = sha256_file(fs, p);
  if (!digest || *digest != f->sha256) return path + ": bytes differ";
  if (((st->mode & 0100) != 0) != f->executable) return path + ": executable bit";
  return std::nullopt;
}

std::vector<std::string> package_differences(FileSystem& fs, const fs::path& dir,
                                             const BuiltPackage& package) {
  std::vector<std::string> out;
  std::vector<std::string> expected{"asset.toml"};
  for (const auto& f : package.files) expected.push_back(f.path);
  std::sort(expected.begin(), expected.end());
  if (files_below(dir) != expected) out.push_back(dir.string() + ": not the package's file list");
  for (const auto& path : expected) {
    if (auto d = file_difference(fs, dir, package, path)) out.push_back(*d);
  }
  return out;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    for (const char* prefix : {".tmp-", ".old-", ".reel-tmp-", "import-"}) {
      if (name.rfind(prefix, 0) == 0) out.push_back(it->path().string());
    }
  }
  return out;
}

}  // namespace reel::crash
