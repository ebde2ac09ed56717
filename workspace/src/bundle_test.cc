// Bundles against real folder repos and caches in temp dirs (bundle.h): a round trip to a farm
// with no repo, determinism, and every refusal (tampered object, unsafe or foreign entries,
// truncated bytes, a failed write leaving nothing behind).
#include "reel/workspace/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "reel/storage/fault_injection.h"
#include "reel/storage/tar_stream.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/install.h"
#include "workspace_fixture.h"

namespace reel {
namespace {

bool exists(FileSystem& fs, const fs::path& p) {
  return fs.stat(p).value().type != FileType::kMissing;
}

// Every member of a tar.zst as (path, bytes), in order.
std::vector<std::pair<std::string, std::string>> members_of(FileSystem& fs, const fs::path& file) {
  std::vector<std::pair<std::string, std::string>> out;
  auto reader = TarReader::open(fs.open_read(file).value()).value();
  for (;;) {
    auto m = reader->next().value();
    if (!m) break;
    std::string data(m->size, '\0');
    std::size_t got = 0;
    while (got < data.size()) got += reader->read(data.data() + got, data.size() - got).value();
    out.emplace_back(m->path, std::move(data));
  }
  return out;
}

// Writes members with libarchive directly (so paths TarWriter would refuse can be written);
// `symlink` names a member to store as a symbolic link instead.
void write_raw_tar(const fs::path& file, const std::vector<std::pair<std::string, std::string>>& ms,
                   const std::string& symlink = "") {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_zstd(a);
  ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK);
  for (const auto& [path, data] : ms) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, path.c_str());
    if (path == symlink) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_copy_symlink(e, "/etc/passwd");
      archive_entry_set_size(e, 0);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    }
    archive_entry_set_perm(e, 0644);
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (path != symlink && !data.empty()) archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

struct BundleTest : WorkspaceFixture {
  // A workspace "ws" locked to Table 1.0.0, Leg 1.0.0 and Lamp 1.0.0 (nothing synced: the cache
  // is cold).
  Workspace locked_workspace() {
    Workspace ws = make("ws");
    ws.config().requirements = {{"Lamp", "*"}, {"Table", "^1"}};
    EXPECT_TRUE(ws.save_config());
    auto outcome = lock_workspace(ws, {});
    EXPECT_TRUE(outcome && outcome->lock);
    return ws;
  }

  fs::path exported() {
    Workspace ws = locked_workspace();
    fs::path out = dir.path() / "job.tar.zst";
    auto report = export_bundle(ws, out);
    EXPECT_TRUE(report) << report.error().message;
    return out;
  }

  // A fresh cache and context, as on a farm node.
  struct Farm {
    Farm(FileSystem& fs, Clock& clock, Reporter& reporter, const fs::path& root)
        : cache(fs, root), ctx{fs, clock, cache, reporter, {}} {}
    Cache cache;
    Context ctx;
  };
  std::unique_ptr<Farm> farm(const std::string& name) {
    return std::make_unique<Farm>(*fs, clock, reporter, dir.path() / name);
  }

  // Rewrites a bundle member by member; `change` may replace a member's bytes or drop it.
  fs::path rewritten(const fs::path& bundle,
                     const std::function<std::optional<std::string>(
                         const std::string& path, const std::string& data)>& change) {
    fs::path out = dir.path() / "changed.tar.zst";
    auto temp = fs->create_temp(dir.path()).value();
    auto writer = TarWriter::open(*temp).value();
    for (const auto& [path, data] : members_of(*fs, bundle)) {
      if (auto d = change(path, data)) {
        EXPECT_TRUE(writer->add(path, *d));
      }
    }
    EXPECT_TRUE(writer->close());
    EXPECT_TRUE(temp->commit(out));
    return out;
  }
};

