// Outputs (outputs.h) on real temp folders, real folder repos and real git working trees.
#include "reel/workspace/outputs.h"

#include <gtest/gtest.h>

#include "git_repo.h"
#include "reel/engine/names.h"
#include "reel/storage/fault_injection.h"
#include "reel/storage/testing.h"
#include "reel/workspace/review.h"

namespace reel {
namespace {

using testing::FixedClock;
using testing::TempDir;
constexpr auto write = testing::write_file;

class QuietReporter : public Reporter {
 public:
  void warn(std::string_view m) override { warnings.emplace_back(m); }
  void info(std::string_view) override {}
  void progress(const TransferStatus&) override {}
  std::vector<std::string> warnings;
};

Version v(const char* text) { return Version::parse(text).value(); }

TEST(OutputsBump, VersionTable) {
  struct Case {
    const char* from;
    BumpPart part;
    const char* to;
  };
  const Case cases[] = {
      {"1.2.3", BumpPart::kMajor, "2.0.0"},         {"1.2.3", BumpPart::kMinor, "1.3.0"},
      {"1.2.3", BumpPart::kPatch, "1.2.4"},         {"1.2.3", BumpPart::kPre, "1.2.4-0"},
      {"1.2.4-0", BumpPart::kPre, "1.2.4-1"},       {"1.2.4-9", BumpPart::kPre, "1.2.4-10"},
      {"1.2.4-rc", BumpPart::kPre, "1.2.4-rc.0"},   {"1.2.4-rc.1", BumpPart::kPre, "1.2.4-rc.2"},
      {"1.2.4-1.rc", BumpPart::kPre, "1.2.4-2.rc"}, {"1.2.4-1", BumpPart::kPatch, "1.2.4"},
      {"1.3.0-1", BumpPart::kMinor, "1.3.0"},       {"1.2.4-1", BumpPart::kMinor, "1.3.0"},
      {"2.0.0-rc.1", BumpPart::kMajor, "2.0.0"},    {"1.2.0-1", BumpPart::kMajor, "2.0.0"},
      {"0.1.0", BumpPart::kMajor, "1.0.0"},         {"1.2.3+build.5", BumpPart::kPatch, "1.2.4"},
      {"1.2.3+build.5", BumpPart::kPre, "1.2.4-0"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(bump_version(v(c.from), c.part).to_string(), c.to)
        << c.from << " part " << static_cast<int>(c.part);
  }
}

struct OutputsFixture : ::testing::Test {
  TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  FixedClock clock;
  QuietReporter reporter;
  Cache cache{*fs, dir.path() / "cache"};
  Context ctx{*fs, clock, cache, reporter, {}};
  std::optional<Workspace> ws;

  void SetUp() override {
    ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "blessed", "blessed"));
    ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "review", "review"));
    ws = make(ctx, "ws");
  }
  Workspace make(Context& c, const std::string& name) {
    InitOptions o;
    o.repos = {{"blessed", (dir.path() / "blessed").string()},
               {"review", (dir.path() / "review").string()}};
    return Workspace::create(c, dir.path() / name, o).value();
  }
  fs::path out(const std::string& rel) { return ws->outputs_dir() / rel; }
  std::string index_text(const std::string& repo, const std::string& name) {
    auto text = fs->read_file(dir.path() / repo / "index" / (lower_name(name) + ".json"));
    return text ? *text : std::string("<missing>");
  }
  PackageIndex index(const std::string& repo, const std::string& name) {
    return parse_index(index_text(repo, name), name).value();
  }
  void commit(const std::string& name, const std::string& message) {
    ASSERT_TRUE(git::commit_all(out(name), message));
  }
  // outputs/Chair at 0.1.0 with a model, a nested texture and an executable script, committed.
  void make_chair() {
    ASSERT_TRUE(new_output(*ws, "Chair", NewOutputOptions{"prop", v("0.1.0")}));
    write(out("Chair/chair.obj"), "v 0 0 0\n");
    write(out("Chair/textures/wood.png"), "png bytes");
    write(out("Chair/tools/export.sh"), "#!/bin/sh\necho hi\n");
    fs::permissions(out("Chair/tools/export.sh"), fs::perms::owner_exec, fs::perm_options::add);
    commit("Chair", "model");
  }
};

