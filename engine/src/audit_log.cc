// log/audit.jsonl (audit_log.h), with nlohmann-json per line.
#include "reel/engine/audit_log.h"

#include <array>
#include <nlohmann/json.hpp>

#include "reel/engine/input_limits.h"

namespace reel {
namespace {

using json = nlohmann::ordered_json;

constexpr std::array<const char*, 6> kActions = {"publish", "promote", "approve",
                                                 "reject",  "yank",    "unyank"};

// The record's string fields with their keys, in serialization order.
std::array<std::pair<const char*, std::string*>, 7> fields_of(AuditRecord& r) {
  return {{{"at", &r.at},
           {"actor", &r.actor},
           {"action", &r.action},
           {"name", &r.name},
           {"version", &r.version},
           {"note", &r.note},
           {"commit", &r.commit}}};
}

}  // namespace

bool is_audit_action(std::string_view action) {
  for (const char* a : kActions) {
    if (action == a) return true;
  }
  return false;
}

Result<AuditLog> parse_audit_log(std::string_view text, std::string_view file) {
  REEL_TRY(check_json_input(text, file, kMaxAuditLogBytes));
  AuditLog log;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    std::size_t end = text.find('\n', pos);
    const bool complete = end != std::string_view::npos;
    std::string_view line = text.substr(pos, complete ? end - pos : std::string_view::npos);
    pos = complete ? end + 1 : text.size();
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto where = [&](const std::string& what) {
      return Error{ErrorCode::kInvalidArgument,
                   std::string(file) + ":" + std::to_string(line_no) + ": " + what};
    };
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool last = pos >= text.size();
    if (j.is_discarded() || !complete) {
      // A crash mid-append tears only the last line; anywhere else it is damage.
      if (last) {
        log.torn_line = line_no;
        break;
      }
      return tl::unexpected(where("not a JSON object"));
    }
    if (!j.is_object()) return tl::unexpected(where("not a JSON object"));
    AuditRecord rec;
    for (auto [key, out] : fields_of(rec)) {
      auto it = j.find(key);
      if (it == j.end() || it->is_null()) continue;
      if (!it->is_string()) return tl::unexpected(where(std::string(key) + ": expected a string"));
      *out = it->get<std::string>();
    }
    if (!is_audit_action(rec.action))
      return tl::unexpected(where("action: unknown action \"" + rec.action + "\""));
    if (rec.name.empty()) return tl::unexpected(where("name: missing"));
    log.records.push_back(std::move(rec));
  }
  return log;
}

std::string serialize_audit_record(const AuditRecord& record) {
  AuditRecord copy = record;
  json j = json::object();
  for (auto [key, value] : fields_of(copy)) j[key] = *value;
  return j.dump() + "\n";
}

}  // namespace reel
