// Impact analysis for push pipelines (`reel rdeps`, DESIGN §5): which published versions in a repo
// depend on a package, how (abstract, bounded, concrete: DESIGN §3), and whether a given new
// version of it would flow into each of them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reel/engine/manifest.h"
#include "reel/engine/repo.h"
#include "reel/resolver/range.h"
#include "reel/resolver/version.h"
#include "reel/storage/error.h"

namespace reel {

// What a version V of a package does to one dependent version.
enum class Impact {
  kTakes,     // the dependency admits V: the next resolve picks it up, nothing to re-publish
              // (push for an abstract dependency, semi-push for a bounded one)
  kPull,      // a concrete pin on another version: the dependent must be re-published to take V
  kExcluded,  // a bounded range that leaves V out
};
// "takes", "pull", "excluded".
std::string_view impact_name(Impact impact);

// One published version that depends on the package asked about.
struct ReverseDependency {
  std::string package;     // the dependent's canonical name
  Version version;         // the dependent's published version
  bool yanked = false;     // that version is yanked
  bool newest = false;     // it is the dependent's newest non-yanked version
  std::string group;       // "" for [dependencies], else the dependency group's name
  std::string range_text;  // the range as the dependent wrote it ("*" when abstract)
  Range range;
  DependencyKind kind = DependencyKind::kAbstract;
};

// Every published version in `repo` that depends on `name` (compared case-insensitively), in its
// [dependencies] or in a dependency group; sorted by package (case-insensitively), then version,
// then group. Reads every index of the repo once. Errors: the repo's (an unreadable or malformed
// index, named with its file).
Result<std::vector<ReverseDependency>> reverse_dependencies(Repo& repo, const std::string& name);

// How version `v` would reach `dependent`: kTakes if its range admits v, else kPull for a
// concrete pin, kExcluded for a bounded range.
Impact impact_of(const ReverseDependency& dependent, const Version& v);

}  // namespace reel
