// Version ranges (DESIGN §3). Accepts node-semver's strict range grammar with its meaning
// (https://github.com/npm/node-semver, its range test fixtures are the reference): comparators
// `=`, `>`, `>=`, `<`, `<=`, caret `^`, tilde `~` / `~>`, x-ranges `1.2.x` `1.2.*` `1.2`, hyphen
// ranges `1.2.3 - 2.3.4`, `*` or empty = any, `||` for OR, and node-semver's prerelease rule (a
// range admits a prerelease only if one of the comparators of the matching `||` branch names a
// prerelease with the same MAJOR.MINOR.PATCH). reel's additions, which never change what a
// node-semver range means: `==` (= `=`), `!=` (never admits prereleases by itself), AND by comma
// or by juxtaposition (`>=1.2.3<2.0`), and PEP 440's compatible release `~=1.2`
// (= `>=1.2.0,<2.0.0`), `~=1.2.3` (= `>=1.2.3,<1.3.0`). No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "reel/resolver/version.h"

namespace reel {

// A half-open interval of versions in SemVer precedence order: lower <= v < upper. An absent
// bound is unbounded. Bounds carry no build metadata.
struct VersionSpan {
  std::optional<Version> lower;  // inclusive
  std::optional<Version> upper;  // exclusive
  bool operator==(const VersionSpan& other) const = default;
};

// A set of versions, closed under union, intersection and complement. Value type.
//
// Representation (canonical, so == is set equality): the releases it admits, as sorted disjoint
// non-adjacent spans whose bounds are releases, and the prereleases it admits, as sorted disjoint
// spans whose bounds are prereleases (`X.Y.Z-0` is the least prerelease of X.Y.Z). A parsed range
// admits the prereleases its `||` branches' intervals hold within the triples that branch names;
// a complement may admit prereleases of every triple (the solver's "not foo S" terms).
class Range {
 public:
  // The empty set.
  Range() = default;
  // `*`: every release, no prerelease (node-semver).
  static Range any();
  // Exactly `v` (build metadata ignored).
  static Range exactly(const Version& v);
  // Parses range text. Errors name the text and the 0-based position: `>=` (2), `>=1..2` (4),
  // `abc` (0), `1.2.3 -` (7).
  static tl::expected<Range, ParseError> parse(std::string_view text);

  bool contains(const Version& v) const;
  // True when no version can satisfy it (`>2 <1`).
  bool is_empty() const;
  // True when it admits every release (`*`, empty text, `>=0.0.0`): an abstract dependency.
  bool is_any() const;
  // If the range admits exactly one version (`==1.2.3`), that version.
  std::optional<Version> single_version() const;

  // Set algebra. complement() is relative to every version, prereleases included, so
  // r.union_with(r.complement()) holds every version and is_any().
  Range intersect(const Range& other) const;
  Range union_with(const Range& other) const;
  Range complement() const;
  bool is_subset_of(const Range& other) const;
  bool is_disjoint_from(const Range& other) const;

  // The simplest equivalent text: "*", "==1.2.3", ">=1.2.3", ">=1.2.3,<2.0.0",
  // "<1.0.0 || >=2.0.0", ">=1.2.3-beta.1,<2.0.0" (node-semver's prerelease rule), "no versions".
  // Prerelease spans that no node-semver range can write (from complements) print as
  // ">=1.0.0-0,<2.0.0-0 (all prereleases)".
  std::string to_string() const;
  // Like to_string(), but a span [X.Y.Z, (X+1).0.0) with X > 0, or [0.Y.Z, 0.(Y+1).0) with Y > 0,
  // prints as `^X.Y.Z` (pub's explanations: "bar ^2.0.0").
  std::string to_caret_string() const;

  // The text the range was parsed from ("" for ranges built otherwise).
  const std::string& source_text() const { return source_; }
  // The canonical spans (see the class comment); for tests and tools.
  const std::vector<VersionSpan>& release_spans() const { return releases_; }
  const std::vector<VersionSpan>& prerelease_spans() const { return prereleases_; }

  // Set equality (the source text is not compared).
  bool operator==(const Range& other) const {
    return releases_ == other.releases_ && prereleases_ == other.prereleases_;
  }

 private:
  friend struct RangeBuilder;
  std::string text(bool caret) const;

  std::vector<VersionSpan> releases_;
  std::vector<VersionSpan> prereleases_;
  std::string source_;
};

}  // namespace reel