TEST_F(BundleTest, RoundTripToAFarmWithNoRepo) {
  Workspace ws = locked_workspace();
  fs::path cold = dir.path() / "cold.tar.zst", warm = dir.path() / "warm.tar.zst";
  auto first = export_bundle(ws, cold);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->packages, 3u);
  EXPECT_EQ(first->objects, 3u);  // one model.obj each
  EXPECT_EQ(first->objects_fetched, 3u);
  EXPECT_EQ(first->bundle_bytes, fs->stat(cold).value().size);
  ASSERT_FALSE(reporter.transfers.empty());
  EXPECT_EQ(reporter.transfers.back().what, "bundling cold.tar.zst");
  EXPECT_TRUE(reporter.transfers.back().finished);
  EXPECT_EQ(reporter.transfers.back().files, 3u);
  auto second = export_bundle(ws, warm);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->objects_fetched, 0u);
  EXPECT_EQ(fs->read_file(cold).value(), fs->read_file(warm).value());

  // The layout: a folder repo holding the locked versions, and the workspace's two files.
  std::vector<std::string> paths;
  for (const auto& [path, data] : members_of(*fs, cold)) paths.push_back(path);
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  EXPECT_EQ(paths.front(), "index/lamp.json");
  EXPECT_NE(std::find(paths.begin(), paths.end(), "packages/table/Table-1.0.0.reel"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "reel-repo.json"), paths.end());
  EXPECT_EQ(paths.back(), "workspace/workspace.toml");
  EXPECT_EQ(paths.size(), 3u + 3u + 3u + 3u);
  auto members = members_of(*fs, cold);
  for (const auto& [path, data] : members) {
    if (path == "index/table.json") {
      EXPECT_NE(data.find("\"1.0.0\""), std::string::npos);
      EXPECT_EQ(data.find("\"2.0.0\""), std::string::npos) << "only the locked version";
    }
    if (path == "workspace/reel.lock") {
      EXPECT_EQ(data, fs->read_file(ws.lock_path()).value());
    }
  }

  // The farm: the repo is gone, the cache is empty.
  ASSERT_TRUE(fs->remove_all(dir.path() / "repo"));
  auto node = farm("farm-cache");
  ImportBundleOptions options;
  options.workspace_dir = dir.path() / "job";
  auto imported = import_bundle(node->ctx, cold, options);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->packages, 3u);
  EXPECT_EQ(imported->objects, 3u);
  EXPECT_EQ(imported->objects_stored, 3u);
  EXPECT_EQ(imported->archives_stored, 3u);
  auto job = Workspace::find(node->ctx, dir.path() / "job");
  ASSERT_TRUE(job) << job.error().message;
  auto synced = sync_workspace(*job, SyncMode::kFrozen, {});
  ASSERT_TRUE(synced) << synced.error().message;
  EXPECT_EQ(synced->installed.size(), 3u);
  EXPECT_EQ(synced->objects_fetched, 0u);
  auto lock = job->read_lock().value().value();
  EXPECT_TRUE(verify_inputs(*job, lock).value().empty());
  EXPECT_EQ(fs->read_file(job->inputs_dir() / "Table" / "model.obj").value(), "table-v1");

  // Importing again stores nothing new and finds the job's files identical.
  auto again = import_bundle(node->ctx, cold, options);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->objects_stored, 0u);
  EXPECT_EQ(again->archives_stored, 0u);
}

TEST_F(BundleTest, ImportIntoTheCacheAloneLetsAWorkspaceWithThatLockSyncOffline) {
  fs::path bundle = exported();
  ASSERT_TRUE(fs->remove_all(dir.path() / "repo"));
  auto node = farm("farm-cache");
  ASSERT_TRUE(import_bundle(node->ctx, bundle));
  // The job carries only workspace.toml + reel.lock (DESIGN §5's farm bootstrap).
  testing::write_file(dir.path() / "job" / "workspace.toml",
                      fs->read_file(dir.path() / "ws" / "workspace.toml").value());
  testing::write_file(dir.path() / "job" / "reel.lock",
                      fs->read_file(dir.path() / "ws" / "reel.lock").value());
  auto job = Workspace::find(node->ctx, dir.path() / "job").value();
  auto synced = sync_workspace(job, SyncMode::kFrozen, {});
  ASSERT_TRUE(synced) << synced.error().message;
  EXPECT_TRUE(verify_inputs(job, job.read_lock().value().value()).value().empty());
}

TEST_F(BundleTest, RepoDirIsAFolderRepoAnEmptyCacheSyncsFrom) {
  fs::path bundle = exported();
  ASSERT_TRUE(fs->remove_all(dir.path() / "repo"));
  auto importer = farm("import-cache");
  ImportBundleOptions options;
  options.repo_dir = dir.path() / "farm-repo";
  options.workspace_dir = dir.path() / "job";
  auto imported = import_bundle(importer->ctx, bundle, options);
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->published, 3u);
  // The job's repos point at the new repo; a node with an empty cache syncs from it.
  auto node = farm("node-cache");
  auto job = Workspace::find(node->ctx, dir.path() / "job").value();
  ASSERT_EQ(job.config().repos.size(), 1u);
  EXPECT_EQ(job.config().repos[0].url, (dir.path() / "farm-repo").string());
  auto synced = sync_workspace(job, SyncMode::kFrozen, {});
  ASSERT_TRUE(synced) << synced.error().message;
  EXPECT_EQ(synced->objects_fetched, 3u);
  EXPECT_TRUE(verify_inputs(job, job.read_lock().value().value()).value().empty());
  // The repo's index holds exactly the locked versions; a second import publishes nothing.
  auto repo = open_repo(*fs, (dir.path() / "farm-repo").string()).value();
  EXPECT_EQ(repo->read_index("Table").value()->versions.size(), 1u);
  auto again = import_bundle(importer->ctx, bundle, options);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->published, 0u);
}

