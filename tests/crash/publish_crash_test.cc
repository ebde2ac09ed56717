// Crash sweeps of `reel publish` (a folder repo: objects built straight into the repo, then the
// archive, then the index, under the repo lock) and `reel promote`.
#include <gtest/gtest.h>

#include "reel/engine/names.h"
#include "reel/workspace/outputs.h"
#include "sweep.h"

namespace reel::crash {
namespace {

// The repo's index has `name` `version` (repo_problems checks its archive and objects).
void expect_in_index(World& w, const std::string& repo, const std::string& name,
                     const std::string& version) {
  auto opened = open_repo(w.real(), w.repo(repo).string());
  ASSERT_TRUE(opened) << opened.error().message;
  auto index = (*opened)->read_index(name);
  ASSERT_TRUE(index && *index) << name << " has no index in " << repo;
  EXPECT_NE((*index)->find(Version::parse(version).value()), nullptr) << name << " " << version;
}

// The same, and no temp file is left anywhere in the repo.
void expect_published(World& w, const std::string& repo, const std::string& name,
                      const std::string& version) {
  expect_in_index(w, repo, name, version);
  EXPECT_EQ(temp_files(w.repo(repo)), std::vector<std::string>{});
}

// `reel publish NAME --allow-dirty` from workspace "pub", as the CLI runs it.
Status publish_from(World& w, FileSystem& fs, const std::string& name) {
  Session s(fs, w.cache_dir());
  auto ws = Workspace::find(s.ctx, w.workspace("pub"));
  if (!ws) return tl::unexpected(ws.error());
  auto published = publish_output(*ws, name, std::nullopt, true);
  if (!published) return tl::unexpected(published.error());
  return ok();
}

void check_repo_and_cache(World& w, PowerLossModel model) {
  EXPECT_EQ(repo_problems(w.real(), w.repo("blessed")), std::vector<std::string>{});
  EXPECT_EQ(cache_problems(w.real(), w.cache_dir(), model, w.object_sizes()),
            std::vector<std::string>{});
}

// The next publish meets a killed one's leftovers an age later (temp files younger than an hour
// may belong to a live publisher on another machine: decisions.md).
void age_leftovers(World& w) { w.age(w.repo("blessed")); }

TEST(CrashSweep, PublishIntoAnEmptyRepo) {
  Operation op;
  op.name = "publish (first version, empty repo)";
  op.setup = [](World& w) {
    w.init_repo("blessed");
    w.make_workspace("pub", {"blessed"}, {});
    w.write_asset(w.workspace("pub") / "outputs" / "Table", "Table", "1.0.0", table_v1());
  };
  op.run = [](World& w, FileSystem& fs) { return publish_from(w, fs, "Table"); };
  op.check = [](World& w, PowerLossModel model, bool complete) {
    check_repo_and_cache(w, model);
    if (complete) expect_published(w, "blessed", "Table", "1.0.0");
  };
  op.durable = [](World& w, PowerLossModel) { expect_in_index(w, "blessed", "Table", "1.0.0"); };
  op.before_rerun = age_leftovers;
  EXPECT_GT(sweep_both(op), 10u);
}

TEST(CrashSweep, PublishANewVersion) {
  Operation op;
  op.name = "publish (new version)";
  op.setup = [](World& w) {
    // 1.0.0 published from the same output, so its stat cache is there when 2.0.0 is built:
    // unchanged files are not hashed again if their objects are still in the repo.
    w.init_repo("blessed");
    w.make_workspace("pub", {"blessed"}, {});
    const fs::path out = w.workspace("pub") / "outputs" / "Table";
    w.write_asset(out, "Table", "1.0.0", table_v1());
    ASSERT_TRUE(publish_from(w, w.real(), "Table"));
    AssetFiles changed = table_v2();
    changed.erase("tex/wood.png");  // untouched: a stat-cache hit
    changed.erase("latest.obj");
    fs::remove(out / "tex" / "notes.txt");
    fs::remove(out / "bin" / "turntable.sh");
    fs::remove(out / "model.obj");
    w.write_asset(out, "Table", "2.0.0", changed);
  };
  op.run = [](World& w, FileSystem& fs) { return publish_from(w, fs, "Table"); };
  op.check = [](World& w, PowerLossModel model, bool complete) {
    check_repo_and_cache(w, model);
    // 1.0.0 is never lost, whatever the point.
    auto opened = open_repo(w.real(), w.repo("blessed").string()).value();
    auto index = opened->read_index("Table");
    ASSERT_TRUE(index && *index);
    EXPECT_NE((*index)->find(Version::parse("1.0.0").value()), nullptr);
    if (complete) expect_published(w, "blessed", "Table", "2.0.0");
  };
  op.durable = [](World& w, PowerLossModel) { expect_in_index(w, "blessed", "Table", "2.0.0"); };
  op.before_rerun = age_leftovers;
  EXPECT_GT(sweep_both(op), 10u);
}

TEST(CrashSweep, Promote) {
  Operation op;
  op.name = "promote (review -> blessed)";
  op.setup = [](World& w) {
    w.init_repo("blessed");
    w.init_repo("review");
    w.publish("blessed", "Leg", "1.0.0", leg_v1());
    w.publish("review", "Table", "1.0.0", table_v1(), "Leg = \"^1\"\n");
    w.make_workspace("pub", {"blessed", "review"}, {});
  };
  op.run = [](World& w, FileSystem& fs) -> Status {
    Session s(fs, w.cache_dir());
    auto ws = Workspace::find(s.ctx, w.workspace("pub"));
    if (!ws) return tl::unexpected(ws.error());
    auto promoted = promote_version(*ws, "Table", Version::parse("1.0.0").value(), "review",
                                    "blessed", false, /*force=*/true);
    if (!promoted) return tl::unexpected(promoted.error());
    return ok();
  };
  op.check = [](World& w, PowerLossModel model, bool complete) {
    check_repo_and_cache(w, model);
    EXPECT_EQ(repo_problems(w.real(), w.repo("review")), std::vector<std::string>{});
    if (complete) expect_published(w, "blessed", "Table", "1.0.0");
  };
  op.durable = [](World& w, PowerLossModel) { expect_in_index(w, "blessed", "Table", "1.0.0"); };
  op.before_rerun = age_leftovers;
  EXPECT_GT(sweep_both(op), 10u);
}

}  // namespace
}  // namespace reel::crash
