#include "reel/workspace/ingest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "reel/workspace/outputs.h"
#include "workspace_fixture.h"

namespace reel {
namespace {

constexpr auto write = testing::write_file;

struct IngestFixture : WorkspaceFixture {
  std::optional<Workspace> ws;
  fs::path plates, shot;
  void SetUp() override {
    WorkspaceFixture::SetUp();
    ws.emplace(make("ws"));
    ASSERT_TRUE(new_output(*ws, "Shot", {}));
    shot = ws->outputs_dir() / "Shot";
    plates = dir.path() / "studio" / "plates";
    write(plates / "p.0001.exr", "one");
    write(plates / "p.0002.exr", "two");
    write(plates / "notes" / "readme.txt", "notes");
  }
  std::string lock_text() { return fs->read_file(shot / "sources.lock").value(); }
};

TEST_F(IngestFixture, CopiesAFolderRecordsItAndNoticesUpstreamChanges) {
  auto r = ingest_source(*ws, "Shot", plates.string(), "").value();
  EXPECT_EQ(r.path, "plates/");
  EXPECT_EQ(r.url, plates.string());
  EXPECT_EQ(r.files, 3u);
  EXPECT_EQ(r.size, 11u);
  EXPECT_FALSE(r.mtime.empty());
  EXPECT_EQ(fs->read_file(shot / "plates" / "notes" / "readme.txt").value(), "notes");
  auto lock = parse_sources_lock(lock_text(), "sources.lock").value();
  ASSERT_EQ(lock.sources.size(), 1u);
  EXPECT_EQ(lock.sources[0], r);
  // A file, to another path.
  write(dir.path() / "ref.obj", "v 0 0 0\n");
  auto obj = ingest_source(*ws, "Shot", (dir.path() / "ref.obj").string(), "ref/table.obj").value();
  EXPECT_EQ(obj.path, "ref/table.obj");
  EXPECT_EQ(obj.sha256, sha256_bytes("v 0 0 0\n"));
  EXPECT_EQ(fs->stat(ws->root() / ".reel" / "ingest" / "shot").value().type, FileType::kMissing);

  auto checks = check_sources(*ws, std::nullopt).value();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_FALSE(checks[0].changed || checks[1].changed);
  write(plates / "p.0003.exr", "three");
  checks = check_sources(*ws, std::string("Shot")).value();
  EXPECT_TRUE(checks[0].changed);
  EXPECT_EQ(checks[0].detail, "content changed (11 -> 16 bytes, 3 -> 4 files)");
  EXPECT_FALSE(checks[1].changed);
  // --update takes in only what changed.
  auto updated = update_sources(*ws, std::nullopt).value();
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].files, 4u);
  EXPECT_EQ(fs->read_file(shot / "plates" / "p.0003.exr").value(), "three");
  EXPECT_FALSE(check_sources(*ws, std::nullopt).value()[0].changed);
  // A source that is gone is changed; updating it fails and leaves the output as it was.
  ASSERT_TRUE(fs->remove(dir.path() / "ref.obj"));
  checks = check_sources(*ws, std::nullopt).value();
  EXPECT_EQ(checks[1].detail, "no longer exists");
  std::string before = lock_text();
  auto gone = update_sources(*ws, std::nullopt);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(lock_text(), before);
  EXPECT_EQ(fs->read_file(shot / "ref" / "table.obj").value(), "v 0 0 0\n");
}

TEST_F(IngestFixture, RefusesWhatItWouldOverwriteOrCannotPlace) {
  write(shot / "plates" / "mine.txt", "hand made");
  auto taken = ingest_source(*ws, "Shot", plates.string(), "");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(taken.error().message.find("did not come from `reel ingest`"), std::string::npos);
  EXPECT_EQ(fs->read_file(shot / "plates" / "mine.txt").value(), "hand made");
  for (const char* dest : {"../x", "asset.toml", "steps.lock", ".git/x"}) {
    auto r = ingest_source(*ws, "Shot", plates.string(), dest);
    ASSERT_FALSE(r) << dest;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << dest;
  }
  EXPECT_EQ(ingest_source(*ws, "Shot", (dir.path() / "nope").string(), "n").error().code,
            ErrorCode::kNotFound);
  EXPECT_FALSE(ingest_source(*ws, "Shot", (shot / "plates").string(), "again"));  // inside
  // A link out of the folder would not build: refused, nothing placed.
  ASSERT_EQ(::symlink("/etc/passwd", (plates / "escape").c_str()), 0);
  auto escape = ingest_source(*ws, "Shot", plates.string(), "plates2");
  ASSERT_FALSE(escape);
  EXPECT_NE(escape.error().message.find("cannot be ingested"), std::string::npos);
  EXPECT_EQ(fs->stat(shot / "plates2").value().type, FileType::kMissing);
  EXPECT_EQ(fs->stat(shot / "sources.lock").value().type, FileType::kMissing);
}

}  // namespace
}  // namespace reel
