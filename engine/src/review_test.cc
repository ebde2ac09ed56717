// Review, yank and the audit log on real folder repos (repo.h set_review / set_yank, publish's
// and promote's audit lines; docs/decisions.md "Review, yank and the audit log").
#include <gtest/gtest.h>

#include "engine_test_util.h"
#include "reel/engine/repo.h"
#include "reel/storage/fault_injection.h"

namespace reel {
namespace {

using engine_testing::RepoTest;

Version v(const char* text) { return Version::parse(text).value(); }

struct ReviewTest : RepoTest {
  std::unique_ptr<Repo> repo = make_repo("review");

  void SetUp() override {
    auto built = build_package(*fs, cache, asset("Table", "3.3.0", "table")).value();
    ASSERT_TRUE(repo->publish(built, cache,
                              make_index_entry(built, SourceInfo{"abc123", false}, clock),
                              AuditInfo{"Pat Publisher <pat@studio>", "", "publish", ""}));
  }

  std::string log_text(const std::string& name = "review") {
    auto text = fs->read_file(dir.path() / name / "log" / "audit.jsonl");
    return text ? *text : std::string();
  }
  AuditLog log(Repo& r) { return r.read_audit_log().value(); }
  IndexEntry entry(Repo& r, const char* version = "3.3.0") {
    return *r.read_index("Table").value()->find(v(version));
  }
};

TEST_F(ReviewTest, PublishStartsPendingAndIsLogged) {
  EXPECT_EQ(entry(*repo).review.current.state, ReviewState::kPending);
  AuditLog l = log(*repo);
  ASSERT_EQ(l.records.size(), 1u);
  EXPECT_EQ(l.records[0].action, "publish");
  EXPECT_EQ(l.records[0].actor, "Pat Publisher <pat@studio>");
  EXPECT_EQ(l.records[0].name, "Table");
  EXPECT_EQ(l.records[0].version, "3.3.0");
  EXPECT_EQ(l.records[0].commit, "abc123");
  EXPECT_EQ(l.records[0].at, entry(*repo).published);
}

TEST_F(ReviewTest, RejectThenApproveKeepsTheHistory) {
  ASSERT_TRUE(repo->set_review(
      "table", v("3.3.0"), ReviewRecord{ReviewState::kRejected, "Jade", "t1", "legs too thin"}));
  ASSERT_TRUE(repo->set_review("Table", v("3.3.0"),
                               ReviewRecord{ReviewState::kApproved, "Jade", "t2", "fixed"}));
  IndexEntry e = entry(*repo);
  EXPECT_EQ(e.review.current.state, ReviewState::kApproved);
  EXPECT_EQ(e.review.current.by, "Jade");
  EXPECT_EQ(e.review.current.note, "fixed");
  ASSERT_EQ(e.review.history.size(), 2u);  // the initial pending, then the rejection
  EXPECT_EQ(e.review.history[0].state, ReviewState::kPending);
  EXPECT_EQ(e.review.history[1].state, ReviewState::kRejected);
  EXPECT_EQ(e.review.history[1].note, "legs too thin");
  AuditLog l = log(*repo);
  ASSERT_EQ(l.records.size(), 3u);
  EXPECT_EQ(l.records[1].action, "reject");
  EXPECT_EQ(l.records[1].note, "legs too thin");
  EXPECT_EQ(l.records[1].name, "Table");  // the index's spelling
  EXPECT_EQ(l.records[2].action, "approve");
  EXPECT_EQ(l.records[2].actor, "Jade");
  EXPECT_EQ(l.records[2].at, "t2");
}

TEST_F(ReviewTest, RefusalsLeaveIndexAndLogByteIdentical) {
  const std::string index_before = index_text("review", "table");
  const std::string log_before = log_text();
  auto no_note =
      repo->set_review("Table", v("3.3.0"), ReviewRecord{ReviewState::kRejected, "J", "t", ""});
  ASSERT_FALSE(no_note);
  EXPECT_EQ(no_note.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_note.error().message, "rejecting Table 3.3.0 needs a note");
  auto missing =
      repo->set_review("Table", v("9.9.9"), ReviewRecord{ReviewState::kApproved, "J", "t", ""});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "Table 9.9.9 is not published in repo 'review'");
  auto unknown =
      repo->set_review("Lamp", v("1.0.0"), ReviewRecord{ReviewState::kApproved, "J", "t", ""});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto pending =
      repo->set_review("Table", v("3.3.0"), ReviewRecord{ReviewState::kPending, "J", "t", ""});
  EXPECT_FALSE(pending);
  auto no_reason = repo->set_yank("Table", v("3.3.0"), true, YankRecord{"", "J", "t"});
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, ErrorCode::kInvalidArgument);
  auto not_yanked = repo->set_yank("Table", v("3.3.0"), false, YankRecord{"", "J", "t"});
  ASSERT_FALSE(not_yanked);
  EXPECT_EQ(not_yanked.error().code, ErrorCode::kConflict);
  EXPECT_EQ(index_text("review", "table"), index_before);
  EXPECT_EQ(log_text(), log_before);

  // Approving twice: kConflict, nothing written the second time.
  ASSERT_TRUE(
      repo->set_review("Table", v("3.3.0"), ReviewRecord{ReviewState::kApproved, "J", "t", ""}));
  const std::string approved = index_text("review", "table");
  const std::string approved_log = log_text();
  auto twice =
      repo->set_review("Table", v("3.3.0"), ReviewRecord{ReviewState::kApproved, "K", "t", ""});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(twice.error().message, "Table 3.3.0 is already approved in repo 'review' (by J)");
  EXPECT_EQ(index_text("review", "table"), approved);
  EXPECT_EQ(log_text(), approved_log);
}

