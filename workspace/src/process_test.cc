// The POSIX ProcessRunner against real programs (/bin/sh), in temp folders.
#include "reel/workspace/process.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>

#include "reel/storage/testing.h"

namespace reel {
namespace {

TEST(ProcessRunner, RunsInTheRequestedFolderAndEnvironmentAndReportsHowItEnded) {
  testing::TempDir dir;
  auto runner = make_process_runner();
  ProcessRequest r;
  r.argv = {"/bin/sh", "-c", "pwd > out.txt; echo \"$ONLY_HERE\" >> out.txt; exit 7"};
  r.environment = {{"ONLY_HERE", "a b"}};
  r.cwd = dir.path();
  auto outcome = runner->run(r);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, 7);
  EXPECT_EQ(outcome->signal, 0);
  std::ifstream in(dir.path() / "out.txt");
  std::string cwd, value;
  std::getline(in, cwd);
  std::getline(in, value);
  EXPECT_EQ(fs::path(cwd), dir.path());
  EXPECT_EQ(value, "a b");  // nothing else of reel's environment leaks in: only what was asked
  r.argv = {"/bin/sh", "-c", "kill -TERM $$"};
  outcome = runner->run(r);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->signal, SIGTERM);
  EXPECT_EQ(outcome->exit_code, 128 + SIGTERM);
}

TEST(ProcessRunner, KeepsTheTailOfStderr) {
  testing::TempDir dir;
  ProcessRequest r;
  r.argv = {"/bin/sh", "-c",
            "i=0; while [ $i -lt 500 ]; do echo \"line $i\" >&2; i=$((i+1)); done"};
  r.cwd = dir.path();
  r.stderr_tail = 64;
  auto outcome = make_process_runner()->run(r);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->stderr_tail.size(), 64u);
  EXPECT_EQ(outcome->stderr_tail.substr(outcome->stderr_tail.size() - 9), "line 499\n");
}

// The program is looked up in the child's PATH, not reel's: an asset's bin/ is found.
TEST(ProcessRunner, FindsProgramsInTheRequestsPath) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "bin" / "kitchen-info", "#!/bin/sh\necho found > \"$1\"\n");
  ASSERT_EQ(::chmod((dir.path() / "bin" / "kitchen-info").c_str(), 0755), 0);
  testing::write_file(dir.path() / "plain" / "kitchen-info", "not executable");
  ProcessRequest r;
  r.argv = {"kitchen-info", (dir.path() / "out.txt").string()};
  r.environment = {{"PATH", (dir.path() / "plain").string() + ":" + (dir.path() / "bin").string()}};
  r.cwd = dir.path();
  auto outcome = make_process_runner()->run(r);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_TRUE(fs::exists(dir.path() / "out.txt"));
  EXPECT_EQ(find_program("kitchen-info", r.environment["PATH"], dir.path()),
            dir.path() / "bin" / "kitchen-info");
  EXPECT_EQ(find_program("kitchen-info", ":/nonexistent", dir.path() / "bin"),
            dir.path() / "bin" / "kitchen-info");  // an empty entry is the folder
  r.argv = {"no-such-program"};
  auto missing = make_process_runner()->run(r);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("cannot run 'no-such-program': not found in PATH"),
            std::string::npos);
}

}  // namespace
}  // namespace reel
