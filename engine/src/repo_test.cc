#include "reel/engine/repo.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "engine_test_util.h"
#include "reel/storage/fault_injection.h"

namespace reel {
namespace {

using engine_testing::RepoTest;
using testing::write_file;

TEST_F(RepoTest, InitAndOpen) {
  fs::path root = dir.path() / "blessed";
  ASSERT_TRUE(init_folder_repo(*fs, root, "blessed"));
  for (const char* sub : {"index", "packages", "objects"}) {
    EXPECT_EQ(fs->stat(root / sub).value().type, FileType::kDirectory) << sub;
  }
  auto marker = nlohmann::json::parse(fs->read_file(root / "reel-repo.json").value());
  EXPECT_EQ(marker, nlohmann::json::parse(R"({"format": 1, "name": "blessed"})"));
  auto again = init_folder_repo(*fs, root, "other");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);

  for (std::string url : {root.string(), "file://" + root.string()}) {
    auto repo = open_repo(*fs, url);
    ASSERT_TRUE(repo) << repo.error().message;
    EXPECT_EQ((*repo)->name(), "blessed");
    EXPECT_EQ((*repo)->url(), url);
    EXPECT_TRUE((*repo)->list_packages().value().empty());
    EXPECT_FALSE((*repo)->read_index("Table").value());
  }
  auto http = open_repo(*fs, "https://assets.example/review");
  ASSERT_FALSE(http);
  EXPECT_EQ(http.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(http.error().message.find("HTTP repos are not supported yet"), std::string::npos);
  EXPECT_EQ(open_repo(*fs, "ftp://x/y").error().code, ErrorCode::kInvalidArgument);
  auto missing = open_repo(*fs, (dir.path() / "nope").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
  fs::path plain = dir.path() / "plain";
  ASSERT_TRUE(fs->create_directories(plain));
  auto not_repo = open_repo(*fs, plain.string());
  ASSERT_FALSE(not_repo);
  EXPECT_NE(not_repo.error().message.find("no reel-repo.json"), std::string::npos);
  write_file(plain / "reel-repo.json", R"({"format": 2})");
  auto bad = open_repo(*fs, plain.string());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("reel-repo.json"), std::string::npos);
}

TEST_F(RepoTest, PublishAndReadBack) {
  auto repo = make_repo("blessed");
  ASSERT_TRUE(publish(*repo, asset("Table", "1.0.0", "v 0 0 0\n", "Leg = \">=1\"\n"),
                      SourceInfo{"abc123", true}));
  ASSERT_TRUE(publish(*repo, asset("Table", "1.1.0", "v 1 1 1\n")));
  ASSERT_TRUE(publish(*repo, asset("chair", "0.1.0", "chair\n")));
  EXPECT_EQ(repo->list_packages().value(), (std::vector<std::string>{"chair", "Table"}));
  auto index = repo->read_index("TABLE").value();
  ASSERT_TRUE(index);
  EXPECT_EQ(index->name, "Table");
  ASSERT_EQ(index->versions.size(), 2u);
  const IndexEntry& e = index->versions[0];
  EXPECT_EQ(e.version, Version(1, 0, 0));
  EXPECT_EQ(e.type, "prop");
  ASSERT_EQ(e.dependencies.size(), 1u);
  EXPECT_EQ(e.dependencies[0].name, "Leg");
  EXPECT_EQ(e.archive.path, "packages/table/Table-1.0.0.reel");
  EXPECT_EQ(e.file_count, 2u);  // mesh/model.obj, tex/wood.png: not .git, not asset.toml
  EXPECT_EQ(e.file_size, 8u + 9u);
  EXPECT_EQ(e.published, format_rfc3339_utc(clock.now_unix_seconds()));
  EXPECT_EQ(e.source.commit, "abc123");
  EXPECT_TRUE(e.source.dirty);
  auto bytes = repo->read_archive(e.archive);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(bytes->size(), e.archive.size);
  auto pkg = read_package(*bytes, e.archive.path).value();
  ASSERT_EQ(pkg.files.size(), 2u);
  EXPECT_EQ(pkg.files[0].path, "mesh/model.obj");
  // Every object is in the repo and can be fetched (verified) into another store.
  ObjectStore other(*fs, dir.path() / "other");
  for (const auto& f : pkg.files) {
    ASSERT_TRUE(repo->fetch_object(ObjectRef{f.sha256, f.size}, other)) << f.path;
    EXPECT_TRUE(other.verify(f.sha256)) << f.path;
  }
  auto absent = repo->fetch_object(ObjectRef{sha256_bytes("never stored"), 12}, other);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
}

TEST_F(RepoTest, RepublishingIsANoOpAndDifferentContentIsAConflict) {
  auto repo = make_repo("blessed");
  fs::path a = asset("Table", "1.0.0", "v 0 0 0\n");
  ASSERT_TRUE(publish(*repo, a));
  fs::path index_file = dir.path() / "blessed" / "index" / "table.json";
  std::string before = index_text("blessed", "table");
  auto before_stat = fs->stat(index_file).value();
  ASSERT_TRUE(publish(*repo, a));
  EXPECT_EQ(fs->stat(index_file).value().inode, before_stat.inode);  // not even rewritten
  auto conflict = publish(*repo, asset("Table", "1.0.0", "v 9 9 9\n"));
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(conflict.error().message,
            "Table 1.0.0 is already published in repo 'blessed' with different content");
  EXPECT_EQ(index_text("blessed", "table"), before);
}

TEST_F(RepoTest, MissingObjectFailsWithTheIndexUnchanged) {
  auto repo = make_repo("blessed");
  ASSERT_TRUE(publish(*repo, asset("Chair", "1.0.0", "chair one")));
  std::string before = index_text("blessed", "chair");
  auto built = build_package(*fs, cache, asset("Chair", "2.0.0", "chair two")).value();
  ASSERT_TRUE(fs->remove_all(dir.path() / "cache"));
  auto st = repo->publish(built, cache, make_index_entry(built, SourceInfo{}, clock));
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("mesh/model.obj"), std::string::npos) << st.error().message;
  EXPECT_EQ(index_text("blessed", "chair"), before);
  EXPECT_EQ(repo->read_index("Chair").value()->versions.size(), 1u);
}

// DESIGN §8: a failure at any point of a publish leaves the old index; re-running completes it.
TEST_F(RepoTest, DiskFullAtEveryPointLeavesTheIndexUnchanged) {
  FaultInjectingFileSystem faulty(*fs);
  auto repo = make_repo("blessed", &faulty);
  ASSERT_TRUE(publish(*repo, asset("Table", "1.0.0", "first")));
  const std::string before = index_text("blessed", "table");
  auto built = build_package(*fs, cache, asset("Table", "2.0.0", std::string(5000, 'x'))).value();
  int failures = 0;
  for (std::uint64_t budget = 0;; budget += 256) {
    faulty.clear_faults();
    faulty.fail_writes_after(budget);
    auto st = repo->publish(built, cache, make_index_entry(built, SourceInfo{}, clock));
    if (st) break;
    ++failures;
    EXPECT_EQ(st.error().code, ErrorCode::kNoSpace) << st.error().message;
    EXPECT_EQ(index_text("blessed", "table"), before) << "budget " << budget;
    ASSERT_LT(budget, 1u << 20) << "publish never succeeded";
  }
  EXPECT_GT(failures, 2);
  faulty.clear_faults();
  auto index = repo->read_index("Table").value();
  ASSERT_EQ(index->versions.size(), 2u);
  auto bytes = repo->read_archive(index->versions[1].archive);
  ASSERT_TRUE(bytes) << bytes.error().message;
  ObjectStore other(*fs, dir.path() / "other");
  auto pkg = read_package(*bytes, "archive");
  ASSERT_TRUE(pkg) << pkg.error().message;
  for (const auto& f : pkg->files) {
    EXPECT_TRUE(repo->fetch_object(ObjectRef{f.sha256, f.size}, other)) << f.path;
  }
}

TEST_F(RepoTest, CrashBeforeAnyRenameLeavesTheIndexUnchanged) {
  FaultInjectingFileSystem faulty(*fs);
  auto repo = make_repo("blessed", &faulty);
  ASSERT_TRUE(publish(*repo, asset("Table", "1.0.0", "first")));
  const std::string before = index_text("blessed", "table");
  for (std::uint64_t n = 1;; ++n) {
    // A fresh version each time, so every rename of a complete publish is reached once.
    auto built = build_package(*fs, cache,
                               asset("Table", "2.0." + std::to_string(n), "n" + std::to_string(n)))
                     .value();
    faulty.clear_faults();
    faulty.fail_nth_rename(n);
    auto st = repo->publish(built, cache, make_index_entry(built, SourceInfo{}, clock));
    faulty.clear_faults();
    if (st) break;
    EXPECT_EQ(index_text("blessed", "table"), before) << "rename " << n;
    ASSERT_LT(n, 50u);
  }
  EXPECT_EQ(repo->read_index("Table").value()->versions.size(), 2u);
}

TEST_F(RepoTest, FailedIndexWriteLeavesTheIndexUnchanged) {
  FaultInjectingFileSystem faulty(*fs);
  auto repo = make_repo("blessed", &faulty);
  ASSERT_TRUE(publish(*repo, asset("Table", "1.0.0", "first")));
  const std::string before = index_text("blessed", "table");
  faulty.fail_on(FsOp::kWriteFileAtomic, "index/", ErrorCode::kIOError);
  auto st = publish(*repo, asset("Table", "2.0.0", "second"));
  ASSERT_FALSE(st);
  EXPECT_EQ(index_text("blessed", "table"), before);
  faulty.clear_faults();
  // A failing flush of an object, or of an object folder, stops the publish before the index.
  for (FsOp op : {FsOp::kSyncFile, FsOp::kSyncDirectory}) {
    faulty.fail_on(op, "objects/", ErrorCode::kIOError);
    st = publish(*repo, asset("Table", "2.0.0", "second"));
    ASSERT_FALSE(st) << fs_op_name(op);
    EXPECT_NE(st.error().message.find(std::string(fs_op_name(op)) + " "), std::string::npos)
        << st.error().message;
    EXPECT_EQ(index_text("blessed", "table"), before);
    faulty.clear_faults();
  }
  EXPECT_TRUE(publish(*repo, asset("Table", "2.0.0", "second")));
}

TEST_F(RepoTest, CorruptRepoContentIsRefused) {
  auto repo = make_repo("blessed");
  ASSERT_TRUE(publish(*repo, asset("Lamp", "1.0.0", "lamp bytes")));
  Digest d = sha256_bytes("lamp bytes");
  fs::path obj =
      dir.path() / "blessed" / "objects" / "sha256" / d.hex().substr(0, 2) / d.hex().substr(2);
  ASSERT_EQ(fs->stat(obj).value().type, FileType::kRegular);
  chmod(obj.c_str(), 0644);
  write_file(obj, "lamp bytez");  // one changed byte
  ObjectStore other(*fs, dir.path() / "other");
  auto st = repo->fetch_object(ObjectRef{d, 10}, other);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorruption);
  EXPECT_FALSE(other.contains(d).value());