TEST_F(ReviewTest, YankTwiceIsAConflictAndUnyankRestores) {
  ASSERT_TRUE(repo->set_yank("Table", v("3.3.0"), true, YankRecord{"broken UVs", "Lee", "t1"}));
  IndexEntry e = entry(*repo);
  EXPECT_TRUE(e.yanked);
  ASSERT_TRUE(e.yank);
  EXPECT_EQ(e.yank->reason, "broken UVs");
  EXPECT_EQ(e.yank->by, "Lee");
  const std::string yanked = index_text("review", "table");
  const std::string yanked_log = log_text();
  auto twice = repo->set_yank("Table", v("3.3.0"), true, YankRecord{"again", "Lee", "t2"});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(twice.error().message, "Table 3.3.0 is already yanked in repo 'review' (broken UVs)");
  EXPECT_EQ(index_text("review", "table"), yanked);
  EXPECT_EQ(log_text(), yanked_log);
  ASSERT_TRUE(
      repo->set_yank("Table", v("3.3.0"), false, YankRecord{"fixed upstream", "Lee", "t3"}));
  EXPECT_FALSE(entry(*repo).yanked);
  AuditLog l = log(*repo);
  ASSERT_EQ(l.records.size(), 3u);
  EXPECT_EQ(l.records[1].action, "yank");
  EXPECT_EQ(l.records[1].note, "broken UVs");
  EXPECT_EQ(l.records[2].action, "unyank");
  EXPECT_EQ(l.records[2].note, "fixed upstream");
}

TEST_F(ReviewTest, TornLastLineIsReportedThenCutByTheNextAppend) {
  const fs::path file = dir.path() / "review" / "log" / "audit.jsonl";
  const std::string whole = log_text();
  reel::testing::write_file(file, whole + R"({"at": "t", "actor": "x", "acti)");
  AuditLog torn = log(*repo);
  ASSERT_TRUE(torn.torn_line);
  EXPECT_EQ(*torn.torn_line, 2u);
  EXPECT_EQ(torn.records.size(), 1u);
  ASSERT_TRUE(
      repo->set_review("Table", v("3.3.0"), ReviewRecord{ReviewState::kApproved, "J", "t", ""}));
  AuditLog after = log(*repo);
  EXPECT_FALSE(after.torn_line);
  ASSERT_EQ(after.records.size(), 2u);
  EXPECT_EQ(after.records[1].action, "approve");
  EXPECT_EQ(log_text().rfind(whole, 0), 0u);  // the complete lines are kept as they were
}

TEST_F(ReviewTest, PromoteCarriesTheReviewAndLogsInTheTarget) {
  ASSERT_TRUE(
      repo->set_review("Table", v("3.3.0"), ReviewRecord{ReviewState::kRejected, "J", "t1", "no"}));
  ASSERT_TRUE(
      repo->set_review("Table", v("3.3.0"), ReviewRecord{ReviewState::kApproved, "J", "t2", "ok"}));
  auto blessed = make_repo("blessed");
  ASSERT_TRUE(promote(*repo, *blessed, "Table", v("3.3.0"), cache,
                      AuditInfo{"Lead <lead@studio>", "t3", "publish", "forced: test"}));
  IndexEntry e = entry(*blessed);
  EXPECT_EQ(e.review.current.state, ReviewState::kApproved);
  EXPECT_EQ(e.review.current.note, "ok");
  EXPECT_EQ(e.review.history.size(), 2u);
  AuditLog l = log(*blessed);
  ASSERT_EQ(l.records.size(), 1u);
  EXPECT_EQ(l.records[0].action, "promote");  // whatever the caller said
  EXPECT_EQ(l.records[0].actor, "Lead <lead@studio>");
  EXPECT_EQ(l.records[0].at, "t3");
  EXPECT_EQ(l.records[0].note, "forced: test");
  EXPECT_EQ(log(*repo).records.size(), 3u);  // the source's log is untouched
}

// The crash-safety order: at every point an approval can fail, an index that changed has its
// audit line (the line is durable before the index is replaced).
TEST_F(ReviewTest, NoIndexChangeWithoutItsAuditLine) {
  FaultInjectingFileSystem faulty(*fs);
  auto through = open_repo(faulty, (dir.path() / "review").string()).value();
  const std::string before = index_text("review", "table");
  int failures = 0;
  for (std::uint64_t n = 1;; ++n) {
    faulty.clear_faults();
    faulty.fail_nth_rename(n);
    auto st = through->set_review("Table", v("3.3.0"),
                                  ReviewRecord{ReviewState::kApproved, "J", "t", ""});
    faulty.clear_faults();
    const bool changed = index_text("review", "table") != before;
    const bool logged = log_text().find("\"approve\"") != std::string::npos;
    EXPECT_TRUE(!changed || logged) << "rename " << n;
    if (st) break;
    ++failures;
    EXPECT_FALSE(changed) << "rename " << n;
    ASSERT_LT(n, 20u);
  }
  EXPECT_GT(failures, 0);
  EXPECT_EQ(entry(*repo).review.current.state, ReviewState::kApproved);
}

}  // namespace
}  // namespace reel
