#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "reel/engine/repo.h"
#include "reel/storage/testing.h"
#include "reel/workspace/environment.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/install.h"
#include "reel/workspace/outputs.h"
#include "reel/workspace/review.h"
#include "workspace_fixture.h"

namespace reel {
namespace {

constexpr auto write = testing::write_file;

TEST(WorkspaceConfig, RoundTripAndErrors) {
  auto c = parse_workspace_config(R"([workspace]
name = "sq010"
link-mode = "copy"
[[repo]]
name = "blessed"
url = "/studio/blessed"
blessed = true
[[repo]]
name = "review"
url = "https://assets.example/review"
default = true
[requirements]
KitchenSet = ">=1.2"
)",
                                  "workspace.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->link_mode, LinkMode::kCopy);
  EXPECT_EQ(c->default_repo()->name, "review");
  ASSERT_EQ(c->install_repos().size(), 1u);
  EXPECT_EQ(c->install_repos()[0]->name, "blessed");
  auto again = parse_workspace_config(serialize_workspace_config(*c), "again.toml");
  ASSERT_TRUE(again);
  EXPECT_EQ(serialize_workspace_config(*again), serialize_workspace_config(*c));
  for (auto bad :
       {"[workspace]\nlink-mode = \"teleport\"\n", "[requirements]\nTable = \">=1..2\"\n",
        "[[repo]]\nname = \"a\"\n", "[repos]\n"}) {
    auto r = parse_workspace_config(bad, "workspace.toml");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("workspace.toml"), std::string::npos) << r.error().message;
  }
}

TEST(Outputs, BumpVersionTable) {
  auto v = [](const char* t) { return Version::parse(t).value(); };
  EXPECT_EQ(bump_version(v("1.2.3"), BumpPart::kMajor).to_string(), "2.0.0");
  EXPECT_EQ(bump_version(v("1.2.3"), BumpPart::kMinor).to_string(), "1.3.0");
  EXPECT_EQ(bump_version(v("1.2.3"), BumpPart::kPatch).to_string(), "1.2.4");
  EXPECT_EQ(bump_version(v("1.2.4-1"), BumpPart::kPatch).to_string(), "1.2.4");
  EXPECT_EQ(bump_version(v("1.2.3"), BumpPart::kPre).to_string(), "1.2.4-0");
  EXPECT_EQ(bump_version(v("1.2.4-0"), BumpPart::kPre).to_string(), "1.2.4-1");
  EXPECT_EQ(bump_version(v("1.2.4-rc"), BumpPart::kPre).to_string(), "1.2.4-rc.0");
}

TEST(Inspect, RequirementsExportRoundTrip) {
  LockFile lock;
  lock.packages.push_back({"Table", Version(3, 2, 1), "blessed", sha256_bytes("t"), {}});
  WorkspaceConfig config;
  config.name = "sq010";
  std::string text = export_requirements(config, lock);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "# reel export requirements: workspace sq010, 1 packages");
  auto pins = parse_requirements_export(text, "requirements.txt").value();
  ASSERT_EQ(pins.size(), 1u);
  EXPECT_EQ(pins[0].archive, sha256_bytes("t"));
  auto bad = parse_requirements_export("Table>=1\n", "requirements.txt");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("requirements.txt:1"), std::string::npos);
}

// The audit actor: REEL_USER, else git's author environment (as git commit uses it), before the
// git config and the login name.
TEST_F(WorkspaceFixture, AuditActorTakesGitsAuthorEnvironment) {
  ctx.environment = {{"GIT_AUTHOR_NAME", "Jade Doe"}, {"GIT_AUTHOR_EMAIL", "jade@studio"},
                     {"USER", "login"}};
  EXPECT_EQ(audit_actor(ctx), "Jade Doe <jade@studio>");
  ctx.environment.erase("GIT_AUTHOR_EMAIL");
  EXPECT_EQ(audit_actor(ctx), "Jade Doe");
  ctx.environment["REEL_USER"] = "Rita";
  EXPECT_EQ(audit_actor(ctx), "Rita");
}

TEST_F(WorkspaceFixture, SyncInstallsReadOnlyAndTouchesOnlyWhatChanged) {
  Workspace ws = make("ws");
  ws.config().requirements = {{"Lamp", "*"}, {"Table", "^1"}};
  ASSERT_TRUE(ws.save_config());
  auto report = sync_workspace(ws, SyncMode::kResolveIfNeeded, {}).value();
  EXPECT_EQ(report.installed.size(), 3u);
  fs::path obj = ws.inputs_dir() / "Table" / "model.obj";
  EXPECT_EQ(fs->read_file(obj).value(), "table-v1");
  EXPECT_EQ(fs->stat(obj).value().mode & 0222, 0u);  // read-only
  write(ws.inputs_dir() / "notes.txt", "mine");      // not reel's: must survive
  auto again = sync_workspace(ws, SyncMode::kResolveIfNeeded, {}).value();
  EXPECT_TRUE(again.installed.empty());
  EXPECT_EQ(again.unchanged, 3u);
  // Dropping Lamp removes inputs/Lamp only.
  ws.config().requirements = {{"Table", "^1"}};
  ASSERT_TRUE(ws.save_config());
  auto locked = sync_workspace(ws, SyncMode::kLocked, {});
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kConflict);
  auto dropped = sync_workspace(ws, SyncMode::kResolveIfNeeded, {}).value();
  ASSERT_EQ(dropped.removed.size(), 1u);
  EXPECT_EQ(dropped.removed[0], "Lamp");
  EXPECT_EQ(fs->stat(ws.inputs_dir() / "Lamp").value().type, FileType::kMissing);
  EXPECT_EQ(fs->read_file(ws.inputs_dir() / "notes.txt").value(), "mine");
  EXPECT_TRUE(verify_inputs(ws, ws.read_lock().value().value()).value().empty());
  auto lock = ws.read_lock().value().value();
  auto env = workspace_environment(ws, &lock).value();
  ASSERT_GE(env.touched.size(), 4u);
  EXPECT_EQ(env.touched[2], "Leg_ROOT");  // dependencies before dependents
  EXPECT_EQ(env.variables.at("Table_ROOT"), (ws.inputs_dir() / "Table").string());
}