  // A changed archive byte.
  IndexEntry e = repo->read_index("Lamp").value()->versions[0];
  fs::path archive = dir.path() / "blessed" / e.archive.path;
  std::string bytes = fs->read_file(archive).value();
  bytes[bytes.size() / 2] ^= 1;
  chmod(archive.c_str(), 0644);
  write_file(archive, bytes);
  auto read = repo->read_archive(e.archive);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kCorruption);
  EXPECT_NE(read.error().message.find(archive.string()), std::string::npos) << read.error().message;
  // An index naming a path outside packages/.
  e.archive.path = "../../etc/passwd";
  read = repo->read_archive(e.archive);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kCorruption);

  // A malformed index names its file; an index under another name's file is refused.
  write_file(dir.path() / "blessed" / "index" / "lamp.json", "{\"format\": 1,");
  auto index = repo->read_index("Lamp");
  ASSERT_FALSE(index);
  EXPECT_NE(index.error().message.find("index/lamp.json"), std::string::npos)
      << index.error().message;
  EXPECT_FALSE(repo->list_packages());
  write_file(dir.path() / "blessed" / "index" / "lamp.json",
             R"({"format": 1, "name": "Chair", "versions": []})");
  index = repo->read_index("Lamp");
  ASSERT_FALSE(index);
  EXPECT_EQ(index.error().code, ErrorCode::kCorruption);
}

