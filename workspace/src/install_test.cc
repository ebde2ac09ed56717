// Lock and sync against real folder repos in temp dirs (install.h).
#include "reel/workspace/install.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <map>

#include "reel/storage/fault_injection.h"
#include "reel/workspace/inspect.h"
#include "workspace_fixture.h"

namespace reel {
namespace {

constexpr auto write = testing::write_file;

bool exists(FileSystem& fs, const fs::path& p) {
  return fs.stat(p).value().type != FileType::kMissing;
}

TEST_F(WorkspaceFixture, HardLinkModeLinksReadOnlyCacheObjects) {
  Workspace ws = make("ws", LinkMode::kHardlink);
  require(ws, {{"Lamp", "*"}});
  auto report = sync_workspace(ws, SyncMode::kResolveIfNeeded, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->link_mode, LinkMode::kHardlink);
  EXPECT_EQ(report->files, 1u);
  EXPECT_EQ(report->bytes, 4u);
  struct stat in {
  }, cached{};
  ASSERT_EQ(::stat((ws.inputs_dir() / "Lamp" / "model.obj").c_str(), &in), 0);
  ASSERT_EQ(::stat(cache.objects().object_path(sha256_bytes("lamp")).c_str(), &cached), 0);
  EXPECT_EQ(in.st_ino, cached.st_ino);
  EXPECT_EQ(in.st_mode & 0222, 0u);
  EXPECT_EQ(fs->stat(ws.inputs_dir() / "Lamp" / "asset.toml").value().mode & 0222, 0u);
  // inputs/Lamp holds asset.toml and the content files, nothing else.
  auto names = fs->list_dir(ws.inputs_dir() / "Lamp").value();
  ASSERT_EQ(names.size(), 2u);
  // No temp folders are left in inputs/.
  auto entries = fs->list_dir(ws.inputs_dir()).value();
  for (const auto& e : entries) EXPECT_NE(e.name[0], '.') << e.name;
}

TEST_F(WorkspaceFixture, ManyFilesAreMaterialisedOnTwoThreads) {
  std::vector<std::pair<std::string, std::string>> frames;
  for (int i = 0; i < 100; ++i) {
    frames.emplace_back("frames/f." + std::to_string(1000 + i) + ".exr",
                        "frame " + std::to_string(i));
  }
  publish("Seq", "1.0.0", "", "seq", "repo", frames);
  Workspace ws = make("ws");
  require(ws, {{"Seq", "*"}});
  auto report = sync_workspace(ws, SyncMode::kResolveIfNeeded, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->files, 101u);
  for (int i : {0, 37, 99}) {
    EXPECT_EQ(fs->read_file(ws.inputs_dir() / "Seq" / "frames" /
                            ("f." + std::to_string(1000 + i) + ".exr"))
                  .value(),
              "frame " + std::to_string(i));
  }
  EXPECT_TRUE(verify_inputs(ws, ws.read_lock().value().value()).value().empty());
}

TEST_F(WorkspaceFixture, FetchingReportsBytesAndFilesUntilFinished) {
  std::vector<std::pair<std::string, std::string>> frames;
  std::uint64_t frame_bytes = 0;
  for (int i = 0; i < 40; ++i) {
    frames.emplace_back("frames/f." + std::to_string(1000 + i) + ".exr",
                        std::string(1000 + i, static_cast<char>('a' + i % 26)));
    frame_bytes += 1000 + i;
  }
  publish("Seq", "1.0.0", "", "seq", "repo", frames);
  Workspace ws = make("ws");
  require(ws, {{"Seq", "*"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  std::lock_guard<std::mutex> hold(reporter.mutex);
  const auto& t = reporter.transfers;
  ASSERT_GE(t.size(), 2u);  // some progress, then the end
  EXPECT_EQ(t.back().what, "fetching Seq 1.0.0 from blessed");
  EXPECT_TRUE(t.back().finished);
  EXPECT_EQ(t.back().files_total, 41u);  // 40 frames and model.obj
  EXPECT_EQ(t.back().files, 41u);
  EXPECT_EQ(t.back().bytes_total, frame_bytes + 3);  // "seq"
  EXPECT_EQ(t.back().bytes, t.back().bytes_total);
  for (std::size_t i = 1; i < t.size(); ++i) {  // counts only grow, never past the totals
    EXPECT_GE(t[i].files, t[i - 1].files);
    EXPECT_LE(t[i].bytes, t[i].bytes_total);
  }
}

TEST_F(WorkspaceFixture, CorruptRepoObjectIsRefusedAndNothingIsMaterialised) {
  Workspace ws = make("ws");
  require(ws, {{"Lamp", "*"}, {"Table", "^1"}});
  // Damage Table's object in the repo (same size, other bytes) before anything is cached.
  Digest table = sha256_bytes("table-v1");
  fs::path object =
      dir.path() / "repo" / "objects" / "sha256" / table.hex().substr(0, 2) / table.hex().substr(2);
  ASSERT_TRUE(exists(*fs, object));
  chmod(object.c_str(), 0644);
  write(object, "TABLE-V1");
  auto report = sync_workspace(ws, SyncMode::kResolveIfNeeded, {});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kCorruption);
  const std::string& m = report.error().message;
  EXPECT_NE(m.find("Table 1.0.0"), std::string::npos) << m;
  EXPECT_NE(m.find("model.obj"), std::string::npos) << m;
  EXPECT_NE(m.find(table.hex()), std::string::npos) << m;
  EXPECT_FALSE(exists(*fs, cache.objects().object_path(table)));
  // Every package is prepared before inputs/ changes: not even Lamp was installed.
  EXPECT_TRUE(fs->list_dir(ws.inputs_dir()).value().empty());
}

TEST_F(WorkspaceFixture, ChangingTheLockReplacesOnlyTheChangedPackage) {
  Workspace ws = make("ws");
  require(ws, {{"Lamp", "*"}, {"Table", "^1"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  struct stat lamp_before {};
  ASSERT_EQ(::stat((ws.inputs_dir() / "Lamp" / "model.obj").c_str(), &lamp_before), 0);
  require(ws, {{"Lamp", "*"}, {"Table", "^2"}});
  auto report = sync_workspace(ws, SyncMode::kResolveIfNeeded, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->installed, std::vector<std::string>{"Table 2.0.0"});
  EXPECT_TRUE(report->removed.empty());
  EXPECT_EQ(report->unchanged, 2u);  // Lamp and Leg
  EXPECT_EQ(fs->read_file(ws.inputs_dir() / "Table" / "model.obj").value(), "table-v2");
  struct stat lamp_after {};
  ASSERT_EQ(::stat((ws.inputs_dir() / "Lamp" / "model.obj").c_str(), &lamp_after), 0);
  EXPECT_EQ(lamp_before.st_ino, lamp_after.st_ino);
  EXPECT_EQ(lamp_before.st_mtime, lamp_after.st_mtime);
}

// Two versions of a 200-frame shot: 1.1.0 re-renders frames 50, 120 and 200, drops old/only.txt
// and adds new/added.txt.
struct ShotVersions {
  static std::string frame(int i) {
    char name[32];
    std::snprintf(name, sizeof name, "renders/frame.%04d.exr", i);
    return name;
  }
  static std::vector<std::pair<std::string, std::string>> files(bool second) {
    std::vector<std::pair<std::string, std::string>> out;
    for (int i = 1; i <= 200; ++i) {
      bool rerendered = second && (i == 50 || i == 120 || i == 200);
      out.emplace_back(frame(i), (rerendered ? "re-render " : "frame ") + std::to_string(i));
    }
    out.emplace_back(second ? "new/added.txt" : "old/only.txt", second ? "added" : "only");
    return out;
  }
};

std::map<std::string, ino_t> inodes_under(const fs::path& root) {
  std::map<std::string, ino_t> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) {
      struct stat st {};
      ::stat(e.path().c_str(), &st);
      out[fs::relative(e.path(), root).string()] = st.st_ino;
    }
  }
  return out;
}

TEST_F(WorkspaceFixture, ANewVersionReplacesOnlyTheFilesThatChanged) {
  publish("Shot", "1.0.0", "", "shot", "repo", ShotVersions::files(false));
  publish("Shot", "1.1.0", "", "shot", "repo", ShotVersions::files(true));
  Workspace ws = make("ws", LinkMode::kHardlink);
  require(ws, {{"Shot", "==1.0.0"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  const fs::path shot = ws.inputs_dir() / "Shot";
  auto before = inodes_under(shot);
  require(ws, {{"Shot", "==1.1.0"}});
  auto report = sync_workspace(ws, SyncMode::kResolveIfNeeded, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->installed, std::vector<std::string>{"Shot 1.1.0"});
  EXPECT_EQ(report->files, 4u);  // three frames and the added file
  auto after = inodes_under(shot);
  std::vector<std::string> touched;
  for (const auto& [path, ino] : after) {
    auto it = before.find(path);
    if (it == before.end() || it->second != ino) touched.push_back(path);
  }
  EXPECT_EQ(touched, (std::vector<std::string>{"asset.toml", "new/added.txt",
                                               "renders/frame.0050.exr", "renders/frame.0120.exr",
                                               "renders/frame.0200.exr"}));
  EXPECT_FALSE(exists(*fs, shot / "old"));  // its only file went, and the folder with it
  EXPECT_EQ(fs->read_file(shot / "renders" / "frame.0120.exr").value(), "re-render 120");
  EXPECT_NE(fs->read_file(shot / "asset.toml").value().find("1.1.0"), std::string::npos);
  EXPECT_EQ(fs->list_dir(shot / "renders").value().size(), 200u);  // no temp file left
  EXPECT_TRUE(verify_inputs(ws, ws.read_lock().value().value()).value().empty());
}

TEST_F(WorkspaceFixture, AnInterruptedInPlaceUpdateIsRedoneFromScratch) {
  publish("Shot", "1.0.0", "", "shot", "repo", ShotVersions::files(false));
  publish("Shot", "1.1.0", "", "shot", "repo", ShotVersions::files(true));
  Workspace ws = make("ws", LinkMode::kHardlink);
  require(ws, {{"Shot", "==1.0.0"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  require(ws, {{"Shot", "==1.1.0"}});
  ASSERT_TRUE(lock_workspace(ws, {}));
  // A process dying at each rename in turn (the second frame's, ...): inputs/ is left half
  // updated; the next sync must still end with exactly 1.1.0.
  for (std::uint64_t n : {2, 3, 4}) {
    FaultInjectingFileSystem faulty(*fs);
    // Without the index cache, whose best-effort writes (temp + rename) would take the renames
    // this test counts: it counts sync's own.
    Context crashing{faulty, clock, cache, reporter, {{"REEL_INDEX_CACHE", "off"}}};
    auto crashed_ws = Workspace::find(crashing, ws.root());
    ASSERT_TRUE(crashed_ws) << crashed_ws.error().message;
    faulty.fail_nth_rename(n);
    auto crashed = sync_workspace(*crashed_ws, SyncMode::kFrozen, {});
    ASSERT_FALSE(crashed) << "rename " << n;
    auto again = sync_workspace(ws, SyncMode::kFrozen, {});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(verify_inputs(ws, ws.read_lock().value().value()).value().empty()) << n;
    EXPECT_FALSE(exists(*fs, ws.inputs_dir() / "Shot" / "old"));
    // Back to 1.0.0 for the next round.
    require(ws, {{"Shot", "==1.0.0"}});
    ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
    require(ws, {{"Shot", "==1.1.0"}});
    ASSERT_TRUE(lock_workspace(ws, {}));
  }
}

TEST_F(WorkspaceFixture, WhatAKilledSyncLeftInInputsIsRemovedByTheNextSync) {
  Workspace ws = make("ws");
  require(ws, {{"Lamp", "*"}});
  ASSERT_TRUE(lock_workspace(ws, {}));
  // What kill -9 leaves: a fresh install's temp folder with a temp file deep inside, and a
  // replaced version whose removal never ran (read-only files, like any installed package).
  fs::path tmp = ws.inputs_dir() / ".tmp-Lamp-3f2a9c01";
  fs::path old = ws.inputs_dir() / ".old-Lamp-77aa0b12";
  write(tmp / "renders" / ".tmp-18528-f4011c58b68fe0b7", "half a frame");
  write(old / "asset.toml", "[asset]\n");
  ASSERT_TRUE(fs->set_mode(old / "asset.toml", 0444));
  write(ws.inputs_dir() / "notes.txt", "the user's own file");  // not reel's: left alone
  auto report = sync_workspace(ws, SyncMode::kFrozen, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(exists(*fs, tmp));
  EXPECT_FALSE(exists(*fs, old));
  EXPECT_EQ(fs->read_file(ws.inputs_dir() / "notes.txt").value(), "the user's own file");
  EXPECT_TRUE(verify_inputs(ws, ws.read_lock().value().value()).value().empty());
}

TEST_F(WorkspaceFixture, FrozenSyncWithoutALockFailsAndLockedNeedsAFreshLock) {
  Workspace ws = make("ws");
  auto frozen = sync_workspace(ws, SyncMode::kFrozen, {});
  ASSERT_FALSE(frozen);
  EXPECT_EQ(frozen.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(exists(*fs, ws.lock_path()));
  require(ws, {{"Lamp", "*"}});
  auto locked = sync_workspace(ws, SyncMode::kLocked, {});
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(lock_workspace(ws, {}).value().lock);
  auto ok = sync_workspace(ws, SyncMode::kLocked, {});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->installed, std::vector<std::string>{"Lamp 1.0.0"});
}

TEST_F(WorkspaceFixture, UnsolvableSyncReturnsTheExplanationAndKeepsTheLock) {
  Workspace ws = make("ws");
  require(ws, {{"Table", "^1"}});
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  std::string before = fs->read_file(ws.lock_path()).value();
  require(ws, {{"Table", "^1"}, {"Leg", ">=2"}});
  auto report = sync_workspace(ws, SyncMode::kResolveIfNeeded, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_NE(report->explanation.find("Leg"), std::string::npos) << report->explanation;
  EXPECT_TRUE(report->installed.empty());
  EXPECT_EQ(fs->read_file(ws.lock_path()).value(), before);
  EXPECT_EQ(fs->read_file(ws.inputs_dir() / "Table" / "model.obj").value(), "table-v1");
}

TEST_F(WorkspaceFixture, OutputsAddTheirDependenciesAndEditGroup) {
  Workspace ws = make("ws");
  write(ws.outputs_dir() / "Chair" / "asset.toml",
        "[asset]\nname = \"Chair\"\nversion = \"0.1.0\"\n[dependencies]\nLamp = \"*\"\n"
        "[dependency-groups]\nedit = { Leg = \"^1\" }\nbuild = { Table = \"^2\" }\n");
  write(ws.outputs_dir() / "notes" / "readme.txt", "not an output");
  auto lock = lock_workspace(ws, {}).value().lock.value();
  std::vector<std::string> names;
  for (const auto& p : lock.packages) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Lamp", "Leg"}));
  EXPECT_FALSE(lock_is_stale(ws, lock, {}).value());
  LockOptions build;
  build.groups = {"build"};
  EXPECT_TRUE(lock_is_stale(ws, lock, build).value());  // Table is not locked
  auto with_build = lock_workspace(ws, build).value().lock.value();
  ASSERT_NE(with_build.find("table"), nullptr);
  EXPECT_EQ(with_build.find("table")->version.to_string(), "2.0.0");
  // An output's new dependency makes the lock stale even though [requirements] did not change.
  write(ws.outputs_dir() / "Chair" / "asset.toml",
        "[asset]\nname = \"Chair\"\nversion = \"0.1.0\"\n[dependencies]\nLamp = \">=2\"\n");
  EXPECT_TRUE(lock_is_stale(ws, with_build, {}).value());
}

TEST_F(WorkspaceFixture, SourcesPinANameToOneRepo) {
  ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "review", "review"));
  publish("Lamp", "9.0.0", "", "lamp-review", "review");
  publish("Leg", "5.0.0", "", "leg-review", "review");
  Workspace ws = make("ws");
  ws.config().repos.push_back({"review", (dir.path() / "review").string(), false, true, ""});
  require(ws, {{"Lamp", "*"}, {"Leg", "*"}});
  auto plain = lock_workspace(ws, {}).value().lock.value();
  EXPECT_EQ(plain.find("Lamp")->version.to_string(), "1.0.0");  // review is not an install repo
  EXPECT_EQ(plain.find("Lamp")->repo, "blessed");
  ws.config().sources = {{"lamp", "review"}};
  ASSERT_TRUE(ws.save_config());
  EXPECT_TRUE(lock_is_stale(ws, plain, {}).value());
  auto pinned = lock_workspace(ws, {}).value().lock.value();
  EXPECT_EQ(pinned.find("Lamp")->version.to_string(), "9.0.0");
  EXPECT_EQ(pinned.find("Lamp")->repo, "review");
  EXPECT_EQ(pinned.find("Leg")->version.to_string(), "1.0.0");  // unpinned: blessed only
  EXPECT_FALSE(lock_is_stale(ws, pinned, {}).value());
  auto report = sync_workspace(ws, SyncMode::kFrozen, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(fs->read_file(ws.inputs_dir() / "Lamp" / "model.obj").value(), "lamp-review");
}

}  // namespace
}  // namespace reel
