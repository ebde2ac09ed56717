#include "reel/engine/package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <fstream>

#include "reel/storage/archive.h"
#include "reel/storage/fault_injection.h"
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
           {"[" + file("../x") + "]", "unsafe file list: '../x': has a '..' component"},
           {"[" + file("/etc/passwd") + "]", "is absolute"},
           {"[" + file("a//b") + "]", "empty component"},
           {"[" + file("a/./b") + "]", "'.' component"},
           // Issue 10: a package carrying git's or reel's metadata, in any spelling.
           {"[" + file(".git/config") + "]", "'.git/config': has the component '.git'"},
           {"[" + file(".Git/config") + "]", "'.Git'"},
           {"[" + file(".GIT") + "]", "'.GIT'"},
           {"[" + file("a/.git/hooks/post-checkout") + "]", "never packaged"},
           {"[" + file(".reel/installed.json") + "]", "'.reel'"},
           {"[" + file("asset.toml") + "]", "the manifest's name"},
           {"[" + file("Tex/a.png") + "," + file("tex/b.png") + "]", "differ only in case"},
           {"[" + file("a\\u0000b") + "]", "control character"},
           {"[" + file("b") + "," + file("a") + "]", "[1].path: 'a' is out of order"},
           {"[" + file("a") + "," + file("a") + "]", "listed twice"},
           {R"([{"path": "l", "symlink": "../../etc"}])", "'l' -> '../../etc': leaves the asset"},
           {R"([{"path": "l", "symlink": "/etc"}])", "is absolute"},
           {R"([{"path": "l", "symlink": "ok\u0000/../../etc"}])", "control character"},
           {R"([{"path": "l", "symlink": ".git/config"}])", "never packaged"},
           // Issue 10: each target stays inside as text; followed through `s`, it does not.
           {R"([{"path": "d/e/s", "symlink": "../.."}, {"path": "d/e/u", "symlink": "s/../x"}])",
            "'d/e/u' -> 's/../x': leaves the asset"},
           {"[" + std::string(200, '[') + std::string(200, ']') + "]", "nesting deeper than 128"},
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
    EXPECT_NE(built.error().message.find("cannot be packaged"), std::string::npos)
        << built.error().message;
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
    EXPECT_NE(r.error().message.find("cannot be packaged: the path"), std::string::npos)
        << r.error().message;
    ::unlink((asset / "mesh" / name).c_str());
  }
  // An excluded file's name does not matter.
  write_file(asset / "mesh" / "bad\xff.tmp", "x");
  EXPECT_TRUE(build_package(*fs, objects, asset));
}

TEST_F(BuildTest, NeverPackagesGitOrReelFoldersAtAnyDepth) {
  // A vendored checkout inside the asset: its .git is left out, in any case spelling, as the
  // root's is; what builds is what installs (parse_files_json accepts the result).
  write_file(asset / "tools" / "lib" / ".git" / "config", "[core]\n");
  write_file(asset / "tools" / "lib" / ".GIT" / "x", "x");
  write_file(asset / "tools" / "lib" / ".Reel" / "y", "y");
  write_file(asset / "tools" / "lib" / "lib.py", "code");
  auto built = build_package(*fs, objects, asset);
  ASSERT_TRUE(built) << built.error().message;
  for (const auto& f : built->files)
    EXPECT_EQ(f.path.find("/.git"), std::string::npos) << f.path;
  EXPECT_TRUE(parse_files_json(serialize_files_json(built->files), "files.json"));
  bool has_lib = false;
  for (const auto& f : built->files) has_lib = has_lib || f.path == "tools/lib/lib.py";
  EXPECT_TRUE(has_lib);
}

TEST_F(BuildTest, RefusesCaseOnlyDuplicatesAndLinksThroughLinks) {
  write_file(asset / "mesh" / "Model.obj", "other");
  auto dup = build_package(*fs, objects, asset);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("differ only in case"), std::string::npos)
      << dup.error().message;
  ::unlink((asset / "mesh" / "Model.obj").c_str());
  fs::create_directories(asset / "d" / "e");
  ASSERT_EQ(symlink("../..", (asset / "d" / "e" / "s").c_str()), 0);
  ASSERT_EQ(symlink("s/../x", (asset / "d" / "e" / "u").c_str()), 0);
  auto escape = build_package(*fs, objects, asset);
  ASSERT_FALSE(escape);
  EXPECT_NE(escape.error().message.find("leaves the asset"), std::string::npos)
      << escape.error().message;
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

// A 120-frame sequence: the shape the stat cache and the worker pool are for.
struct SequenceBuildTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  ObjectStore objects{*fs, dir.path() / "objects"};
  fs::path asset = dir.path() / "Shot";
  fs::path cache_file = dir.path() / "stat-cache";
  static constexpr int kFrames = 120;

  static std::string frame_name(int i) {
    char name[32];
    std::snprintf(name, sizeof name, "renders/frame.%04d.exr", i);
    return name;
  }
  void SetUp() override {
    write_file(asset / "asset.toml", "[asset]\nname = \"Shot\"\nversion = \"1.0.0\"\n");
    for (int i = 1; i <= kFrames; ++i)
      write_file(asset / frame_name(i), "frame " + std::to_string(i) + std::string(i * 7, 'x'));
  }
  // Saves the cache and dates it 10 s ahead, so the files just written are not racy.
  void save_cache(const StatCache& cache) {
    ASSERT_TRUE(cache.save(*fs, cache_file));
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    timespec times[2] = {now, now};
    times[1].tv_sec += 10;
    ASSERT_EQ(utimensat(AT_FDCWD, cache_file.c_str(), times, 0), 0);
  }
};

