// Request targets → layout routes (request_path.h).
#include "request_path.h"

#include <vector>

#include "reel/engine/names.h"
#include "reel/storage/path_rules.h"

namespace reel::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

tl::unexpected<Error> malformed(std::string reason) {
  return make_error(ErrorCode::kInvalidArgument, "malformed path: " + std::move(reason));
}

tl::unexpected<Error> not_in_layout() { return make_error(ErrorCode::kNotFound, "not found"); }

// Decodes %XX escapes of harmless characters; refuses escapes of '.', '/', '\\', '%', control
// and non-ASCII bytes, and any raw byte outside printable ASCII.
Result<std::string> decode_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c <= 0x20 || c >= 0x7f) return malformed("control, space or non-ASCII byte");
    if (c == '\\') return malformed("backslash");
    if (c != '%') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (i + 2 >= raw.size()) return malformed("bad percent escape");
    int hi = hex_value(raw[i + 1]);
    int lo = hex_value(raw[i + 2]);
    if (hi < 0 || lo < 0) return malformed("bad percent escape");
    unsigned char d = static_cast<unsigned char>(hi * 16 + lo);
    if (d == '.' || d == '/' || d == '\\' || d == '%') {
      return malformed("percent-encoded '" + std::string(1, static_cast<char>(d)) + "'");
    }
    if (d <= 0x20 || d >= 0x7f) return malformed("percent-encoded control or non-ASCII byte");
    out.push_back(static_cast<char>(d));
    i += 2;
  }
  return out;
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A version as it may appear in a file or URL: SemVer's characters only.
bool is_version_text(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<Route> parse_request_target(std::string_view target) {
  std::string_view raw = target.substr(0, target.find('?'));
  if (raw.empty() || raw.front() != '/') return malformed("not an absolute path");
  auto decoded = decode_path(raw.substr(1));
  if (!decoded) return tl::unexpected(decoded.error());
  const std::string& path = *decoded;
  if (path.empty()) return not_in_layout();  // the root: no listing

  std::vector<std::string_view> parts;
  std::string_view rest = path;
  while (true) {
    std::size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  // The path rules every file name reel builds from outside input obeys (path_rules.h: no '.',
  // '..' or empty segment, no .git or .reel, ...); only a trailing slash (index/) may leave an
  // empty last segment.
  std::string_view checked = path;
  if (parts.size() > 1 && parts.back().empty()) checked.remove_suffix(1);
  if (auto problem = path_problem(checked)) return malformed("the path " + *problem);

  Route route;
  if (parts.size() == 1 && parts[0] == "reel-repo.json") {
    route.kind = RouteKind::kRepoJson;
    route.relative = "reel-repo.json";
    return route;
  }
  if (parts.size() == 2 && parts[0] == "log" && parts[1] == "audit.jsonl") {
    route.kind = RouteKind::kAuditLog;
    route.relative = "log/audit.jsonl";
    return route;
  }
  if (parts.size() == 2 && parts[0] == "index") {
    if (parts[1].empty()) {
      route.kind = RouteKind::kIndexList;
      return route;
    }
    std::string_view file = parts[1];
    if (file.size() <= 5 || file.substr(file.size() - 5) != ".json") return not_in_layout();
    if (!check_package_name(file.substr(0, file.size() - 5))) return not_in_layout();
    route.kind = RouteKind::kIndexFile;
    route.relative = "index/" + std::string(file);
    return route;
  }
  if (parts.size() == 3 && parts[0] == "packages") {
    std::string_view dir = parts[1];
    std::string_view file = parts[2];
    if (!check_package_name(dir)) return not_in_layout();
    if (file.size() <= 5 || file.substr(file.size() - 5) != ".reel") return not_in_layout();
    // <Name>-<version>, Name spelled in any case and the folder its lower case. Names hold
    // dashes and dots too (stk-kart-adiumy-1.4.0, a.b-c-1.0.0-rc.1), so the split is right after
    // the folder's length, never at the first dash.
    std::string_view stem = file.substr(0, file.size() - 5);
    if (stem.size() < dir.size() + 2 || stem[dir.size()] != '-') return not_in_layout();
    std::string_view name = stem.substr(0, dir.size());
    std::string_view version = stem.substr(dir.size() + 1);
    if (lower_name(name) != dir || !check_package_name(name) || !is_version_text(version) ||
        version.front() < '0' || version.front() > '9') {
      return not_in_layout();
    }
    route.kind = RouteKind::kArchive;
    route.relative = "packages/" + std::string(dir) + "/" + std::string(file);
    return route;
  }
  if (parts.size() == 4 && parts[0] == "objects" && parts[1] == "sha256") {
    if (parts[2].size() != 2 || parts[3].size() != 62 || !is_lower_hex(parts[2]) ||
        !is_lower_hex(parts[3])) {
      return not_in_layout();
    }
    auto digest = Digest::from_hex(std::string(parts[2]) + std::string(parts[3]));
    if (!digest) return not_in_layout();
    route.kind = RouteKind::kObject;
    route.digest = *digest;
    route.relative = "objects/sha256/" + std::string(parts[2]) + "/" + std::string(parts[3]);
    return route;
  }
  const bool write_action = parts.size() == 3 && (parts[0] == "publish" || parts[0] == "review" ||
                                                  parts[0] == "yank" || parts[0] == "unyank");
  if (write_action) {
    if (!check_package_name(parts[1]) || !is_version_text(parts[2])) return not_in_layout();
    route.kind = parts[0] == "publish"  ? RouteKind::kPublish
                 : parts[0] == "review" ? RouteKind::kReview
                 : parts[0] == "yank"   ? RouteKind::kYank
                                        : RouteKind::kUnyank;
    route.name = std::string(parts[1]);
    route.version = std::string(parts[2]);
    return route;
  }
  return not_in_layout();
}

}  // namespace reel::server
