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

// A set of versions: a union of disjoint, sorted intervals, plus node-semver's prerelease rule
// (prereleases are admitted only for the listed MAJOR.MINOR.PATCH triples, unless
// `all_prereleases`). Value type; cheap to copy for the small ranges people write.
class Range {
 public:
  // The empty set.
  Range() = default;
  static Range any();
  static Range exactly(const Version& v);
  // Parses range text. Errors name the text and the position: `>=`, `>=1..2`, `abc`, `1.2.3 -`.
  static tl::expected<Range, ParseError> parse(std::string_view text);

  bool contains(const Version& v) const;
  bool is_empty() const;
  bool is_any() const;
  // If the range admits exactly one version (`==1.2.3`), that version.
  std::optional<Version> single_version() const;

  // Set algebra, used by the solver's terms. Results are normalised (merged, sorted).
  Range intersect(const Range& other) const;
  Range union_with(const Range& other) const;
  Range complement() const;
  bool is_subset_of(const Range& other) const;
  bool is_disjoint_from(const Range& other) const;

  // The simplest equivalent text, for explanations and `reel tree`: "*", "==1.2.3", ">=1.2.3",
  // ">=1.2.3,<2.0.0", "<1.0.0 || >=2.0.0", "no versions".
  std::string to_string() const;

  bool operator==(const Range& other) const;

 private:
  std::vector<Interval> intervals_;
  // Prereleases admitted per release triple (sorted), or all of them.
  std::vector<Version> prerelease_releases_;
  bool all_prereleases_ = false;
  friend class RangeBuilder;
};

}  // namespace reel
