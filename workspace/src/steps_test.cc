#include "reel/workspace/steps.h"

#include <gtest/gtest.h>

#include <functional>

#include "reel/workspace/install.h"
#include "reel/workspace/outputs.h"
#include "workspace_fixture.h"

namespace reel {
namespace {

constexpr auto write = testing::write_file;

// Records what would run and plays the part of each step: `act` gets the request and returns
// the exit code (it may write files, as a real command would).
class FakeRunner : public ProcessRunner {
 public:
  std::function<int(const ProcessRequest&)> act = [](const ProcessRequest&) { return 0; };
  std::vector<ProcessRequest> requests;
  std::string stderr_text;
  Result<ProcessOutcome> run(const ProcessRequest& r) override {
    requests.push_back(r);
    ProcessOutcome o;
    o.exit_code = act(r);
    o.stderr_tail = stderr_text;
    return o;
  }
  // The step each request ran, found by its command text.
  std::vector<std::string> ran(const std::vector<std::pair<std::string, std::string>>& cmds) const {
    std::vector<std::string> out;
    for (const auto& r : requests) {
      for (const auto& [name, cmd] : cmds) {
        if (r.argv.size() == 3 && r.argv[2] == cmd) out.push_back(name);
      }
    }
    return out;
  }
};

constexpr const char* kShot = R"([asset]
name = "Shot"
version = "1.0.0"
[dependencies]
Table = "^1"
[[step]]
name = "publish-report"
cmd = "report"
deps = ["preview.mp4", "table.glb"]
outs = ["report.txt"]
[[step]]
name = "preview"
cmd = "make-preview"
deps = ["frames/"]
outs = ["preview.mp4"]
[[step]]
name = "mesh"
cmd = "make-mesh"
deps = ["pkg:Table"]
outs = ["table.glb"]
)";

struct StepsFixture : WorkspaceFixture {
  std::optional<Workspace> ws;
  FakeRunner runner;
  fs::path shot;
  std::map<std::string, std::string> outputs = {
      {"make-preview", "preview.mp4"}, {"make-mesh", "table.glb"}, {"report", "report.txt"}};
  const std::vector<std::pair<std::string, std::string>> cmds = {
      {"preview", "make-preview"}, {"mesh", "make-mesh"}, {"publish-report", "report"}};

  void SetUp() override {
    WorkspaceFixture::SetUp();
    ws.emplace(make("ws"));
    ASSERT_TRUE(new_output(*ws, "Shot", {}));
    shot = ws->outputs_dir() / "Shot";
    write(shot / "asset.toml", kShot);
    for (int i = 1; i <= 3; ++i)
      write(shot / "frames" / ("f" + std::to_string(i) + ".png"), "frame");
    ASSERT_TRUE(sync_workspace(*ws, SyncMode::kResolveIfNeeded, {}));  // locks Table for pkg:
    // Each command writes its out, with content that depends on what it read.
    runner.act = [this](const ProcessRequest& r) {
      std::string cmd = r.argv.at(2);
      std::string body = cmd + ":" + fs->read_file(shot / "frames" / "f1.png").value();
      write(r.cwd / outputs.at(cmd), body);
      return 0;
    };
  }
  std::vector<std::string> build() {
    runner.requests.clear();
    auto report = run_steps(*ws, "Shot", runner);
    EXPECT_TRUE(report) << report.error().message;
    return runner.ran(cmds);
  }
};

TEST_F(StepsFixture, RunsStaleStepsInDependencyOrderAndRecordsThem) {
  EXPECT_EQ(build(), (std::vector<std::string>{"preview", "mesh", "publish-report"}));
  const ProcessRequest& first = runner.requests.at(0);
  EXPECT_EQ(first.argv.at(0), "/bin/sh");
  EXPECT_EQ(first.cwd, shot);
  EXPECT_EQ(first.environment.at("Table_ROOT"), (ws->inputs_dir() / "Table").string());
  EXPECT_TRUE(first.stdout_to_stderr);
  auto lock = parse_steps_lock(fs->read_file(shot / "steps.lock").value(), "steps.lock").value();
  ASSERT_EQ(lock.steps.size(), 3u);
  const StepRecord* mesh = lock.find("mesh");
  ASSERT_NE(mesh, nullptr);
  EXPECT_EQ(mesh->deps.at(0).path, "pkg:Table");
  EXPECT_EQ(mesh->deps.at(0).sha256, ws->read_lock().value()->find("Table")->archive);
  EXPECT_EQ(mesh->outs.at(0).sha256, sha256_bytes("make-mesh:frame"));
  EXPECT_EQ(lock.find("preview")->deps.at(0).files, 3u);

  EXPECT_TRUE(build().empty());  // nothing changed: nothing runs
  LockFile lock_file = ws->read_lock().value().value();
  auto states = step_states(*ws, "Shot", &lock_file).value();
  for (const auto& s : states) EXPECT_FALSE(s.stale) << s.name << ": " << *s.stale;

  // One frame changes: preview runs, and the report that reads preview.mp4; mesh does not.
  write(shot / "frames" / "f2.png", "changed");
  states = step_states(*ws, "Shot", &lock_file).value();
  EXPECT_EQ(states.at(0).name, "preview");
  EXPECT_EQ(states.at(0).stale.value(), "frames/ changed");
  EXPECT_EQ(build(), (std::vector<std::string>{"preview"}));  // its out is the same bytes

  write(shot / "frames" / "f1.png", "other");  // now preview.mp4's bytes change too
  EXPECT_EQ(build(), (std::vector<std::string>{"preview", "publish-report"}));

  // An out edited by hand, or removed, makes its step stale (dvc's rule).
  write(shot / "table.glb", "hand edit");
  EXPECT_EQ(build(), (std::vector<std::string>{"mesh", "publish-report"}));  // new bytes
  // A changed cmd.
  std::string edited = kShot;
  edited.replace(edited.find("cmd = \"report\""), 14, "cmd = \"make-preview\"");
  // (make-preview writes preview.mp4, not report.txt: a step that misses its out.)
  write(shot / "asset.toml", edited);
  auto missing = run_steps(*ws, "Shot", runner);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(
                "outputs/Shot step publish-report: `make-preview` exited with status 0 but did "
                "not write its out report.txt"),
            std::string::npos)
      << missing.error().message;
  EXPECT_EQ(fs->stat(shot / "report.txt").value().type, FileType::kMissing);
  auto kept = parse_steps_lock(fs->read_file(shot / "steps.lock").value(), "steps.lock").value();
  EXPECT_EQ(kept.find("publish-report")->cmd, "report");  // the old record stays
}

