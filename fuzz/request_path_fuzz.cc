// fuzz_request_path: parse_request_target, `reel serve`'s request-target parser (server/src/
// request_path.h, a private header); input = the raw target.
// Invariants: errors are kInvalidArgument (400) or kNotFound (404) only; a route's file path is
// relative, printable ASCII with no '%', '\\', empty, "." or ".." segment, under the directory
// of its kind (an object's path spells its digest); parsing "/" + that path gives the same route
// (decoding is idempotent); a query string after the path changes nothing.
#include "fuzz_check.h"
#include "reel/engine/names.h"
#include "request_path.h"

using reel::fuzz::check;
using reel::server::Route;
using reel::server::RouteKind;

namespace {

bool safe_path(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  for (char c : path) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '%' || c == '\\') return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool same(const Route& a, const Route& b) {
  return a.kind == b.kind && a.relative == b.relative && a.digest == b.digest &&
         a.name == b.name && a.version == b.version;
}

void check_route(std::string_view target, const Route& r) {
  auto where = [&] { return std::string(target) + " -> '" + r.relative + "'"; };
  switch (r.kind) {
    case RouteKind::kIndexList:
      check(r.relative.empty(), "index/ with a file path", where);
      return;
    case RouteKind::kPublish:
    case RouteKind::kReview:
    case RouteKind::kYank:
    case RouteKind::kUnyank:
      check(r.relative.empty() && reel::check_package_name(r.name).has_value() &&
                !r.version.empty(),
            "a publish, review or yank route with a bad name or version", where);
      return;
    case RouteKind::kRepoJson:
      check(r.relative == "reel-repo.json", "reel-repo.json route", where);
      break;
    case RouteKind::kIndexFile:
      check(starts_with(r.relative, "index/") && r.relative.size() > 11 &&
                r.relative.substr(r.relative.size() - 5) == ".json",
            "an index route outside index/*.json", where);
      break;
    case RouteKind::kArchive:
      check(starts_with(r.relative, "packages/") &&
                r.relative.substr(r.relative.size() - 5) == ".reel",
            "an archive route outside packages/*/*.reel", where);
      break;
    case RouteKind::kAuditLog:
      check(r.relative == "log/audit.jsonl", "an audit log route elsewhere", where);
      break;
    case RouteKind::kObject: {
      const std::string hex = r.digest.hex();
      check(r.relative == "objects/sha256/" + hex.substr(0, 2) + "/" + hex.substr(2),
            "an object route whose path is not its digest", where);
      break;
    }
  }
  check(safe_path(r.relative), "an unsafe file path", where);
  auto again = reel::server::parse_request_target("/" + r.relative);
  check(again.has_value() && same(*again, r), "'/' + the route's path parses to another route",
        where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view target = reel::fuzz::as_text(data, size);
  auto route = reel::server::parse_request_target(target);
  if (!route) {
    check(route.error().code == reel::ErrorCode::kInvalidArgument ||
              route.error().code == reel::ErrorCode::kNotFound,
          "an error that is neither 400 nor 404", [&] { return route.error().message; });
  } else {
    check_route(target, *route);
  }
  if (target.find('?') == std::string_view::npos) {
    auto with_query = reel::server::parse_request_target(std::string(target) + "?q=1");
    check(with_query.has_value() == route.has_value() &&
              (!route || same(*with_query, *route)),
          "a query string changes the route", [&] { return std::string(target); });
  }
  return 0;
}
