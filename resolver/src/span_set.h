// Sets of versions as sorted lists of half-open spans (private to the resolver; see range.h for
// the canonical form Range keeps: one list for releases, one for prereleases).
#pragma once

#include <optional>
#include <vector>

#include "reel/resolver/range.h"
#include "reel/resolver/version.h"

namespace reel::detail {

using Spans = std::vector<VersionSpan>;

// One end of a comparator's interval, before normalisation: `>=1.2.3` is {1.2.3, inclusive}.
struct Bound {
  Version version;
  bool inclusive = true;
};

// The least release (0.0.0) and the least prerelease (0.0.0-0).
const Version& least_release();
const Version& least_prerelease();

// X.Y.(Z+1); X.Y.Z-0; the immediate successor of a prerelease (its identifiers plus ".0").
Version next_patch(const Version& v);
Version dash_zero(const Version& release);
Version successor(const Version& prerelease);

// Sorts, drops empty spans, merges overlapping and adjacent ones; a lower bound equal to `least`
// becomes unbounded and a span ending at `least` is dropped. The result is canonical.
Spans normalize(Spans spans, const Version& least);
Spans unite(const Spans& a, const Spans& b, const Version& least);
Spans intersect(const Spans& a, const Spans& b, const Version& least);
// Everything not in `a` (a canonical).
Spans complement(const Spans& a);
bool contains(const Spans& spans, const Version& v);

// The releases (resp. prereleases) of the interval between `lower` and `upper` (absent =
// unbounded), as a canonical span list of at most one span.
Spans release_spans(const std::optional<Bound>& lower, const std::optional<Bound>& upper);
Spans prerelease_spans(const std::optional<Bound>& lower, const std::optional<Bound>& upper);
// Every prerelease of the release triple `t`: [t-0, next_patch(t)-0).
Spans prerelease_window(const Version& t);

}  // namespace reel::detail
