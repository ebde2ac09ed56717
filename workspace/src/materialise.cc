// Materialising packages into inputs/ (materialise.h).
#include "materialise.h"

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "reel/engine/input_limits.h"

namespace reel {
namespace {

// True if a path of one list is a folder in the other ("a" a file in one, "a/b" in the other):
// an in-place update cannot turn one into the other file by file.
bool kinds_clash(const std::map<std::string, const FileEntry*>& a,
                 const std::map<std::string, const FileEntry*>& b) {
  for (const auto& [path, entry] : a) {
    auto it = b.lower_bound(path + "/");
    if (it != b.end() && it->first.compare(0, path.size() + 1, path + "/") == 0) return true;
  }
  return false;
}

}  // namespace

std::string random_tag() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(8, '0');
  auto v = rng();
  for (auto& c : s) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return s;
}

// LinkMode::kAuto after its clone was refused: a hard link, else a copy (executable files are
// always copied: a hard link shares the cache's read-only inode), as ObjectStore::materialise.
Result<LinkMode> auto_without_clone(ObjectStore& objects, const FileEntry& f,
                                    const fs::path& target) {
  if (!f.executable) {
    auto linked = objects.materialise(f.sha256, target, LinkMode::kHardlink, false);
    if (linked || linked.error().code == ErrorCode::kNotFound ||
        linked.error().code == ErrorCode::kAlreadyExists)
      return linked;
  }
  auto copied = objects.materialise(f.sha256, target, LinkMode::kCopy, f.executable);
  if (!copied) return tl::unexpected(copied.error());
  return LinkMode::kCopy;
}

// Places `files` from the cache with the workspace's link mode, on two threads when there are
// enough files to be worth it; counts them into `report`. The first error wins.
Status place_files(Workspace& ws, const std::string& package, const std::vector<Placement>& files,
                   SyncReport& report, bool& warned_copy) {
  Context& ctx = ws.context();
  const LinkMode mode = ws.config().link_mode;
  struct Share {
    std::optional<Error> error;
    std::optional<LinkMode> used;
    bool copied = false;
    std::uint64_t files = 0, bytes = 0;
  };
  // Under kAuto, once a file was not cloned (ext4: no FICLONE), the rest of this sync's files go
  // straight to a hard link: every refused clone costs a temp file created and removed.
  std::atomic<bool> try_clone{!(report.link_mode && *report.link_mode != LinkMode::kClone)};
  auto place = [&](const Placement& p) -> Result<LinkMode> {
    const FileEntry& f = *p.file;
    fs::path target = p.replace ? p.dest.parent_path() / (".reel-tmp-" + random_tag()) : p.dest;
    if (f.symlink) {
      REEL_TRY(ctx.fs.symlink(*f.symlink, target));
    } else {
      auto used = try_clone || mode != LinkMode::kAuto
                      ? ctx.cache.objects().materialise(f.sha256, target, mode, f.executable)
                      : auto_without_clone(ctx.cache.objects(), f, target);
      if (!used) return tl::unexpected(used.error());
      if (*used != LinkMode::kClone) try_clone = false;
      if (!p.replace) return *used;
      if (auto r = ctx.fs.rename(target, p.dest); !r) {
        (void)ctx.fs.remove(target);
        return tl::unexpected(r.error());
      }
      // rename(2) does nothing when both names are hard links to one inode (a repair of a file
      // whose object was found intact): the temp name is still there.
      REEL_TRY(ctx.fs.remove(target));
      return *used;
    }
    if (p.replace) {
      if (auto r = ctx.fs.rename(target, p.dest); !r) {
        (void)ctx.fs.remove(target);
        return tl::unexpected(r.error());
      }
    }
    return LinkMode::kSymlink;
  };
  auto run = [&](std::size_t first, std::size_t step, Share& share) {
    for (std::size_t i = first; i < files.size() && !share.error; i += step) {
      const FileEntry& f = *files[i].file;
      auto used = place(files[i]);
      if (!used) {
        share.error = used.error().with_context(package + ": " + f.path);
        return;
      }
      if (f.symlink) continue;
      if (mode == LinkMode::kAuto && *used == LinkMode::kCopy && !f.executable) share.copied = true;
      share.used = *used;
      ++share.files;
      share.bytes += f.size;
    }
  };
  Share shares[2];
  if (files.size() >= 32) {
    std::thread helper(run, 1, 2, std::ref(shares[1]));
    run(0, 2, shares[0]);
    helper.join();
  } else {
    run(0, 1, shares[0]);
  }
  for (const Share& share : shares) {
    if (share.used) report.link_mode = share.used;
    report.files += share.files;
    report.bytes += share.bytes;
    if (share.copied && !warned_copy) {
      warned_copy = true;
      ctx.reporter.warn(
          "hard links into the cache failed (another file system?); copying files instead");
    }
  }
  for (const Share& share : shares) {
    if (share.error) return tl::unexpected(*share.error);
  }
  return ok();
}