TEST_F(BundleTest, ATamperedObjectIsRefusedAndNotStored) {
  fs::path bundle = exported();
  Digest table = sha256_bytes("table-v1");
  const std::string entry =
      "objects/sha256/" + table.hex().substr(0, 2) + "/" + table.hex().substr(2);
  fs::path bad = rewritten(bundle, [&](const std::string& path, const std::string& data) {
    return path == entry ? std::string("TABLE-V1") : data;  // same size, other bytes
  });
  auto node = farm("farm-cache");
  auto imported = import_bundle(node->ctx, bad);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kCorruption);
  const std::string& m = imported.error().message;
  EXPECT_NE(m.find(bad.string()), std::string::npos) << m;
  EXPECT_NE(m.find(entry), std::string::npos) << m;
  EXPECT_FALSE(exists(*fs, node->cache.objects().object_path(table)));
  // No archive was stored: nothing claims the package is complete.
  EXPECT_TRUE(node->cache.archives().list_objects().value().empty());
  EXPECT_TRUE(fs->list_dir(node->cache.objects().temp_dir()).value().empty());
}

TEST_F(BundleTest, ABundleLackingAnObjectIsRefused) {
  fs::path bundle = exported();
  Digest lamp = sha256_bytes("lamp");
  fs::path bad = rewritten(
      bundle, [&](const std::string& path, const std::string& data) -> std::optional<std::string> {
        if (path.find(lamp.hex().substr(2)) != std::string::npos) return std::nullopt;
        return data;
      });
  auto node = farm("farm-cache");
  auto imported = import_bundle(node->ctx, bad);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kCorruption);
  EXPECT_NE(imported.error().message.find("Lamp 1.0.0: model.obj"), std::string::npos)
      << imported.error().message;
  EXPECT_TRUE(node->cache.archives().list_objects().value().empty());
}

TEST_F(BundleTest, UnsafeAndForeignEntriesAreRefused) {
  struct Case {
    std::string path, expected;
    std::string symlink = "";
  };
  const std::vector<Case> cases = {
      {"../x", "has an unsafe path: it has a '..' component"},
      {"objects/../../x", "has an unsafe path: it has a '..' component"},
      {"/etc/cron.d/x", "has an unsafe path: it is absolute"},
      {".git/config", "has an unsafe path: it has the component '.git'"},
      {"objects/.GIT/x", "has an unsafe path: it has the component '.GIT'"},
      {"index/link.json", "is not a regular file", "index/link.json"},
      {"notes.txt", "is not part of a bundle's layout"},
      {"objects/sha256/AB/" + std::string(62, 'c'), "is not part of a bundle's layout"},
  };
  auto node = farm("farm-cache");
  for (const auto& c : cases) {
    fs::path bad = dir.path() / "bad.tar.zst";
    write_raw_tar(bad, {{"reel-repo.json", "{\"format\":1,\"name\":\"bundle\"}\n"}, {c.path, "x"}},
                  c.symlink);
    auto imported = import_bundle(node->ctx, bad);
    ASSERT_FALSE(imported) << c.path;
    EXPECT_EQ(imported.error().code, ErrorCode::kCorruption);
    const std::string& m = imported.error().message;
    EXPECT_NE(m.find("entry '" + c.path + "' " + c.expected), std::string::npos) << m;
    EXPECT_NE(m.find(bad.string()), std::string::npos) << m;
  }
  EXPECT_FALSE(exists(*fs, dir.path() / "x"));
}

TEST_F(BundleTest, TruncatedOrForeignBytesAreRefused) {
  fs::path bundle = exported();
  std::string bytes = fs->read_file(bundle).value();
  auto node = farm("farm-cache");
  fs::path cut = dir.path() / "cut.tar.zst";
  testing::write_file(cut, bytes.substr(0, bytes.size() / 2));
  auto imported = import_bundle(node->ctx, cut);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kCorruption);
  EXPECT_NE(imported.error().message.find(cut.string()), std::string::npos);
  EXPECT_TRUE(node->cache.archives().list_objects().value().empty());

  fs::path text = dir.path() / "notes.txt";
  testing::write_file(text, "this is not a tar file, just a few words of text\n");
  imported = import_bundle(node->ctx, text);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kCorruption);
  EXPECT_NE(imported.error().message.find("not a complete tar.zst"), std::string::npos)
      << imported.error().message;

  imported = import_bundle(node->ctx, dir.path() / "missing.tar.zst");
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kNotFound);
}

