// Helpers shared by the engine's unit tests (private): asset folders on disk and a repo fixture.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "reel/engine/package.h"
#include "reel/engine/repo.h"
#include "reel/storage/file_system.h"
#include "reel/storage/object_store.h"
#include "reel/storage/testing.h"

namespace reel::engine_testing {

// A test with a temp dir, the real file system, a cache object store and a fixed clock.
struct RepoTest : ::testing::Test {
  reel::testing::TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  ObjectStore cache{*fs, dir.path() / "cache"};
  reel::testing::FixedClock clock;
  int counter = 0;

  // Writes an asset folder NAME-VERSION-N with asset.toml, one content file holding `payload`,
  // a scratch file and a .git folder; `deps` is the body of [dependencies].
  fs::path asset(const std::string& name, const std::string& version, const std::string& payload,
                 const std::string& deps = "") {
    fs::path root = dir.path() / "src" / (name + "-" + version + "-" + std::to_string(counter++));
    reel::testing::write_file(root / "asset.toml",
                              "[asset]\nname = \"" + name + "\"\nversion = \"" + version +
                                  "\"\ntype = \"prop\"\n[dependencies]\n" + deps);
    reel::testing::write_file(root / "mesh" / "model.obj", payload);
    reel::testing::write_file(root / "tex" / "wood.png", "png:" + name);
    reel::testing::write_file(root / ".git" / "HEAD", "ref: refs/heads/main\n");
    return root;
  }

  // A new folder repo at dir/NAME, opened through `through` (the real file system by default).
  std::unique_ptr<Repo> make_repo(const std::string& name, FileSystem* through = nullptr) {
    fs::path root = dir.path() / name;
    EXPECT_TRUE(init_folder_repo(*fs, root, name));
    auto repo = open_repo(through ? *through : *fs, root.string());
    EXPECT_TRUE(repo) << repo.error().message;
    return std::move(*repo);
  }

  Status publish(Repo& repo, const fs::path& asset_dir, SourceInfo source = {}) {
    auto built = build_package(*fs, cache, asset_dir);
    if (!built) return tl::unexpected(built.error());
    return repo.publish(*built, cache, make_index_entry(*built, source, clock));
  }

  // The bytes of a repo's index file for `lower`, or "" if it does not exist.
  std::string index_text(const std::string& repo, const std::string& lower) {
    auto text = fs->read_file(dir.path() / repo / "index" / (lower + ".json"));
    return text ? *text : std::string();
  }
};

}  // namespace reel::engine_testing