TEST_F(WorkspaceFixture, LockPrefersLockedVersionsUntilUpgrade) {
  Workspace ws = make("ws");
  ws.config().requirements = {{"Table", "^1"}};
  ASSERT_TRUE(ws.save_config());
  ASSERT_TRUE(lock_workspace(ws, {}).value().lock);
  ws.config().requirements = {{"table", "*"}};  // names compare case-insensitively
  ASSERT_TRUE(ws.save_config());
  auto kept = lock_workspace(ws, {}).value();
  EXPECT_EQ(kept.lock->find("Table")->version.to_string(), "1.0.0");
  LockOptions upgrade;
  upgrade.upgrade.insert("Table");
  auto upgraded = lock_workspace(ws, upgrade).value();
  EXPECT_EQ(upgraded.lock->find("Table")->version.to_string(), "2.0.0");
}

TEST_F(WorkspaceFixture, UnsolvableLeavesLockUntouched) {
  Workspace ws = make("ws");
  ws.config().requirements = {{"Table", "^1"}};
  ASSERT_TRUE(ws.save_config());
  ASSERT_TRUE(lock_workspace(ws, {}).value().lock);
  std::string before = fs->read_file(ws.lock_path()).value();
  ws.config().requirements = {{"Table", ">=3"}};
  ASSERT_TRUE(ws.save_config());
  auto outcome = lock_workspace(ws, {}).value();
  EXPECT_FALSE(outcome.lock);
  EXPECT_EQ(
      outcome.explanation,
      "Because no versions of Table match >=3.0.0 and the workspace depends on Table >=3.0.0, "
      "version solving failed.");
  EXPECT_EQ(fs->read_file(ws.lock_path()).value(), before);
}

TEST_F(WorkspaceFixture, FrozenSyncNeedsOnlyTheLockAndRefetchesDamagedCacheObjects) {
  Workspace ws = make("ws");
  ws.config().requirements = {{"Table", "^1"}};
  ASSERT_TRUE(ws.save_config());
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kResolveIfNeeded, {}));
  Workspace farm = make("farm");
  ASSERT_TRUE(
      fs->write_file_atomic(farm.lock_path(), fs->read_file(ws.lock_path()).value(), false));
  fs::path cached = cache.objects().object_path(sha256_bytes("table-v1"));
  chmod(cached.c_str(), 0644);
  write(cached, "table-v1 but longer");
  auto report = sync_workspace(farm, SyncMode::kFrozen, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(fs->read_file(farm.inputs_dir() / "Table" / "model.obj").value(), "table-v1");
  ASSERT_EQ(reporter.warnings.size(), 1u);
  EXPECT_NE(reporter.warnings[0].find("is damaged"), std::string::npos);
}

TEST_F(WorkspaceFixture, OutputsNewBumpPublishAndDirtyCheck) {
  Workspace ws = make("ws");
  ASSERT_TRUE(new_output(ws, "Chair", NewOutputOptions{"prop", Version(0, 1, 0)}));
  auto source = output_source(ws, "Chair").value();
  EXPECT_FALSE(source.dirty);
  EXPECT_EQ(source.commit.size(), 40u);
  write(ws.outputs_dir() / "Chair" / "chair.obj", "v 0 0 0\n");
  EXPECT_TRUE(output_source(ws, "Chair").value().dirty);
  auto refused = publish_output(ws, "Chair", std::nullopt, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(fs->stat(dir.path() / "repo" / "index" / "chair.json").value().type,
            FileType::kMissing);
  EXPECT_EQ(bump_output(ws, "Chair", BumpPart::kMinor).value().to_string(), "0.2.0");
  auto published = publish_output(ws, "Chair", std::nullopt, true).value();
  EXPECT_FALSE(published.already_published);
  EXPECT_EQ(published.version.to_string(), "0.2.0");
  EXPECT_TRUE(publish_output(ws, "Chair", std::nullopt, true).value().already_published);
  // edit gives back the published files as a fresh git working tree.
  Workspace other = make("other");
  EXPECT_EQ(edit_output(other, "chair", std::nullopt, std::nullopt).value().to_string(), "0.2.0");
  EXPECT_EQ(fs->read_file(other.outputs_dir() / "Chair" / "chair.obj").value(), "v 0 0 0\n");
  EXPECT_FALSE(output_source(other, "Chair").value().dirty);
}

}  // namespace
}  // namespace reel
