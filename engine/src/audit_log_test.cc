#include "reel/engine/audit_log.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace reel {
namespace {

AuditRecord record(const std::string& action, const std::string& version) {
  return AuditRecord{"2026-11-20T10:00:00Z",
                     "Jade Doe <jade@studio>",
                     action,
                     "Table",
                     version,
                     action == "reject" ? "legs too short" : "",
                     "0123abcd"};
}

TEST(AuditLog, RecordsRoundTripOneLineEachInFileOrder) {
  std::string text = serialize_audit_record(record("publish", "1.0.0")) +
                     serialize_audit_record(record("reject", "1.0.0")) +
                     serialize_audit_record(record("approve", "1.0.1"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            R"({"at":"2026-11-20T10:00:00Z","actor":"Jade Doe <jade@studio>","action":"publish",)"
            R"("name":"Table","version":"1.0.0","note":"","commit":"0123abcd"})");
  auto log = parse_audit_log(text, "log/audit.jsonl");
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_EQ(log->records.size(), 3u);
  EXPECT_FALSE(log->torn_line);
  EXPECT_EQ(log->records[1].action, "reject");
  EXPECT_EQ(log->records[1].note, "legs too short");
  EXPECT_EQ(log->records[2].version, "1.0.1");
  EXPECT_EQ(log->records[0].actor, "Jade Doe <jade@studio>");
}

TEST(AuditLog, ATornLastLineIsIgnoredAndReported) {
  std::string whole = serialize_audit_record(record("publish", "1.0.0")) +
                      serialize_audit_record(record("yank", "1.0.0"));
  // Every cut inside the second line (a crash mid-append) keeps the first record.
  std::size_t second = whole.find('\n') + 1;
  for (std::size_t cut = second + 1; cut < whole.size(); ++cut) {
    auto log = parse_audit_log(whole.substr(0, cut), "log/audit.jsonl");
    ASSERT_TRUE(log) << cut << ": " << log.error().message;
    ASSERT_EQ(log->records.size(), 1u) << cut;
    ASSERT_TRUE(log->torn_line) << cut;
    EXPECT_EQ(*log->torn_line, 2u);
  }
  auto empty = parse_audit_log("", "log/audit.jsonl");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->records.empty());
  EXPECT_FALSE(empty->torn_line);
}

TEST(AuditLog, DamageBeforeTheLastLineIsAnErrorNamingTheLineAndField) {
  std::string good = serialize_audit_record(record("publish", "1.0.0"));
  struct Case {
    std::string text;
    std::string needle;
  };
  std::vector<Case> cases = {
      {good + "{not json\n" + good, "log/audit.jsonl:2: not a JSON object"},
      {good + "[1]\n", "log/audit.jsonl:2: not a JSON object"},
      {R"({"action":"merge","name":"Table"})"
       "\n",
       "log/audit.jsonl:1: action: unknown action"},
      {R"({"action":"publish","name":"Table","note":3})"
       "\n",
       "log/audit.jsonl:1: note:"},
      {R"({"action":"publish"})"
       "\n",
       "log/audit.jsonl:1: name: missing"},
  };
  for (const auto& c : cases) {
    auto log = parse_audit_log(c.text, "log/audit.jsonl");
    ASSERT_FALSE(log) << c.text;
    EXPECT_EQ(log.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(log.error().message.find(c.needle), 0u) << log.error().message;
  }
  EXPECT_TRUE(is_audit_action("unyank"));
  EXPECT_FALSE(is_audit_action("delete"));
}

}  // namespace
}  // namespace reel
