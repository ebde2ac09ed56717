// Version ranges (DESIGN §3). Accepts node-semver's strict range grammar with its meaning
// (https://github.com/npm/node-semver, its range test fixtures are the reference): comparators
// `=`, `>`, `>=`, `<`, `<=`, caret `^`, tilde `~`, x-ranges `1.2.x` `1.2.*` `1.2`, hyphen ranges
// `1.2.3 - 2.3.4`, `*` or empty = any, `||` for OR, and node-semver's prerelease rule (a range
// admits a prerelease only if one of the comparators of the matching `||` branch names a
// prerelease with the same MAJOR.MINOR.PATCH). reel's additions, which never change what a
// node-semver range means: `==` (= `=`), `!=`, AND by comma or by juxtaposition (`>=1.2.3<2.0`),
// and PEP 440's compatible release `~=1.2` (= `>=1.2.0,<2.0.0`), `~=1.2.3` (= `>=1.2.3,<1.3.0`).
// No I/O.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "reel/resolver/version.h"

namespace reel {

// One bound of an interval. An absent bound is unbounded.
struct Bound {
  Version version;
  bool inclusive = true;
};

// A contiguous interval [lower, upper] (each end optional / inclusive or not).
struct Interval {
  std::optional<Bound> lower;
  std::optional<Bound> upper;
};

// One `||` branch: the intersection of its comparators, as sorted disjoint intervals, plus the
// release triples whose prereleases the branch admits (node-semver's rule).
struct RangeBranch {
  std::vector<Interval> intervals;
  std::vector<Version> prerelease_releases;
};

// A set of versions described by a range expression: a union of branches. Value type. The solver
// works on sets of known versions (it asks contains()); Range keeps node-semver's meaning exactly.
class Range {
 public:
  // The empty set.
  Range() = default;
  // Every version (`*`): every release, no prerelease (node-semver).
  static Range any();
  // Exactly `v` (prereleases included if v is one).
  static Range exactly(const Version& v);
  // Parses range text. Errors name the text and the position: `>=`, `>=1..2`, `abc`, `1.2.3 -`.
  static tl::expected<Range, ParseError> parse(std::string_view text);

  bool contains(const Version& v) const;
  // True when no version can satisfy it (`>2 <1`).
  bool is_empty() const;
  // True for `*` / empty text: an abstract dependency.
  bool is_any() const;
  // If the range admits exactly one version (`==1.2.3`), that version.
  std::optional<Version> single_version() const;

  // The simplest equivalent text, for explanations and `reel tree`: "*", "==1.2.3", ">=1.2.3",
  // ">=1.2.3,<2.0.0", "<1.0.0 || >=2.0.0", "no versions". Exclusive upper bounds written by
  // node-semver as `<X.Y.Z-0` print as `<X.Y.Z` (they admit the same releases).
  std::string to_string() const;

  // The text the range was parsed from ("" for ranges built by any()/exactly()).
  const std::string& source_text() const { return source_; }
  const std::vector<RangeBranch>& branches() const { return branches_; }
  bool operator==(const Range& other) const { return to_string() == other.to_string(); }

 private:
  std::vector<RangeBranch> branches_;
  std::string source_;
};

}  // namespace reel