TEST_F(RepoTest, PromoteCopiesObjectsArchiveAndEntry) {
  auto review = make_repo("review");
  auto blessed = make_repo("blessed");
  fs::path a = asset("Table", "2.0.0", "table two");
  write_file(a / "asset.toml",
             "[asset]\nname = \"Table\"\nversion = \"2.0.0\"\n[metadata]\nfps = 24\n");
  ASSERT_TRUE(publish(*review, a, SourceInfo{"feedbeef", false}));
  ASSERT_TRUE(publish(*blessed, asset("Table", "1.0.0", "table one")));
  ObjectStore staging(*fs, dir.path() / "staging");
  ASSERT_TRUE(promote(*review, *blessed, "table", Version(2, 0, 0), staging));
  auto from = review->read_index("Table").value()->versions[0];
  auto index = blessed->read_index("Table").value();
  ASSERT_EQ(index->versions.size(), 2u);
  const IndexEntry& e = index->versions[1];
  EXPECT_EQ(e.version, Version(2, 0, 0));
  EXPECT_EQ(e.archive.sha256, from.archive.sha256);
  EXPECT_EQ(e.published, from.published);
  EXPECT_EQ(e.source.commit, "feedbeef");
  EXPECT_EQ(nlohmann::json::parse(e.metadata_json)["fps"], 24);
  auto pkg = read_package(blessed->read_archive(e.archive).value(), "a").value();
  ObjectStore other(*fs, dir.path() / "other");
  for (const auto& f : pkg.files) {
    EXPECT_TRUE(blessed->fetch_object(ObjectRef{f.sha256, f.size}, other)) << f.path;
  }
  // Again: a no-op. A version that does not exist: kNotFound. A clash: kConflict.
  EXPECT_TRUE(promote(*review, *blessed, "Table", Version(2, 0, 0), staging));
  EXPECT_EQ(promote(*review, *blessed, "Table", Version(3, 0, 0), staging).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(publish(*review, asset("Table", "1.0.0", "another table one")));
  std::string before = index_text("blessed", "table");
  auto clash = promote(*review, *blessed, "Table", Version(1, 0, 0), staging);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(index_text("blessed", "table"), before);
}

}  // namespace
}  // namespace reel
