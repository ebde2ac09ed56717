// A repo's audit trail, log/audit.jsonl (DESIGN §2): append-only JSON Lines
// (https://jsonlines.org), one object a line, oldest first:
//   {"at": "2026-11-20T10:00:00Z", "actor": "Jade Doe <jade@studio>", "action": "approve",
//    "name": "Table", "version": "3.3.0", "note": "ok for lighting", "commit": "0123abcd"}
// `action` is one of publish, promote, approve, reject, yank, unyank; `note` and `commit` may be
// "". Lines are appended under the repo lock with the index change they record. A crash in the
// middle of an append leaves a torn last line (no newline, or not a JSON object): readers ignore it
// and report it, and the next append starts on a fresh line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/error.h"

namespace reel {

// The largest audit log reel reads (a repo's whole history; 64 MiB ≈ 300,000 lines).
inline constexpr std::size_t kMaxAuditLogBytes = std::size_t{64} << 20;

// One line of the audit log.
struct AuditRecord {
  std::string at;      // RFC 3339 UTC
  std::string actor;   // REEL_USER, git's "user.name <user.email>", or a server token's name
  std::string action;  // publish | promote | approve | reject | yank | unyank
  std::string name;    // package name, canonical spelling
  std::string version;
  std::string note;    // review note, yank reason, "forced" promotion notes; may be ""
  std::string commit;  // the version's source commit; may be ""
};

// True for the six actions DESIGN §2 names.
bool is_audit_action(std::string_view action);

// A parsed audit log.
struct AuditLog {
  std::vector<AuditRecord> records;  // file order (oldest first)
  // The torn last line's 1-based number when the file ends in one (ignored, never an error).
  std::optional<std::size_t> torn_line;
};

// Parses log/audit.jsonl text. A complete line (ended by '\n') that is not a JSON object with the
// fields above as strings, or with an unknown action, is kInvalidArgument naming `file`, the line
// number and the field ("log/audit.jsonl:7: action: unknown action \"merge\""). A last line without
// '\n', or one that does not parse, is torn: skipped and reported in torn_line. Empty lines are
// skipped (a line that is not valid UTF-8 does not parse). Input over kMaxAuditLogBytes:
// kInvalidArgument.
Result<AuditLog> parse_audit_log(std::string_view text, std::string_view file);

// One record as its line: compact JSON with the keys in the order above, ending in '\n'.
std::string serialize_audit_record(const AuditRecord& record);

}  // namespace reel
