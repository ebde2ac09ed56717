// [files] include/exclude globs (DESIGN §2).
#include "reel/engine/package.h"

namespace reel {

// Recursive matcher with backtracking: `*` and `?` never match '/', `**` matches any number of
// whole components (including none), so "**/*.tmp" matches "x.tmp" and "a/b/x.tmp"; a `**` that
// is not a whole component ("**.tmp") matches any characters.
bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return path.empty();
  if (pattern.substr(0, 2) == "**") {
    std::string_view rest = pattern.substr(2);
    if (rest.empty()) return true;
    if (rest[0] != '/') {
      // "**.tmp": not a whole component, so it matches any characters, '/' included.
      for (std::size_t i = 0; i <= path.size(); ++i) {
        if (glob_match(rest, path.substr(i))) return true;
      }
      return false;
    }
    rest = rest.substr(1);
    if (glob_match(rest, path)) return true;
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '/' && glob_match(rest, path.substr(i + 1))) return true;
    }
    return false;
  }
  if (pattern[0] == '*') {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (glob_match(pattern.substr(1), path.substr(i))) return true;
      if (i < path.size() && path[i] == '/') break;
    }
    return false;
  }
  if (path.empty()) return false;
  bool same = pattern[0] == '?' ? path[0] != '/' : pattern[0] == path[0];
  return same && glob_match(pattern.substr(1), path.substr(1));
}

}  // namespace reel
