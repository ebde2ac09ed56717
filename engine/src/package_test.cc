#include "reel/engine/package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reel/storage/archive.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;
using testing::write_file;

TEST(Glob, Cases) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
  };
  for (auto c : {Case{"**", "a/b/c.png", true},
                 Case{"**", "x", true},
                 Case{"**/*.tmp", "x.tmp", true},
                 Case{"**/*.tmp", "a/b/x.tmp", true},
                 Case{"**/*.tmp", "a/b/x.tmpl", false},
                 Case{"*.tmp", "x.tmp", true},
                 Case{"*.tmp", "a/x.tmp", false},
                 Case{"tex/?.png", "tex/a.png", true},
                 Case{"tex/?.png", "tex/ab.png", false},
                 Case{"tex/*.png", "tex/a.jpg", false},
                 Case{"tex/*", "tex/sub/a.png", false},
                 Case{"tex/**", "tex/sub/a.png", true},
                 Case{"tex/**", "tex", false},
                 Case{"a/**/b", "a/b", true},
                 Case{"a/**/b", "a/x/y/b", true},
                 Case{"a/**/b", "a/x/yb", false},
                 Case{"?", "/", false},
                 Case{"*", "", true},
                 Case{"**.tmp", "a/b.tmp", true},
                 Case{"frames/f.*.exr", "frames/f.0001.exr", true},
                 Case{"cache/**", "cachex/a", false},
                 Case{"", "", true}}) {
    EXPECT_EQ(glob_match(c.pattern, c.path), c.match) << c.pattern << " vs " << c.path;
  }
}

TEST(FilesJson, RoundTripAndRefusals) {
  std::vector<FileEntry> files(3);
  files[0].path = "bin/run";
  files[0].sha256 = sha256_bytes("run");
  files[0].size = 3;
  files[0].executable = true;
  files[1].path = "tex/current.png";
  files[1].symlink = "wood.png";
  files[2].path = "tex/wood.png";
  files[2].sha256 = sha256_bytes("wood");
  files[2].size = 4;
  std::string text = serialize_files_json(files);
  auto back = parse_files_json(text, "files.json");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 3u);
  EXPECT_TRUE((*back)[0].executable);
  EXPECT_EQ((*back)[0].sha256, sha256_bytes("run"));
  EXPECT_EQ((*back)[1].symlink, "wood.png");
  EXPECT_EQ((*back)[2].size, 4u);
  EXPECT_FALSE((*back)[2].executable);
  EXPECT_EQ(serialize_files_json(*back), text);

  const std::string sha = sha256_bytes("x").hex();
  auto file = [&](const std::string& path) {
    return R"({"path": ")" + path + R"(", "sha256": ")" + sha +
           R"(", "size": 1, "executable": false})";
  };
  struct Case {
    std::string text;
    std::string needle;
  };
  for (const auto& c : std::vector<Case>{
           {"{}", "expected a JSON array"},
           {"[" + file("../x") + "]", "[0].path: unsafe path"},
           {"[" + file("/etc/passwd") + "]", "unsafe path"},
           {"[" + file("a//b") + "]", "unsafe path"},
           {"[" + file("a/./b") + "]", "unsafe path"},
           {"[" + file("b") + "," + file("a") + "]", "[1].path: 'a' is out of order"},
           {"[" + file("a") + "," + file("a") + "]", "listed twice"},
           {R"([{"path": "l", "symlink": "../../etc"}])", "[0].symlink"},
           {R"([{"path": "l", "symlink": "/etc"}])", "leaves the asset"},
           {R"([{"path": "a", "sha256": "zz", "size": 1}])", "[0].sha256"},
           {R"([{"path": "a", "sha256": ")" + sha + R"(", "size": -1}])", "[0].size"},
           {R"([{"path": "a", "sha256": ")" + sha + R"(", "size": 1, "executable": 1}])",
            "[0].executable"},
       }) {
    auto r = parse_files_json(c.text, "files.json");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos)
        << "wanted '" << c.needle << "' in: " << r.error().message;
  }
}

struct BuildTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  ObjectStore objects{*fs, dir.path() / "objects"};
  fs::path asset = dir.path() / "Table";

  void SetUp() override {
    write_file(asset / "asset.toml",
               "[asset]\nname = \"Table\"\nversion = \"1.0.0\"\n[files]\n"
               "include = [\"**\"]\nexclude = [\"**/*.tmp\", \"cache/**\"]\n");
    write_file(asset / "mesh" / "model.obj", "v 0 0 0\n");
    write_file(asset / "tex" / "wood.png", "wood");
    write_file(asset / "bin" / "run.sh", "#!/bin/sh\n");
    chmod((asset / "bin" / "run.sh").c_str(), 0755);
    write_file(asset / "notes.tmp", "scratch");
    write_file(asset / "mesh" / "old.tmp", "scratch");
    write_file(asset / "cache" / "sim.bin", "cache");
    write_file(asset / ".git" / "HEAD", "ref: refs/heads/main\n");
    write_file(asset / ".reel" / "state", "{}");
    write_file(asset / "sub" / "asset.toml", "nested manifests are content");
    EXPECT_EQ(symlink("wood.png", (asset / "tex" / "current.png").c_str()), 0);
    EXPECT_EQ(symlink("../tex/wood.png", (asset / "mesh" / "wood.png").c_str()), 0);
  }
};