// Installs `package` into a fresh temp folder in inputs/, then swaps it in by rename.
Status materialise_package(Workspace& ws, const LockedPackage& locked, const BuiltPackage& package,
                           SyncReport& report, bool& warned_copy) {
  Context& ctx = ws.context();
  FileSystem& fs = ctx.fs;
  fs::path final_dir = ws.inputs_dir() / locked.name;
  fs::path temp = ws.inputs_dir() / (".tmp-" + locked.name + "-" + random_tag());
  REEL_TRY(fs.create_directories(temp));
  auto fail = [&](const Error& e) {
    (void)fs.remove_all(temp);
    return tl::unexpected(e);
  };
  if (auto st = fs.write_file_atomic(temp / "asset.toml", package.manifest_text, false); !st)
    return fail(st.error());
  if (auto st = fs.set_mode(temp / "asset.toml", 0444); !st) return fail(st.error());
  std::vector<Placement> files;
  std::set<fs::path> dirs;
  for (const auto& f : package.files) {
    fs::path dest = temp / f.path;
    if (dirs.insert(dest.parent_path()).second) {
      if (auto st = fs.create_directories(dest.parent_path()); !st) return fail(st.error());
    }
    files.push_back(Placement{&f, dest});
  }
  if (auto st = place_files(ws, locked.name, files, report, warned_copy); !st)
    return fail(st.error());
  auto st = fs.stat(final_dir);
  if (!st) return fail(st.error());
  fs::path old = ws.inputs_dir() / (".old-" + locked.name + "-" + random_tag());
  if (st->type != FileType::kMissing) {
    if (auto r = fs.rename(final_dir, old); !r) return fail(r.error());
  }
  if (auto r = fs.rename(temp, final_dir); !r) return fail(r.error());
  if (st->type != FileType::kMissing) REEL_TRY(fs.remove_all(old));
  return ok();
}

// The package installed before, read back from the cache's archive (nullopt if it is not there
// or unreadable: the caller installs afresh).
std::optional<BuiltPackage> cached_package(Workspace& ws, const std::string& archive_hex) {
  auto digest = Digest::from_hex(archive_hex);
  if (!digest) return std::nullopt;
  auto bytes = ws.context().fs.read_file(ws.context().cache.archives().object_path(*digest),
                                         kMaxArchiveBytes);
  if (!bytes || sha256_bytes(*bytes) != *digest) return std::nullopt;
  auto package = read_package(*bytes, archive_hex);
  if (!package) return std::nullopt;
  return std::move(*package);
}


// Moves inputs/NAME from `old` to `package` touching only what differs (a re-render of 3 frames
// of 1,095 replaces 3 files): changed files are placed under a temp name and renamed over the old
// ones, removed ones deleted, asset.toml rewritten if it changed. The caller has marked the
// package as not installed first, so an interruption leaves a state the next sync reinstalls from
// scratch. Returns false, having touched nothing, when the update cannot be done in place.
Result<bool> update_in_place(Workspace& ws, const LockedPackage& locked, const BuiltPackage& old,
                             const BuiltPackage& package, SyncReport& report, bool& warned_copy) {
  FileSystem& fs = ws.context().fs;
  const fs::path root = ws.inputs_dir() / locked.name;
  std::map<std::string, const FileEntry*> before, after;
  for (const auto& f : old.files) before[f.path] = &f;
  for (const auto& f : package.files) after[f.path] = &f;
  if (kinds_clash(before, after) || kinds_clash(after, before)) return false;
  std::vector<Placement> changed;
  for (const auto& [path, f] : after) {
    auto it = before.find(path);
    bool same = it != before.end() && it->second->symlink == f->symlink &&
                (f->symlink || (it->second->sha256 == f->sha256 &&
                                it->second->executable == f->executable));
    if (same) continue;
    fs::path dest = root / path;
    REEL_TRY(fs.create_directories(dest.parent_path()));
    changed.push_back(Placement{f, dest, it != before.end()});
  }
  REEL_TRY(place_files(ws, locked.name, changed, report, warned_copy));
  for (const auto& [path, f] : before) {
    if (after.count(path)) continue;
    REEL_TRY(fs.remove(root / path));
    // Folders left empty go too (a failing remove means the folder still holds something).
    for (fs::path dir = (root / path).parent_path(); dir != root; dir = dir.parent_path()) {
      auto entries = fs.list_dir(dir);
      if (!entries || !entries->empty()) break;
      REEL_TRY(fs.remove(dir));
    }
  }
  if (old.manifest_text != package.manifest_text) {
    REEL_TRY(fs.write_file_atomic(root / "asset.toml", package.manifest_text, false));
    REEL_TRY(fs.set_mode(root / "asset.toml", 0444));
  }
  return true;
}

