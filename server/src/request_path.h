// Which part of the repo layout (DESIGN §2, docs/http.md) a request target names. Only the
// layout's shapes are served: anything malformed (`..`, `.`, empty segments, backslashes,
// percent-encoded dots, slashes or percent signs, control or non-ASCII bytes, a target that is not
// an absolute path) is refused before a file name is ever built from it.
#pragma once

#include <string>
#include <string_view>

#include "reel/storage/digest.h"
#include "reel/storage/error.h"

namespace reel::server {

enum class RouteKind {
  kRepoJson,   // reel-repo.json
  kIndexList,  // index/
  kIndexFile,  // index/<name>.json
  kArchive,    // packages/<name>/<file>.reel
  kObject,     // objects/sha256/<2>/<62>
  kAuditLog,   // log/audit.jsonl
  kPublish,    // publish/<Name>/<version>
  kReview,     // review/<Name>/<version>  (POST {"state", "note"})
  kYank,       // yank/<Name>/<version>    (POST {"reason"})
  kUnyank,     // unyank/<Name>/<version>  (POST {"reason"}, optional)
};

struct Route {
  RouteKind kind = RouteKind::kRepoJson;
  std::string relative;  // repo-relative file path ('/'-separated); "" for kIndexList, kPublish
  Digest digest;         // kObject
  std::string name;      // kPublish, kReview, kYank, kUnyank: the package name as given
  std::string version;   // ... and the version text as given
};

// Parses a raw request target ("/objects/sha256/ab/cd…?x=1"; the query is ignored).
// kInvalidArgument (→ 400) for a malformed target, with the reason; kNotFound (→ 404) for a
// well-formed path outside the layout. Names are checked with check_package_name; versions only
// for their characters (the handler parses them).
Result<Route> parse_request_target(std::string_view target);

}  // namespace reel::server