TEST_F(StepsFixture, AFailingStepShowsItsExitCodeAndStderrAndRecordsNothing) {
  ASSERT_EQ(build().size(), 3u);
  std::string before = fs->read_file(shot / "steps.lock").value();
  write(shot / "frames" / "f1.png", "new");
  runner.stderr_text = "line 1\nffmpeg: frames/f%d.png: No such file\n";
  runner.act = [](const ProcessRequest& r) {
    write(r.cwd / "preview.mp4", "half");  // a half-written out
    return 3;
  };
  runner.requests.clear();
  auto failed = run_steps(*ws, "Shot", runner);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message,
            "outputs/Shot step preview: `make-preview` exited with status 3; nothing was recorded "
            "in steps.lock and its outs were removed\n  its stderr ended with:\n    line 1\n    "
            "ffmpeg: frames/f%d.png: No such file");
  EXPECT_EQ(runner.requests.size(), 1u);  // later steps did not run
  EXPECT_EQ(fs->stat(shot / "preview.mp4").value().type, FileType::kMissing);
  EXPECT_EQ(fs->read_file(shot / "steps.lock").value(), before);
  // Publishing refuses stale steps (and never runs them).
  auto publish = publish_output(*ws, "Shot", std::nullopt, true);
  ASSERT_FALSE(publish);
  EXPECT_EQ(publish.error().code, ErrorCode::kConflict);
  EXPECT_NE(publish.error().message.find("outputs/Shot has stale steps: preview (frames/ changed)"),
            std::string::npos)
      << publish.error().message;
  EXPECT_TRUE(publish_output(*ws, "Shot", std::nullopt, true, /*allow_stale=*/true));
}

TEST_F(StepsFixture, APkgDepTheLockLacksIsAnErrorNamingIt) {
  write(shot / "asset.toml",
        "[asset]\nname = \"Shot\"\nversion = \"1.0.0\"\n[[step]]\nname = \"m\"\ncmd = \"x\"\n"
        "deps = [\"pkg:Lamp\"]\n");
  auto r = run_steps(*ws, "Shot", runner);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("outputs/Shot step m: pkg:Lamp is not in reel.lock"),
            std::string::npos)
      << r.error().message;
  EXPECT_TRUE(runner.requests.empty());
}

TEST_F(StepsFixture, StepsLockAndOutsArePackagedWhateverFilesSays) {
  std::string only_frames = kShot;
  only_frames.insert(only_frames.find("[[step]]"), "[files]\ninclude = [\"frames/**\"]\n");
  write(shot / "asset.toml", only_frames);
  ASSERT_EQ(build().size(), 3u);
  auto built = build_output(*ws, "Shot").value();
  std::vector<std::string> paths;
  for (const auto& f : built.files) paths.push_back(f.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"frames/f1.png", "frames/f2.png", "frames/f3.png",
                                      "preview.mp4", "report.txt", "steps.lock", "table.glb"}));
}

}  // namespace
}  // namespace reel