TEST_F(SequenceBuildTest, TheResultDoesNotDependOnTheNumberOfThreads) {
  BuildOptions one;
  one.jobs = 1;
  auto serial = build_package(*fs, objects, asset, one);
  ASSERT_TRUE(serial) << serial.error().message;
  EXPECT_EQ(serial->files.size(), static_cast<std::size_t>(kFrames));
  EXPECT_EQ(serial->stats.files_hashed, static_cast<std::uint64_t>(kFrames));
  std::atomic<int> progress{0};
  BuildOptions four;
  four.jobs = 4;
  four.progress = [&](const std::string&, std::uint64_t) { ++progress; };
  auto parallel = build_package(*fs, objects, asset, four);
  ASSERT_TRUE(parallel) << parallel.error().message;
  EXPECT_EQ(parallel->archive_digest, serial->archive_digest);
  EXPECT_EQ(progress.load(), kFrames);
  EXPECT_EQ(parallel->files[9].path, frame_name(10));
  EXPECT_EQ(parallel->files[9].sha256, sha256_bytes("frame 10" + std::string(70, 'x')));
}

TEST_F(SequenceBuildTest, AStatCacheHashesOnlyTheChangedFrames) {
  StatCache cache;
  BuildOptions options;
  options.stat_cache = &cache;
  auto first = build_package(*fs, objects, asset, options);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->stats.files_hashed, static_cast<std::uint64_t>(kFrames));
  EXPECT_EQ(cache.size(), static_cast<std::size_t>(kFrames));
  save_cache(cache);

  // Three frames re-rendered; one of them keeps its size and gets its old mtime back (forged):
  // its ctime still moved, so it is hashed too.
  auto old_stat = fs->stat(asset / frame_name(7)).value();
  write_file(asset / frame_name(7), "FRAME 7" + std::string(7 * 7, 'y'));
  ASSERT_EQ(fs->stat(asset / frame_name(7))->size, old_stat.size);
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = old_stat.mtime_ns / 1000000000;
  times[0].tv_nsec = times[1].tv_nsec = old_stat.mtime_ns % 1000000000;
  ASSERT_EQ(utimensat(AT_FDCWD, (asset / frame_name(7)).c_str(), times, 0), 0);
  write_file(asset / frame_name(50), "re-rendered 50");
  write_file(asset / frame_name(99), "re-rendered 99");

  StatCache reloaded;
  ASSERT_TRUE(reloaded.load(*fs, cache_file));
  options.stat_cache = &reloaded;
  auto second = build_package(*fs, objects, asset, options);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->stats.files_hashed, 3u);
  EXPECT_EQ(second->stats.files_unchanged, static_cast<std::uint64_t>(kFrames - 3));
  EXPECT_EQ(second->files[6].sha256, sha256_bytes("FRAME 7" + std::string(49, 'y')));
  EXPECT_EQ(second->files[49].sha256, sha256_bytes("re-rendered 50"));
  // The same package as a build that hashes everything.
  auto full = build_package(*fs, objects, asset);
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(second->archive_digest, full->archive_digest);
}

TEST_F(SequenceBuildTest, AStatCacheHitWhoseObjectIsGoneIsHashedAgain) {
  StatCache cache;
  BuildOptions options;
  options.stat_cache = &cache;
  auto first = build_package(*fs, objects, asset, options);
  ASSERT_TRUE(first) << first.error().message;
  save_cache(cache);
  // The object store lost frame 3 (a gc, a new cache directory).
  ASSERT_TRUE(fs->remove(objects.object_path(first->files[2].sha256)));
  StatCache reloaded;
  ASSERT_TRUE(reloaded.load(*fs, cache_file));
  options.stat_cache = &reloaded;
  auto second = build_package(*fs, objects, asset, options);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->stats.files_hashed, 1u);
  EXPECT_TRUE(objects.contains(first->files[2].sha256).value());
}

TEST_F(SequenceBuildTest, AFileChangingWhileItIsReadFailsTheBuild) {
  FaultInjectingFileSystem faulty(*fs);
  ObjectStore store(faulty, dir.path() / "objects");
  // Another process appends to frame 33 just as it is opened for hashing.
  const fs::path victim = asset / frame_name(33);
  faulty.before(FsOp::kOpenRead, frame_name(33), [&](const fs::path&) {
    std::ofstream(victim, std::ios::app) << "more samples";
  });
  BuildOptions options;
  options.jobs = 2;
  auto built = build_package(faulty, store, asset, options);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, ErrorCode::kConflict);
  EXPECT_EQ(built.error().message,
            victim.string() + ": changed while it was being read (publish again)");
}

TEST_F(SequenceBuildTest, RunningOutOfSpaceFailsCleanly) {
  FaultInjectingFileSystem faulty(*fs);
  ObjectStore store(faulty, dir.path() / "objects");
  faulty.fail_writes_after(20000);
  auto built = build_package(faulty, store, asset);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, ErrorCode::kNoSpace) << built.error().message;
  // No temp file is left in the store's temp folder, and every stored object is complete.
  auto temps = fs->list_dir(store.temp_dir());
  if (temps) {
    EXPECT_TRUE(temps->empty());
  }
  for (int i = 1; i <= kFrames; ++i) {
    Digest d = sha256_bytes("frame " + std::to_string(i) + std::string(i * 7, 'x'));
    if (store.contains(d).value()) {
      EXPECT_TRUE(store.verify(d)) << frame_name(i);
    }
  }
}

}  // namespace
}  // namespace reel