void add_package_dirs(Workspace& ws, const LockedPackage& locked, const BuiltPackage& package,
                      std::set<fs::path>& dirs) {
  const fs::path root = ws.inputs_dir() / locked.name;
  std::set<fs::path> mine{ws.inputs_dir(), root};
  for (const auto& f : package.files) {
    for (fs::path d = (root / f.path).parent_path(); d != root; d = d.parent_path()) {
      if (!mine.insert(d).second) break;  // and its parents, already there
    }
  }
  for (const auto& d : mine) {
    if (dirs.count(d)) continue;
    // A folder an in-place update emptied and removed is gone: nothing to sync there.
    auto st = ws.context().fs.stat(d);
    if (st && st->type == FileType::kDirectory) dirs.insert(d);
  }
}

// Removes what an interrupted sync left in inputs/: the temp folder of a fresh install
// (".tmp-NAME-TAG") and a replaced version not yet deleted (".old-NAME-TAG"). Package names
// cannot start with '.', so these names are reel's own. The caller holds the workspace's sync
// lock, so no running sync owns them. (A package interrupted mid-update holds ".reel-tmp-" files;
// installed.json marks it not installed, so it is reinstalled from scratch and they go with it.)
Status remove_leftovers(Workspace& ws) {
  FileSystem& fs = ws.context().fs;
  auto entries = fs.list_dir(ws.inputs_dir());
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    if (e.name.rfind(".tmp-", 0) != 0 && e.name.rfind(".old-", 0) != 0) continue;
    fs::path path = ws.inputs_dir() / e.name;
    if (auto st = fs.remove_all(path); !st)
      return tl::unexpected(st.error().with_context("removing what an interrupted sync left"));
  }
  return ok();
}

Status record_package(Workspace& ws, const std::string& key, const LockedPackage& locked,
                      const BuiltPackage& package, InstalledFiles& records) {
  FileSystem& fs = ws.context().fs;
  const fs::path root = ws.inputs_dir() / locked.name;
  std::map<std::string, InstalledFiles::Record> files;
  auto add = [&](const std::string& path) -> Status {
    auto st = fs.stat(root / path);
    if (!st) return tl::unexpected(st.error());
    files[path] = InstalledFiles::of(*st);
    return ok();
  };
  REEL_TRY(add("asset.toml"));
  for (const auto& f : package.files) REEL_TRY(add(f.path));
  records.set_package(key, std::move(files));
  return ok();
}

Result<std::optional<std::vector<std::string>>> changed_files(Workspace& ws,
                                                              const std::string& key,
                                                              const std::string& name,
                                                              const InstalledFiles& records) {
  const auto* recorded = records.package(key);
  if (!recorded) return std::optional<std::vector<std::string>>();
  FileSystem& fs = ws.context().fs;
  const fs::path root = ws.inputs_dir() / name;
  std::vector<std::string> changed;
  for (const auto& [path, record] : *recorded) {
    auto st = fs.stat(root / path);
    if (!st) return tl::unexpected(st.error());
    if (!InstalledFiles::matches(record, *st)) changed.push_back(path);
  }
  return std::optional<std::vector<std::string>>(std::move(changed));
}

Status repair_files(Workspace& ws, const std::string& key, const LockedPackage& locked,
                    const BuiltPackage& package, const std::vector<std::string>& paths,
                    SyncReport& report, bool& warned_copy, InstalledFiles& records) {
  FileSystem& fs = ws.context().fs;
  const fs::path root = ws.inputs_dir() / locked.name;
  std::map<std::string, const FileEntry*> by_path;
  for (const auto& f : package.files) by_path[f.path] = &f;
  std::vector<const FileEntry*> entries;
  bool manifest = false;
  for (const auto& p : paths) {
    if (p == "asset.toml") {
      manifest = true;
    } else if (auto it = by_path.find(p); it != by_path.end()) {
      entries.push_back(it->second);
    }
  }
  REEL_TRY(prepare_files(ws, locked, entries, report));
  std::vector<Placement> placements;
  for (const FileEntry* f : entries) {
    fs::path dest = root / f->path;
    REEL_TRY(fs.create_directories(dest.parent_path()));
    auto st = fs.stat(dest);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kDirectory) REEL_TRY(fs.remove_all(dest));  // replaced by a folder
    placements.push_back(Placement{f, dest, st->type != FileType::kMissing &&
                                                st->type != FileType::kDirectory});
  }
  REEL_TRY(place_files(ws, locked.name, placements, report, warned_copy));
  if (manifest) {
    (void)fs.set_mode(root / "asset.toml", 0644);
    REEL_TRY(fs.write_file_atomic(root / "asset.toml", package.manifest_text, false));
    REEL_TRY(fs.set_mode(root / "asset.toml", 0444));
  }
  for (const auto& p : paths) {
    if (p != "asset.toml" && !by_path.count(p)) continue;
    auto st = fs.stat(root / p);
    if (!st) return tl::unexpected(st.error());
    records.set_file(key, p, InstalledFiles::of(*st));
    report.repaired.push_back("inputs/" + locked.name + "/" + p);
  }
  return ok();
}

}  // namespace reel
