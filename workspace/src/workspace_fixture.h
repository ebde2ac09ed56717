// Test support for the workspace tests: a temp dir with a real folder repo ("blessed") holding a
// few small published packages, a real file system, a cache and a reporter that records warnings.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "reel/engine/package.h"
#include "reel/engine/repo.h"
#include "reel/storage/testing.h"
#include "reel/workspace/workspace.h"

namespace reel {

class RecordingReporter : public Reporter {
 public:
  void warn(std::string_view m) override { warnings.emplace_back(m); }
  void info(std::string_view) override {}
  void progress(const TransferStatus& s) override {
    std::lock_guard<std::mutex> hold(mutex);
    transfers.push_back(Transfer{std::string(s.what), s.bytes, s.bytes_total, s.files,
                                 s.files_total, s.finished});
  }
  std::vector<std::string> warnings;
  struct Transfer {  // a copy of each progress call
    std::string what;
    std::uint64_t bytes, bytes_total, files, files_total;
    bool finished;
  };
  std::mutex mutex;
  std::vector<Transfer> transfers;
};

// Leg 1.0.0; Table 1.0.0 and 2.0.0 (both depend on Leg ^1); Lamp 1.0.0. Each has model.obj
// holding `payload` and [env] NAME_ROOT = "{root}".
struct WorkspaceFixture : ::testing::Test {
  testing::TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  testing::FixedClock clock;
  RecordingReporter reporter;
  Cache cache{*fs, dir.path() / "cache"};
  Context ctx{*fs, clock, cache, reporter, {}};

  void SetUp() override {
    ASSERT_TRUE(init_folder_repo(*fs, dir.path() / "repo", "blessed"));
    publish("Leg", "1.0.0", "", "leg-v1");
    publish("Table", "1.0.0", "Leg = \"^1\"\n", "table-v1");
    publish("Table", "2.0.0", "Leg = \"^1\"\n", "table-v2");
    publish("Lamp", "1.0.0", "", "lamp");
  }

  // Builds a package from files written here and publishes it to the folder repo `repo`.
  void publish(const std::string& name, const std::string& version, const std::string& deps,
               const std::string& payload, const std::string& repo = "repo",
               const std::vector<std::pair<std::string, std::string>>& extra_files = {}) {
    fs::path src = dir.path() / "src" / (repo + "-" + name + version);
    testing::write_file(src / "asset.toml", "[asset]\nname = \"" + name + "\"\nversion = \"" +
                                                version + "\"\n[dependencies]\n" + deps +
                                                "[env]\n" + name + "_ROOT = \"{root}\"\n");
    testing::write_file(src / "model.obj", payload);
    for (const auto& [path, data] : extra_files) testing::write_file(src / path, data);
    ObjectStore staging(*fs, dir.path() / "staging");
    auto built = build_package(*fs, staging, src);
    ASSERT_TRUE(built) << built.error().message;
    auto opened = open_repo(*fs, (dir.path() / repo).string());
    ASSERT_TRUE(opened) << opened.error().message;
    ASSERT_TRUE((*opened)->publish(*built, staging, make_index_entry(*built, SourceInfo{}, clock)));
  }

  // A new workspace in dir/NAME whose only repo is the fixture's "blessed".
  Workspace make(const std::string& name, LinkMode mode = LinkMode::kAuto) {
    InitOptions o;
    o.repos = {{"blessed", (dir.path() / "repo").string()}};
    o.link_mode = mode;
    return Workspace::create(ctx, dir.path() / name, o).value();
  }

  void require(Workspace& ws, std::vector<std::pair<std::string, std::string>> requirements) {
    ws.config().requirements = std::move(requirements);
    ASSERT_TRUE(ws.save_config());
  }
};

}  // namespace reel
