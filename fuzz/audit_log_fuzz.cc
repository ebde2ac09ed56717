// fuzz_audit_log: parse_audit_log, a repo's log/audit.jsonl (DESIGN §2,
// engine/include/reel/engine/audit_log.h), which an HTTP repo's server sends. Invariants: every
// accepted record has a known action and a name; the records serialized again, one line each,
// parse back to the same records with no torn line; a torn line is only ever the last line.
#include "fuzz_check.h"
#include "reel/engine/audit_log.h"

using reel::fuzz::check;

namespace {

bool same(const reel::AuditRecord& a, const reel::AuditRecord& b) {
  return a.at == b.at && a.actor == b.actor && a.action == b.action && a.name == b.name &&
         a.version == b.version && a.note == b.note && a.commit == b.commit;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = reel::fuzz::as_text(data, size);
  auto log = reel::parse_audit_log(input, "log/audit.jsonl");
  if (!log) return 0;
  std::string text;
  for (const auto& record : log->records) {
    check(reel::is_audit_action(record.action) && !record.name.empty(),
          "a record without a known action or a name was accepted", [&] { return record.action; });
    text += reel::serialize_audit_record(record);
  }
  if (log->torn_line) {
    std::size_t lines = 1;
    for (char c : input) lines += c == '\n';
    check(*log->torn_line == lines || *log->torn_line + 1 == lines,
          "a torn line that is not the last line", [&] { return std::to_string(*log->torn_line); });
  }
  auto back = reel::parse_audit_log(text, "serialized.jsonl");
  check(back.has_value(), "serialized records do not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  check(!back->torn_line && back->records.size() == log->records.size(),
        "serialized records parse to another count", [&] { return text; });
  for (std::size_t i = 0; i < log->records.size(); ++i) {
    check(same(log->records[i], back->records[i]), "parse(serialize(record)) != record",
          [&] { return text; });
  }
  return 0;
}