TEST_F(BuildTest, SnapshotsTheFolder) {
  auto built = build_package(*fs, objects, asset);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->manifest.name, "Table");
  EXPECT_EQ(built->manifest_text, fs->read_file(asset / "asset.toml").value());
  std::vector<std::string> paths;
  for (const auto& f : built->files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"bin/run.sh", "mesh/model.obj", "mesh/wood.png",
                                             "sub/asset.toml", "tex/current.png", "tex/wood.png"}));
  const auto& run = built->files[0];
  EXPECT_TRUE(run.executable);
  EXPECT_EQ(run.sha256, sha256_bytes("#!/bin/sh\n"));
  EXPECT_EQ(run.size, 10u);
  EXPECT_FALSE(built->files[1].executable);
  EXPECT_EQ(built->files[2].symlink, "../tex/wood.png");
  EXPECT_EQ(built->files[4].symlink, "wood.png");
  EXPECT_EQ(built->total_size, 10u + 8u + 28u + 4u);
  // Content went into the store; the archive reads back to the same package.
  for (const auto& f : built->files) {
    if (!f.symlink) {
      EXPECT_TRUE(objects.contains(f.sha256).value()) << f.path;
    }
  }
  EXPECT_EQ(built->archive_digest, sha256_bytes(built->archive_bytes));
  auto back = read_package(built->archive_bytes, "Table-1.0.0.reel");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->manifest_text, built->manifest_text);
  EXPECT_EQ(serialize_files_json(back->files), serialize_files_json(built->files));
  EXPECT_EQ(back->total_size, built->total_size);
  // Deterministic: the same folder gives the same archive.
  auto again = build_package(*fs, objects, asset);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->archive_digest, built->archive_digest);
}

TEST_F(BuildTest, IncludeNarrowsTheFiles) {
  write_file(asset / "asset.toml",
             "[asset]\nname = \"Table\"\nversion = \"1.0.0\"\n[files]\ninclude = [\"mesh/**\"]\n");
  auto built = build_package(*fs, objects, asset);
  ASSERT_TRUE(built) << built.error().message;
  std::vector<std::string> paths;
  for (const auto& f : built->files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"mesh/model.obj", "mesh/old.tmp", "mesh/wood.png"}));
}

TEST_F(BuildTest, RefusesSymlinksLeavingTheAsset) {
  for (const char* target : {"../../etc/passwd", "/etc/passwd", "../../Table/tex/wood.png"}) {
    fs::path link = asset / "tex" / "escape.png";
    ::unlink(link.c_str());
    ASSERT_EQ(symlink(target, link.c_str()), 0);
    auto built = build_package(*fs, objects, asset);
    ASSERT_FALSE(built) << target;
    EXPECT_EQ(built.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(built.error().message.find("tex/escape.png"), std::string::npos)
        << built.error().message;
    EXPECT_NE(built.error().message.find("leaves the asset"), std::string::npos);
  }
}

TEST_F(BuildTest, RefusesSpecialFilesAndBadNames) {
  ASSERT_EQ(mkfifo((asset / "mesh" / "pipe").c_str(), 0644), 0);
  auto built = build_package(*fs, objects, asset);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(built.error().message.find("mesh/pipe"), std::string::npos) << built.error().message;
  ::unlink((asset / "mesh" / "pipe").c_str());

  for (const char* name : {"bad\nname.obj", "bad\xff.obj", "tab\there.obj"}) {
    write_file(asset / "mesh" / name, "x");
    auto r = build_package(*fs, objects, asset);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("valid UTF-8 without control characters"), std::string::npos)
        << r.error().message;
    ::unlink((asset / "mesh" / name).c_str());
  }
  // An excluded file's name does not matter.
  write_file(asset / "mesh" / "bad\xff.tmp", "x");
  EXPECT_TRUE(build_package(*fs, objects, asset));
}

TEST_F(BuildTest, ManifestErrorsAndMissingManifest) {
  write_file(asset / "asset.toml", "[asset]\nname = \"Table\"\nversion = \"1.0\"\n");
  auto built = build_package(*fs, objects, asset);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message.find((asset / "asset.toml").string() + ":3"), std::string::npos)
      << built.error().message;
  ::unlink((asset / "asset.toml").c_str());
  built = build_package(*fs, objects, asset);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, ErrorCode::kNotFound);
}

TEST(ReadPackage, MissingOrBadMembersAreCorruption) {
  auto only_manifest =
      write_archive({{"asset.toml", "[asset]\nname = \"T\"\nversion = \"1.0.0\"\n"}});
  ASSERT_TRUE(only_manifest);
  auto r = read_package(*only_manifest, "T-1.0.0.reel");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_NE(r.error().message.find("T-1.0.0.reel: archive lacks files.json"), std::string::npos)
      << r.error().message;
  auto bad_manifest = write_archive({{"asset.toml", "[asset]\nname = 1\n"}, {"files.json", "[]"}});
  r = read_package(*bad_manifest, "T-1.0.0.reel");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  r = read_package("not an archive", "T-1.0.0.reel");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_NE(r.error().message.find("T-1.0.0.reel"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace reel
