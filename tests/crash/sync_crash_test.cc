// Crash sweeps of `reel sync --frozen`: a fresh install into an empty cache and workspace, and an
// in-place update of an installed version to the next.
#include <gtest/gtest.h>

#include <set>

#include "installed_files.h"  // workspace/src: what the next sync trusts
#include "reel/engine/names.h"
#include "reel/workspace/gc.h"
#include "reel/workspace/install.h"
#include "sweep.h"

namespace reel::crash {
namespace {

Status sync_ws(World& w, FileSystem& fs) {
  Session s(fs, w.cache_dir());
  auto ws = Workspace::find(s.ctx, w.workspace("ws"));
  if (!ws) return tl::unexpected(ws.error());
  auto synced = sync_workspace(*ws, SyncMode::kFrozen, {});
  if (!synced) return tl::unexpected(synced.error());
  return ok();
}

// The versions a package may be found at: the one installed before (if any) and the locked one.
struct Versions {
  std::map<std::string, BuiltPackage> by_digest;  // archive hex -> package
  std::vector<LockedPackage> locked;
};

Versions versions(World& w, bool update) {
  Versions v;
  auto add = [&](const std::string& name, const char* version) {
    BuiltPackage p = w.package("blessed", name, Version::parse(version).value());
    v.by_digest.emplace(p.archive_digest.hex(), std::move(p));
  };
  add("Leg", "1.0.0");
  add("Table", "2.0.0");
  if (update) add("Table", "1.0.0");
  auto ws = Workspace::find(w.setup().ctx, w.workspace("ws")).value();
  v.locked = ws.read_lock().value().value().packages;
  return v;
}

// After a power loss: each locked package's folder is absent, not claimed by installed.json
// (the next sync installs it afresh), exactly the version it is claimed as, or differs from it
// only in files whose lstat no longer matches what sync recorded (the next sync places them
// again). Anything else would be trusted by the next sync while wrong.
void check_inputs_after_loss(World& w, const Versions& v) {
  Session s(w.real(), w.cache_dir());
  auto ws = Workspace::find(s.ctx, w.workspace("ws")).value();
  auto claims = read_installed(ws).value();
  auto records = InstalledFiles::load(w.real(), installed_files_path(ws.root())).value();
  for (const auto& locked : v.locked) {
    const std::string key = lower_name(locked.name);
    const fs::path dir = ws.inputs_dir() / locked.name;
    auto claim = claims.find(key);
    if (w.real().stat(dir).value().type != FileType::kDirectory || claim == claims.end()) continue;
    auto claimed = v.by_digest.find(claim->second);
    if (claimed == v.by_digest.end()) continue;  // "" (being updated): installed afresh next
    const BuiltPackage& p = claimed->second;
    const auto* recorded = records.package(key);
    if (!recorded) continue;  // no records: the next sync re-materialises it
    std::set<std::string> paths{"asset.toml"};
    for (const auto& f : p.files) paths.insert(f.path);
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      const std::string rel = it->path().lexically_relative(dir).string();
      if ((it->is_symlink() || !it->is_directory()) && !paths.count(rel))
        ADD_FAILURE() << dir << ": " << rel << " is not part of the claimed " << locked.name;
    }
    for (const std::string& path : paths) {
      if (!file_difference(w.real(), dir, p, path)) continue;
      auto r = recorded->find(path);
      auto st = w.real().stat(dir / path).value();
      if (r == recorded->end() || InstalledFiles::matches(r->second, st)) {
        ADD_FAILURE() << dir / path << " differs from the claimed " << locked.name << " "
                      << p.manifest.version.to_string() << " but the next sync would trust it";
      }
    }
  }
}

// After the re-run: inputs/ holds exactly the locked packages, claimed as such, the cache is
// whole, and a gc leaves no temp file or fetch lock in it.
void check_synced(World& w, const Versions& v, PowerLossModel model) {
  Session s(w.real(), w.cache_dir());
  auto ws = Workspace::find(s.ctx, w.workspace("ws")).value();
  auto claims = read_installed(ws).value();
  std::set<std::string> names;
  for (const auto& locked : v.locked) {
    names.insert(locked.name);
    const BuiltPackage& p = v.by_digest.at(locked.archive.hex());
    EXPECT_EQ(package_differences(w.real(), ws.inputs_dir() / locked.name, p),
              std::vector<std::string>{});
    EXPECT_EQ(claims[lower_name(locked.name)], locked.archive.hex());
  }
  std::set<std::string> here;
  for (const auto& e : std::vector<DirEntry>(w.real().list_dir(ws.inputs_dir()).value()))
    here.insert(e.name);
  EXPECT_EQ(here, names);
  EXPECT_EQ(claims.size(), names.size());
  // An object whose bytes a power loss took stays (refused by size) when no file of the
  // workspace needed it again: cache objects are never fsynced (decisions.md).
  EXPECT_EQ(cache_problems(w.real(), w.cache_dir(), model, w.object_sizes()),
            std::vector<std::string>{});
  auto gc = collect_garbage(s.ctx, {});
  ASSERT_TRUE(gc) << gc.error().message;
  EXPECT_EQ(temp_files(w.cache_dir()), std::vector<std::string>{});
  for (const auto& e : std::vector<DirEntry>(w.real().list_dir(w.cache_dir() / "locks").value()))
    EXPECT_NE(e.name.rfind("fetch-", 0), 0u) << e.name;
}

Operation sync_operation(bool update) {
  Operation op;
  op.name = update ? "sync (in-place update 1.0.0 -> 2.0.0)" : "sync (fresh install)";
  op.setup = [update](World& w) {
    w.init_repo("blessed");
    w.publish("blessed", "Leg", "1.0.0", leg_v1());
    w.publish("blessed", "Table", "1.0.0", table_v1(), "Leg = \"^1\"\n");
    w.publish("blessed", "Table", "2.0.0", table_v2(), "Leg = \"^1\"\n");
    if (update) {
      w.make_workspace("ws", {"blessed"}, {{"Table", "==1.0.0"}});
      w.sync("ws");
      w.relock("ws", {{"Table", "==2.0.0"}});
    } else {
      w.make_workspace("ws", {"blessed"}, {{"Table", "==2.0.0"}});
    }
  };
  op.run = sync_ws;
  op.check = [update](World& w, PowerLossModel model, bool complete) {
    const Versions v = versions(w, update);
    if (complete) {
      check_synced(w, v, model);
      return;
    }
    EXPECT_EQ(repo_problems(w.real(), w.repo("blessed")), std::vector<std::string>{});
    EXPECT_EQ(cache_problems(w.real(), w.cache_dir(), model, w.object_sizes()),
              std::vector<std::string>{});
    check_inputs_after_loss(w, v);
  };
  return op;
}

TEST(CrashSweep, SyncFreshInstall) { EXPECT_GT(sweep_both(sync_operation(false)), 10u); }

TEST(CrashSweep, SyncInPlaceUpdate) { EXPECT_GT(sweep_both(sync_operation(true)), 10u); }

}  // namespace
}  // namespace reel::crash