TEST_F(OutputsFixture, NewMakesACleanGitRepoWithOneCommit) {
  ASSERT_TRUE(new_output(*ws, "Chair", NewOutputOptions{"prop", v("1.0.0-rc.1")}));
  auto manifest =
      parse_manifest(fs->read_file(out("Chair/asset.toml")).value(), "asset.toml").value();
  EXPECT_EQ(manifest.name, "Chair");
  EXPECT_EQ(manifest.version.to_string(), "1.0.0-rc.1");
  EXPECT_EQ(manifest.type, "prop");
  auto source = output_source(*ws, "Chair").value();
  EXPECT_FALSE(source.dirty);
  EXPECT_EQ(source.commit.size(), 40u);
  EXPECT_EQ(git::log(out("Chair")).value(), std::vector<std::string>{"reel new Chair"});
  EXPECT_EQ(list_outputs(*ws).value(), std::vector<std::string>{"Chair"});

  auto again = new_output(*ws, "chair", {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  for (const char* bad : {"../escape", "", ".hidden", "a/b"}) {
    auto r = new_output(*ws, bad, {});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(fs->stat(dir.path() / "escape").value().type, FileType::kMissing);
}

TEST_F(OutputsFixture, SourceIsDirtyAfterAnyUncommittedChange) {
  make_chair();
  auto clean = output_source(*ws, "Chair").value();
  EXPECT_FALSE(clean.dirty);
  write(out("Chair/chair.obj"), "v 1 1 1\n");
  auto edited = output_source(*ws, "Chair").value();
  EXPECT_TRUE(edited.dirty);
  EXPECT_EQ(edited.commit, clean.commit);
  commit("Chair", "moved");
  EXPECT_FALSE(output_source(*ws, "Chair").value().dirty);
  write(out("Chair/new/untracked.txt"), "x");
  EXPECT_TRUE(output_source(*ws, "Chair").value().dirty);
  fs::remove_all(out("Chair/new"));
  write(out("Chair/.gitignore"), "*.bak\n");
  commit("Chair", "ignore backups");
  write(out("Chair/chair.obj.bak"), "backup");
  EXPECT_FALSE(output_source(*ws, "Chair").value().dirty);

  write(out("Plain/asset.toml"), "[asset]\nname = \"Plain\"\nversion = \"1.0.0\"\n");
  auto plain = output_source(*ws, "Plain").value();
  EXPECT_EQ(plain.commit, "");
  EXPECT_TRUE(plain.dirty);
}

TEST_F(OutputsFixture, BumpRewritesOnlyTheVersion) {
  make_chair();
  const std::string before =
      "# The chair of the kitchen set.\r\n[asset]\r\nname = \"Chair\"   # keep\r\nversion   =  "
      "'1.2.3'  # bumped by reel\r\n"
      "type = \"prop\"\r\n\r\n[dependencies]\r\nLeg = \">=1\"  # version = "
      "\"9.9.9\"\r\n\r\n[metadata]\r\nversion = \"not this\"\r\n";
  write(out("Chair/asset.toml"), before);
  EXPECT_EQ(bump_output(*ws, "Chair", BumpPart::kMinor).value().to_string(), "1.3.0");
  std::string expected = before;
  expected.replace(expected.find("1.2.3"), 5, "1.3.0");
  EXPECT_EQ(fs->read_file(out("Chair/asset.toml")).value(), expected);
  EXPECT_EQ(bump_output(*ws, "Chair", BumpPart::kPre).value().to_string(), "1.3.1-0");
  EXPECT_EQ(bump_output(*ws, "Chair", BumpPart::kPre).value().to_string(), "1.3.1-1");
  EXPECT_EQ(bump_output(*ws, "Chair", BumpPart::kPatch).value().to_string(), "1.3.1");
  expected.replace(expected.find("1.3.0"), 5, "1.3.1");
  EXPECT_EQ(fs->read_file(out("Chair/asset.toml")).value(), expected);

  // An [asset] written as an inline table has no version line: the manifest is written out again.
  write(out("Chair/asset.toml"),
        "asset = { name = \"Chair\", version = \"2.0.0\", type = \"prop\" }\n");
  EXPECT_EQ(bump_output(*ws, "Chair", BumpPart::kMajor).value().to_string(), "3.0.0");
  auto m = parse_manifest(fs->read_file(out("Chair/asset.toml")).value(), "asset.toml").value();
  EXPECT_EQ(m.version.to_string(), "3.0.0");
  EXPECT_EQ(m.type, "prop");

  auto missing = bump_output(*ws, "Sofa", BumpPart::kPatch);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(OutputsFixture, BuildWritesTheArchiveAndObjectsIntoTheCache) {
  make_chair();
  auto built = build_output(*ws, "Chair");
  ASSERT_TRUE(built) << built.error().message;
  std::string archive = fs->read_file(ws->build_dir() / "Chair-0.1.0.reel").value();
  EXPECT_EQ(sha256_bytes(archive), built->archive_digest);
  auto package = read_package(archive, "Chair").value();
  ASSERT_EQ(package.files.size(), 3u);  // asset.toml and .git are not content files
  EXPECT_EQ(package.files[0].path, "chair.obj");
  EXPECT_EQ(package.files[1].path, "textures/wood.png");
  EXPECT_EQ(package.files[2].path, "tools/export.sh");
  EXPECT_TRUE(package.files[2].executable);
  for (const auto& f : package.files) {
    EXPECT_EQ(fs->read_file(cache.objects().object_path(f.sha256)).value(),
              fs->read_file(out("Chair") / f.path).value())
        << f.path;
  }
  // The folder name must be the asset's name.
  write(out("Other/asset.toml"), "[asset]\nname = \"Chair\"\nversion = \"1.0.0\"\n");
  auto mismatch = build_output(*ws, "Other");
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(mismatch.error().message.find("'Other'"), std::string::npos)
      << mismatch.error().message;
}

TEST_F(OutputsFixture, PublishRefusesDirtyOutputsAndLeavesTheIndexUnchanged) {
  make_chair();
  ASSERT_TRUE(publish_output(*ws, "Chair", std::nullopt, false));
  const std::string published = index_text("blessed", "Chair");
  ASSERT_TRUE(bump_output(*ws, "Chair", BumpPart::kPatch));  // uncommitted
  auto refused = publish_output(*ws, "Chair", std::nullopt, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(refused.error().message, "outputs/Chair has uncommitted changes: asset.toml");
  EXPECT_EQ(index_text("blessed", "Chair"), published);
  EXPECT_EQ(fs->stat(ws->build_dir() / "Chair-0.1.1.reel").value().type, FileType::kMissing);

  // A folder that is not a git repo counts as dirty; --allow-dirty publishes it, recorded as dirty.
  write(out("Plain/asset.toml"), "[asset]\nname = \"Plain\"\nversion = \"1.0.0\"\n");
  auto plain = publish_output(*ws, "Plain", std::nullopt, false);
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, ErrorCode::kConflict);
  EXPECT_EQ(index_text("blessed", "Plain"), "<missing>");
  ASSERT_TRUE(publish_output(*ws, "Plain", std::nullopt, true));
  auto entry = index("blessed", "Plain").versions.at(0);
  EXPECT_TRUE(entry.source.dirty);
  EXPECT_EQ(entry.source.commit, "");
}

// Disk full at every point of `reel publish` (the build writes straight into the folder repo's
// store): each failure is kNoSpace, the index is untouched and no temp file is left in the repo;
// a re-run once space is back publishes, and the stat cache lets it skip what was stored.
TEST_F(OutputsFixture, PublishOnAFullDiskLeavesTheIndexUnchangedAtEveryPoint) {
  write(out("Shot/asset.toml"), "[asset]\nname = \"Shot\"\nversion = \"1.0.0\"\n");
  for (int i = 1; i <= 12; ++i)
    write(out("Shot/renders/frame." + std::to_string(1000 + i) + ".exr"),
          std::string(3000 + i, static_cast<char>('a' + i)));
  FaultInjectingFileSystem faulty(*fs);
  Cache faulty_cache(faulty, dir.path() / "cache");
  Context faulty_ctx{faulty, clock, faulty_cache, reporter, {}};
  auto fws = Workspace::find(faulty_ctx, ws->root());
  ASSERT_TRUE(fws) << fws.error().message;
  int failures = 0;
  for (std::uint64_t budget = 0;; budget += 2048) {
    faulty.clear_faults();
    faulty.fail_writes_after(budget);
    auto r = publish_output(*fws, "Shot", std::nullopt, true);
    if (r) break;
    ++failures;
    EXPECT_EQ(r.error().code, ErrorCode::kNoSpace) << r.error().message;
    EXPECT_NE(r.error().message.find("No space left on device"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(index_text("blessed", "Shot"), "<missing>") << "budget " << budget;
    auto temps = fs->list_dir(dir.path() / "blessed" / "objects" / "tmp");
    if (temps) {
      EXPECT_TRUE(temps->empty()) << "budget " << budget;
    }
    ASSERT_LT(budget, 1u << 20) << "publish never succeeded";
  }
  EXPECT_GT(failures, 5);
  auto versions = index("blessed", "Shot").versions;
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].file_count, 12u);
}

TEST_F(OutputsFixture, PublishIsIdempotentAndRefusesNewContentWithoutABump) {
  make_chair();
  auto first = publish_output(*ws, "Chair", std::string("review"), false);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->already_published);
  EXPECT_EQ(first->repo, "review");
  EXPECT_EQ(first->file_count, 3u);
  EXPECT_EQ(first->total_size, 8u + 9u + 18u);
  auto entry = index("review", "Chair").versions.at(0);
  EXPECT_EQ(entry.source.commit, output_source(*ws, "Chair").value().commit);
  EXPECT_FALSE(entry.source.dirty);
  EXPECT_EQ(entry.archive.sha256, first->archive);
  const std::string once = index_text("review", "Chair");

  auto second = publish_output(*ws, "Chair", std::string("review"), false);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->already_published);
  EXPECT_EQ(second->archive, first->archive);
  EXPECT_EQ(index_text("review", "Chair"), once);

  write(out("Chair/chair.obj"), "v 2 2 2\n");
  commit("Chair", "moved without a bump");
  auto conflict = publish_output(*ws, "Chair", std::string("review"), false);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(index_text("review", "Chair"), once);

  ASSERT_TRUE(bump_output(*ws, "Chair", BumpPart::kMinor));
  commit("Chair", "0.2.0");
  auto bumped = publish_output(*ws, "Chair", std::string("review"), false);
  ASSERT_TRUE(bumped) << bumped.error().message;
  EXPECT_FALSE(bumped->already_published);
  EXPECT_EQ(index("review", "Chair").versions.size(), 2u);
  EXPECT_EQ(index_text("blessed", "Chair"), "<missing>");

  auto unknown = publish_output(*ws, "Chair", std::string("nowhere"), false);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(OutputsFixture, EditGivesBackThePublishedFilesAsWritableCopiesWithOneCommit) {
  make_chair();
  fs::create_directory_symlink("textures", out("Chair/maps"));
  commit("Chair", "maps link");
  ASSERT_TRUE(publish_output(*ws, "Chair", std::nullopt, false));
  const std::string published_toml = fs->read_file(out("Chair/asset.toml")).value();
  ASSERT_TRUE(bump_output(*ws, "Chair", BumpPart::kMinor));
  write(out("Chair/chair.obj"), "v 5 5 5\n");
  commit("Chair", "0.2.0");
  auto newest = publish_output(*ws, "Chair", std::nullopt, false);
  ASSERT_TRUE(newest);
  auto package =
      read_package(fs->read_file(ws->build_dir() / "Chair-0.2.0.reel").value(), "Chair 0.2.0")
          .value();

  // Another workspace with an empty cache of its own: everything comes from the repo.
  Cache other_cache(*fs, dir.path() / "other-cache");
  Context other_ctx{*fs, clock, other_cache, reporter, {}};
  Workspace other = make(other_ctx, "other");
  auto taken =
      edit_output(other, "chair", std::nullopt, std::nullopt);  // names are case-insensitive
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->to_string(), "0.2.0");
  fs::path edited = other.outputs_dir() / "Chair";
  EXPECT_EQ(fs->read_file(edited / "asset.toml").value(), package.manifest_text);
  for (const auto& f : package.files) {
    auto st = fs->stat(edited / f.path).value();
    if (f.symlink) {
      EXPECT_EQ(st.type, FileType::kSymlink) << f.path;
      EXPECT_EQ(fs->read_symlink(edited / f.path).value(), fs::path(*f.symlink));
      continue;
    }
    EXPECT_EQ(st.type, FileType::kRegular) << f.path;
    EXPECT_EQ(sha256_file(*fs, edited / f.path).value(), f.sha256) << f.path;
    EXPECT_EQ(st.mode, f.executable ? 0755u : 0644u) << f.path;
    EXPECT_EQ(st.nlink, 1u) << f.path;  // a copy, never a link to the read-only cache object
  }
  EXPECT_EQ(package.files.size(), 4u);
  EXPECT_EQ(git::log(edited).value(), std::vector<std::string>{"reel edit Chair 0.2.0"});
  EXPECT_FALSE(output_source(other, "Chair").value().dirty);
  EXPECT_EQ(fs->list_dir(other.outputs_dir()).value().size(), 1u);  // no temp folder left
  write(edited / "chair.obj", "edited in place");                   // writable
  EXPECT_TRUE(output_source(other, "Chair").value().dirty);

  auto again = edit_output(other, "Chair", std::nullopt, std::nullopt);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);

  // An older version by name, from a named repo.
  Workspace third = make(other_ctx, "third");
  ASSERT_EQ(edit_output(third, "Chair", v("0.1.0"), std::string("blessed")).value().to_string(),
            "0.1.0");
  EXPECT_EQ(fs->read_file(third.outputs_dir() / "Chair" / "asset.toml").value(), published_toml);
  EXPECT_EQ(fs->read_file(third.outputs_dir() / "Chair" / "chair.obj").value(), "v 0 0 0\n");
}

TEST_F(OutputsFixture, EditNamesWhatIsMissingAndSkipsYankedVersions) {
  make_chair();
  ASSERT_TRUE(publish_output(*ws, "Chair", std::nullopt, false));
  ASSERT_TRUE(bump_output(*ws, "Chair", BumpPart::kPatch));
  commit("Chair", "0.1.1");
  ASSERT_TRUE(publish_output(*ws, "Chair", std::nullopt, false));
  Workspace other = make(ctx, "other");

  auto no_version = edit_output(other, "Chair", v("0.9.0"), std::nullopt);
  ASSERT_FALSE(no_version);
  EXPECT_EQ(no_version.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(no_version.error().message,
            "Chair 0.9.0 is not published in repo 'blessed' (it has 0.1.0, 0.1.1)");
  auto no_package = edit_output(other, "Sofa", std::nullopt, std::nullopt);
  ASSERT_FALSE(no_package);
  EXPECT_EQ(no_package.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(no_package.error().message, "no package named 'Sofa' in repo 'blessed'");
  auto wrong_repo = edit_output(other, "Chair", std::nullopt, std::string("review"));
  ASSERT_FALSE(wrong_repo);
  EXPECT_EQ(wrong_repo.error().message, "no package named 'Chair' in repo 'review'");

  // Yank 0.1.1: edit without a version takes 0.1.0; naming 0.1.1 still works.
  PackageIndex idx = index("blessed", "Chair");
  idx.versions.back().yanked = true;
  ASSERT_TRUE(fs->write_file_atomic(dir.path() / "blessed" / "index" / "chair.json",
                                    serialize_index(idx), false));
  EXPECT_EQ(edit_output(other, "Chair", std::nullopt, std::nullopt).value().to_string(), "0.1.0");
  Workspace third = make(ctx, "third");
  EXPECT_EQ(edit_output(third, "Chair", v("0.1.1"), std::nullopt).value().to_string(), "0.1.1");
}

TEST_F(OutputsFixture, EditOfADamagedRepoObjectLeavesNothingBehind) {
  make_chair();
  auto published = publish_output(*ws, "Chair", std::nullopt, false);
  ASSERT_TRUE(published);
  auto package =
      read_package(fs->read_file(ws->build_dir() / "Chair-0.1.0.reel").value(), "Chair").value();
  ObjectStore repo_objects(*fs, dir.path() / "blessed" / "objects");
  fs::path object = repo_objects.object_path(package.files[0].sha256);
  ASSERT_EQ(fs->stat(object).value().type, FileType::kRegular) << object;
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  write(object, "tampered");

  Cache other_cache(*fs, dir.path() / "other-cache");
  Context other_ctx{*fs, clock, other_cache, reporter, {}};
  Workspace other = make(other_ctx, "other");
  auto r = edit_output(other, "Chair", std::nullopt, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(r.error().message.rfind("editing Chair 0.1.0: ", 0), 0u) << r.error().message;
  EXPECT_TRUE(fs->list_dir(other.outputs_dir()).value().empty());
}

TEST_F(OutputsFixture, PromoteCopiesAVersionBetweenFolderRepos) {
  make_chair();
  auto published = publish_output(*ws, "Chair", std::string("review"), false);
  ASSERT_TRUE(published);
  auto pending = promote_version(*ws, "chair", v("0.1.0"), "review", "blessed");
  ASSERT_FALSE(pending);  // not approved yet
  EXPECT_EQ(pending.error().code, ErrorCode::kConflict);
  EXPECT_NE(pending.error().message.find("it is pending in repo 'review'"), std::string::npos)
      << pending.error().message;
  ASSERT_TRUE(review_version(ctx, *ws->repo("review").value(), "Chair", v("0.1.0"),
                             ReviewState::kApproved, "ok"));
  ASSERT_TRUE(promote_version(*ws, "chair", v("0.1.0"), "review", "blessed"));
  EXPECT_EQ(index("blessed", "Chair").versions.at(0).review.current.state,
            ReviewState::kApproved);  // the review went along
  auto entry = index("blessed", "Chair").versions.at(0);
  EXPECT_EQ(entry.version.to_string(), "0.1.0");
  EXPECT_EQ(entry.archive.sha256, published->archive);
  auto package =
      read_package(fs->read_file(ws->build_dir() / "Chair-0.1.0.reel").value(), "Chair").value();
  ObjectStore blessed_objects(*fs, dir.path() / "blessed" / "objects");
  for (const auto& f : package.files)
    EXPECT_TRUE(blessed_objects.contains(f.sha256).value()) << f.path;
  const std::string once = index_text("blessed", "Chair");
  ASSERT_TRUE(promote_version(*ws, "Chair", v("0.1.0"), "review", "blessed"));  // a no-op
  EXPECT_EQ(index_text("blessed", "Chair"), once);

  // What was promoted installs: edit it from blessed alone.
  Workspace other = make(ctx, "other");
  EXPECT_EQ(edit_output(other, "Chair", std::nullopt, std::string("blessed")).value().to_string(),
            "0.1.0");

  auto missing = promote_version(*ws, "Chair", v("9.0.0"), "review", "blessed");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto same = promote_version(*ws, "Chair", v("0.1.0"), "review", "review");
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, ErrorCode::kInvalidArgument);
  auto unknown = promote_version(*ws, "Chair", v("0.1.0"), "review", "nowhere");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace reel
