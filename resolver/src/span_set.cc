// Half-open span lists over SemVer precedence. Releases are discrete (the release after X.Y.Z is
// X.Y.(Z+1)) and so are prereleases (the one after `1.0.0-a` is `1.0.0-a.0`), so every interval
// of releases or of prereleases has exactly one canonical [inclusive, exclusive) form.
#include "span_set.h"

#include <algorithm>

namespace reel::detail {
namespace {

Version strip_build(const Version& v) {
  Version r = v.release();
  r.set_prerelease(v.prerelease());
  return r;
}

// Lower bounds: absent = -infinity. Upper bounds: absent = +infinity.
bool lower_less(const std::optional<Version>& a, const std::optional<Version>& b) {
  if (!a) return b.has_value();
  return b && *a < *b;
}

bool upper_less(const std::optional<Version>& a, const std::optional<Version>& b) {
  if (!b) return a.has_value();
  return a && *a < *b;
}

// Is lower bound `lo` at or below upper bound `hi` (so the spans touch or overlap)?
bool reaches(const std::optional<Version>& lo, const std::optional<Version>& hi) {
  return !lo || !hi || *lo <= *hi;
}

bool span_empty(const VersionSpan& s) { return s.lower && s.upper && *s.lower >= *s.upper; }

}  // namespace

const Version& least_release() {
  static const Version v(0, 0, 0);
  return v;
}

const Version& least_prerelease() {
  static const Version v = dash_zero(Version(0, 0, 0));
  return v;
}

Version next_patch(const Version& v) { return Version(v.major(), v.minor(), v.patch() + 1); }

Version dash_zero(const Version& release) {
  Version v = release.release();
  v.set_prerelease({"0"});
  return v;
}

Version successor(const Version& prerelease) {
  Version v = prerelease.release();
  auto ids = prerelease.prerelease();
  ids.push_back("0");
  v.set_prerelease(std::move(ids));
  return v;
}

Spans normalize(Spans spans, const Version& least) {
  for (auto& s : spans) {
    if (s.lower && *s.lower <= least) s.lower.reset();
  }
  spans.erase(std::remove_if(spans.begin(), spans.end(),
                             [&](const VersionSpan& s) {
                               return span_empty(s) || (s.upper && *s.upper <= least);
                             }),
              spans.end());
  std::sort(spans.begin(), spans.end(), [](const VersionSpan& a, const VersionSpan& b) {
    return lower_less(a.lower, b.lower);
  });
  Spans out;
  for (auto& s : spans) {
    if (!out.empty() && reaches(s.lower, out.back().upper)) {
      if (upper_less(out.back().upper, s.upper)) out.back().upper = s.upper;
    } else {
      out.push_back(std::move(s));
    }
  }
  return out;
}

Spans unite(const Spans& a, const Spans& b, const Version& least) {
  Spans all = a;
  all.insert(all.end(), b.begin(), b.end());
  return normalize(std::move(all), least);
}

Spans intersect(const Spans& a, const Spans& b, const Version& least) {
  Spans out;
  for (const auto& x : a) {
    for (const auto& y : b) {
      VersionSpan s{lower_less(x.lower, y.lower) ? y.lower : x.lower,
                    upper_less(x.upper, y.upper) ? x.upper : y.upper};
      if (!span_empty(s)) out.push_back(std::move(s));
    }
  }
  return normalize(std::move(out), least);
}

Spans complement(const Spans& a) {
  Spans out;
  std::optional<Version> from;  // lower bound of the next gap; absent = -infinity
  for (const auto& s : a) {
    if (s.lower) out.push_back(VersionSpan{from, s.lower});
    if (!s.upper) return out;
    from = s.upper;
  }
  out.push_back(VersionSpan{from, std::nullopt});
  return out;
}

bool contains(const Spans& spans, const Version& v) {
  for (const auto& s : spans) {
    if (s.lower && v < *s.lower) return false;  // sorted: no later span holds it either
    if (!s.upper || v < *s.upper) return true;
  }
  return false;
}

Spans release_spans(const std::optional<Bound>& lower, const std::optional<Bound>& upper) {
  VersionSpan s;
  if (lower) {
    const Version& v = lower->version;
    s.lower = v.is_prerelease() ? v.release() : lower->inclusive ? v.release() : next_patch(v);
  }
  if (upper) {
    const Version& v = upper->version;
    s.upper = v.is_prerelease() ? v.release() : upper->inclusive ? next_patch(v) : v.release();
  }
  return normalize({s}, least_release());
}

Spans prerelease_spans(const std::optional<Bound>& lower, const std::optional<Bound>& upper) {
  VersionSpan s;
  if (lower) {
    const Version& v = lower->version;
    s.lower = !v.is_prerelease() ? dash_zero(next_patch(v))
              : lower->inclusive ? strip_build(v)
                                 : successor(v);
  }
  if (upper) {
    const Version& v = upper->version;
    s.upper = !v.is_prerelease() ? dash_zero(next_patch(v))
              : upper->inclusive ? successor(v)
                                 : strip_build(v);
  }
  return normalize({s}, least_prerelease());
}

Spans prerelease_window(const Version& t) {
  return {VersionSpan{dash_zero(t), dash_zero(next_patch(t))}};
}

}  // namespace reel::detail
