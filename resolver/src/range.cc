// Range as a set: membership, set algebra on the canonical span lists, and the simplest text.
#include "reel/resolver/range.h"

#include <algorithm>

#include "range_builder.h"
#include "span_set.h"

namespace reel {
namespace {

using detail::Spans;

// A piece of a range's text, with the version it starts at (absent: from the bottom) for ordering.
struct Part {
  std::optional<Version> key;
  std::string text;
};

bool key_less(const Part& a, const Part& b) {
  if (!a.key) return b.key.has_value();
  return b.key && *a.key < *b.key;
}

// Removes `taken` from the prerelease spans.
void take(Spans& prereleases, const Spans& taken) {
  prereleases =
      detail::intersect(prereleases, detail::complement(taken), detail::least_prerelease());
}

// Text of a release span, absorbing the prereleases node-semver would attach to its bounds:
// `>=1.2.3-beta` (prereleases of 1.2.3 from beta on) and `<2.0.0-rc` (of 2.0.0 below rc).
Part release_part(const VersionSpan& s, Spans& prereleases, bool caret) {
  if (!s.lower && !s.upper) return Part{std::nullopt, "*"};
  std::optional<Version> low_pre, high_pre;
  if (s.lower) {
    Spans in = detail::intersect(prereleases, detail::prerelease_window(*s.lower),
                                 detail::least_prerelease());
    if (in.size() == 1 && in[0].lower &&
        in[0].upper == detail::dash_zero(detail::next_patch(*s.lower))) {
      low_pre = in[0].lower;
      take(prereleases, in);
    }
  }
  if (s.upper) {
    Spans in = detail::intersect(prereleases, detail::prerelease_window(*s.upper),
                                 detail::least_prerelease());
    if (in.size() == 1 && in[0].lower == detail::dash_zero(*s.upper) &&
        in[0].upper != detail::dash_zero(detail::next_patch(*s.upper))) {
      high_pre = in[0].upper;
      take(prereleases, in);
    }
  }
  const std::optional<Version> key = low_pre ? low_pre : s.lower;
  const Version bottom = s.lower ? *s.lower : detail::least_release();
  if (s.upper && !low_pre && !high_pre && *s.upper == detail::next_patch(bottom)) {
    return Part{key, "==" + bottom.to_string()};
  }
  if (caret && s.lower && s.upper && !high_pre) {
    const Version& lo = *s.lower;
    const Version& hi = *s.upper;
    if ((lo.major() > 0 && hi == Version(lo.major() + 1, 0, 0)) ||
        (lo.major() == 0 && lo.minor() > 0 && hi == Version(0, lo.minor() + 1, 0))) {
      return Part{key, "^" + (low_pre ? *low_pre : lo).to_string()};
    }
  }
  std::string text;
  if (s.lower) text = ">=" + (low_pre ? *low_pre : *s.lower).to_string();
  if (high_pre) {
    text += (text.empty() ? "<" : ",<") + high_pre->to_string();
  } else if (s.upper && s.upper->patch() > 0) {
    // The releases below X.Y.Z (Z > 0) are those up to X.Y.(Z-1): `<=1.2.3` reads as written.
    const Version last(s.upper->major(), s.upper->minor(), s.upper->patch() - 1);
    text += (text.empty() ? "<=" : ",<=") + last.to_string();
  } else if (s.upper) {
    text += (text.empty() ? "<" : ",<") + s.upper->to_string();
  }
  return Part{key, text};
}

// Text of prerelease spans that belong to no release span.
Part prerelease_part(const VersionSpan& s) {
  if (s.upper) {
    // A span from the bottom starts at the least prerelease, 0.0.0-0: written out, it parses.
    const Version lower = s.lower ? *s.lower : detail::least_prerelease();
    const Version triple = lower.release();
    if (s.upper->release() == triple) {
      if (*s.upper == detail::successor(lower)) return Part{lower, "==" + lower.to_string()};
      return Part{lower, ">=" + lower.to_string() + ",<" + s.upper->to_string()};
    }
    if (*s.upper == detail::dash_zero(detail::next_patch(triple))) {
      return Part{lower, ">=" + lower.to_string() + ",<" + triple.to_string()};
    }
  }
  if (!s.lower && !s.upper) return Part{std::nullopt, "every prerelease"};
  std::string text = "prereleases ";
  if (s.lower) text += ">=" + s.lower->to_string();
  if (s.upper) text += (s.lower ? ",<" : "<") + s.upper->to_string();
  return Part{s.lower, text};
}

}  // namespace

Range Range::any() { return RangeBuilder::make({VersionSpan{}}, {}); }

Range Range::exactly(const Version& v) {
  if (v.is_prerelease()) {
    return RangeBuilder::make(
        {}, detail::prerelease_spans(detail::Bound{v, true}, detail::Bound{v, true}));
  }
  return RangeBuilder::make(detail::release_spans(detail::Bound{v, true}, detail::Bound{v, true}),
                            {});
}

bool Range::contains(const Version& v) const {
  return detail::contains(v.is_prerelease() ? prereleases_ : releases_, v);
}

bool Range::is_empty() const { return releases_.empty() && prereleases_.empty(); }

bool Range::is_any() const {
  return releases_.size() == 1 && !releases_[0].lower && !releases_[0].upper;
}

std::optional<Version> Range::single_version() const {
  if (releases_.size() == 1 && prereleases_.empty()) {
    const auto& s = releases_[0];
    if (s.lower && s.upper && *s.upper == detail::next_patch(*s.lower)) return *s.lower;
    if (!s.lower && s.upper && *s.upper == Version(0, 0, 1)) return Version(0, 0, 0);
  }
  if (releases_.empty() && prereleases_.size() == 1) {
    const auto& s = prereleases_[0];
    if (s.lower && s.upper && *s.upper == detail::successor(*s.lower)) return *s.lower;
  }
  return std::nullopt;
}

Range Range::intersect(const Range& other) const {
  return RangeBuilder::make(
      detail::intersect(releases_, other.releases_, detail::least_release()),
      detail::intersect(prereleases_, other.prereleases_, detail::least_prerelease()));
}

Range Range::union_with(const Range& other) const {
  return RangeBuilder::make(
      detail::unite(releases_, other.releases_, detail::least_release()),
      detail::unite(prereleases_, other.prereleases_, detail::least_prerelease()));
}

Range Range::complement() const {
  return RangeBuilder::make(detail::complement(releases_), detail::complement(prereleases_));
}

bool Range::is_subset_of(const Range& other) const {
  return intersect(other.complement()).is_empty();
}

bool Range::is_disjoint_from(const Range& other) const { return intersect(other).is_empty(); }

std::string Range::to_string() const { return text(false); }
std::string Range::to_caret_string() const { return text(true); }

std::string Range::text(bool caret) const {
  if (is_empty()) return "no versions";
  Spans prereleases = prereleases_;
  std::vector<Part> parts;
  for (const auto& s : releases_) parts.push_back(release_part(s, prereleases, caret));
  for (const auto& s : prereleases) parts.push_back(prerelease_part(s));
  std::stable_sort(parts.begin(), parts.end(), key_less);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " || ") + p.text;
  return out;
}

}  // namespace reel