TEST_F(BundleTest, AnImportRunningOutOfSpaceStoresNoArchive) {
  fs::path bundle = exported();
  FaultInjectingFileSystem faulty(*fs);
  Cache faulty_cache(faulty, dir.path() / "farm-cache");
  Context faulty_ctx{faulty, clock, faulty_cache, reporter, {}};
  faulty.fail_writes_after(10);  // the second object does not fit
  auto imported = import_bundle(faulty_ctx, bundle);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kNoSpace);
  EXPECT_NE(imported.error().message.find(bundle.string()), std::string::npos);
  EXPECT_TRUE(faulty_cache.archives().list_objects().value().empty());
  EXPECT_TRUE(fs->list_dir(faulty_cache.objects().temp_dir()).value().empty());
  // With space again, the same import completes.
  faulty.clear_faults();
  auto again = import_bundle(faulty_ctx, bundle);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->archives_stored, 3u);
}

TEST_F(BundleTest, AWorkspaceDirHoldingOtherFilesIsNotOverwritten) {
  fs::path bundle = exported();
  testing::write_file(dir.path() / "job" / "reel.lock", "version = 1\n");
  auto node = farm("farm-cache");
  ImportBundleOptions options;
  options.workspace_dir = dir.path() / "job";
  auto imported = import_bundle(node->ctx, bundle, options);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(fs->read_file(dir.path() / "job" / "reel.lock").value(), "version = 1\n");
}

TEST_F(BundleTest, AFailedExportLeavesNoFileAndTheOldOneUntouched) {
  Workspace ws = locked_workspace();
  ASSERT_TRUE(sync_workspace(ws, SyncMode::kFrozen, {}));  // a warm cache
  FaultInjectingFileSystem faulty(*fs);
  Cache faulty_cache(faulty, dir.path() / "cache");
  Context faulty_ctx{faulty, clock, faulty_cache, reporter, {}};
  auto on_faulty = Workspace::find(faulty_ctx, ws.root()).value();
  fs::path out = dir.path() / "out" / "job.tar.zst";
  testing::write_file(out, "the previous bundle");
  faulty.fail_writes_after(16);  // the disk fills up as the bundle is written
  auto report = export_bundle(on_faulty, out);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kNoSpace);
  EXPECT_NE(report.error().message.find(out.string()), std::string::npos);
  EXPECT_EQ(fs->read_file(out).value(), "the previous bundle");
  EXPECT_EQ(fs->list_dir(out.parent_path()).value().size(), 1u) << "no temp file is left";

  faulty.clear_faults();
  faulty.fail_on(FsOp::kSync, "");  // fsync fails after the whole bundle was written
  fs::path fresh = dir.path() / "out" / "fresh.tar.zst";
  ASSERT_FALSE(export_bundle(on_faulty, fresh));
  EXPECT_FALSE(exists(*fs, fresh));
  EXPECT_EQ(fs->list_dir(out.parent_path()).value().size(), 1u);

  // A repo that lacks an object the cold cache needs: nothing is written either.
  faulty.clear_faults();
  Workspace other = make("other");
  other.config().requirements = {{"Table", "^2"}};
  ASSERT_TRUE(other.save_config());
  ASSERT_TRUE(lock_workspace(other, {}));
  Digest table2 = sha256_bytes("table-v2");
  ASSERT_TRUE(fs->remove(dir.path() / "repo" / "objects" / "sha256" / table2.hex().substr(0, 2) /
                         table2.hex().substr(2)));
  report = export_bundle(other, fresh);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
  EXPECT_NE(report.error().message.find("Table 2.0.0: model.obj"), std::string::npos)
      << report.error().message;
  EXPECT_FALSE(exists(*fs, fresh));
}

TEST_F(BundleTest, ExportNeedsALock) {
  Workspace ws = make("ws");
  auto report = export_bundle(ws, dir.path() / "job.tar.zst");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
  EXPECT_NE(report.error().message.find("reel lock"), std::string::npos);
  EXPECT_FALSE(exists(*fs, dir.path() / "job.tar.zst"));
}

}  // namespace
}  // namespace reel
