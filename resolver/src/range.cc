// Range parsing and matching. The grammar and meaning follow node-semver's strict mode
// (https://github.com/npm/node-semver: comparators, `||`, x-ranges, tilde, caret, hyphen ranges,
// the prerelease rule), with DESIGN §3's additions (`==`, `!=`, commas, juxtaposition, PEP 440 `~=`).
#include "reel/resolver/range.h"

#include <algorithm>
#include <cctype>

#include "version_parse.h"

namespace reel {
namespace {

using detail::ParseFailure;

// A version with some components given: `1`, `1.2`, `1.2.3-rc.1`, `*` (count 0), `1.x` (count 1).
struct Partial {
  int count = 0;  // numeric components given before the first wildcard or the end
  std::uint64_t part[3] = {0, 0, 0};
  Version full;   // valid when count == 3 (carries prerelease and build)
};

Version make(std::uint64_t a, std::uint64_t b, std::uint64_t c, bool dash_zero = false) {
  Version v(a, b, c);
  if (dash_zero) v.set_prerelease({"0"});
  return v;
}

Version floor_of(const Partial& p) {
  return p.count == 3 ? p.full : make(p.part[0], p.part[1], p.part[2]);
}

// The first version above every version the partial names, as `X.Y.Z-0` (node-semver's bump).
Version ceiling_of(const Partial& p) {
  if (p.count == 1) return make(p.part[0] + 1, 0, 0, true);
  return make(p.part[0], p.part[1] + 1, 0, true);  // count == 2
}

bool is_wild(char c) { return c == 'x' || c == 'X' || c == '*'; }

bool parse_partial(std::string_view text, std::size_t& pos, Partial& out, ParseFailure& failure) {
  std::size_t start = pos;
  if (pos < text.size() && (text[pos] == 'v' || text[pos] == 'V')) ++pos;
  out = Partial{};
  for (int i = 0; i < 3; ++i) {
    if (pos < text.size() && is_wild(text[pos])) {
      ++pos;
      // Anything after a wildcard (`1.x.x`) is wildcards too.
      while (pos + 1 < text.size() && text[pos] == '.' && is_wild(text[pos + 1])) pos += 2;
      return true;
    }
    if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) {
      failure = {pos, i == 0 ? "expected a version" : "expected a number"};
      return false;
    }
    if (!detail::parse_number(text, pos, out.part[i], failure)) return false;
    out.count = i + 1;
    if (i < 2) {
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        continue;
      }
      return true;
    }
  }
  // Three numbers: reparse as a full version for prerelease/build/tgzr suffix.
  std::size_t vpos = start;
  if (vpos < text.size() && (text[vpos] == 'v' || text[vpos] == 'V')) ++vpos;
  if (!detail::parse_version_at(text, vpos, out.full, failure)) return false;
  pos = vpos;
  return true;
}

void add_interval(std::vector<Interval>& set, std::optional<Bound> lo, std::optional<Bound> hi) {
  set.push_back(Interval{std::move(lo), std::move(hi)});
}

bool interval_empty(const Interval& i) {
  if (!i.lower || !i.upper) return false;
  auto c = i.lower->version <=> i.upper->version;
  if (c > 0) return true;
  return c == 0 && !(i.lower->inclusive && i.upper->inclusive);
}

Interval intersect(const Interval& a, const Interval& b) {
  Interval r;
  if (!a.lower) r.lower = b.lower;
  else if (!b.lower) r.lower = a.lower;
  else {
    auto c = a.lower->version <=> b.lower->version;
    r.lower = c > 0 ? a.lower : c < 0 ? b.lower
                                      : Bound{a.lower->version, a.lower->inclusive && b.lower->inclusive};
  }
  if (!a.upper) r.upper = b.upper;
  else if (!b.upper) r.upper = a.upper;
  else {
    auto c = a.upper->version <=> b.upper->version;
    r.upper = c < 0 ? a.upper : c > 0 ? b.upper
                                      : Bound{a.upper->version, a.upper->inclusive && b.upper->inclusive};
  }
  return r;
}

std::vector<Interval> intersect(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  for (const auto& x : a) {
    for (const auto& y : b) {
      Interval i = intersect(x, y);
      if (!interval_empty(i)) out.push_back(std::move(i));
    }
  }
  return out;
}

bool in_interval(const Interval& i, const Version& v) {
  if (i.lower) {
    auto c = v <=> i.lower->version;
    if (c < 0 || (c == 0 && !i.lower->inclusive)) return false;
  }
  if (i.upper) {
    auto c = v <=> i.upper->version;
    if (c > 0 || (c == 0 && !i.upper->inclusive)) return false;
  }
  return true;
}

// The versions `=PARTIAL` names.
std::vector<Interval> equal_set(const Partial& p) {
  std::vector<Interval> s;
  if (p.count == 0) add_interval(s, std::nullopt, std::nullopt);
  else if (p.count == 3) add_interval(s, Bound{p.full, true}, Bound{p.full, true});
  else add_interval(s, Bound{floor_of(p), true}, Bound{ceiling_of(p), false});
  return s;
}

// One comparator's set of versions. Returns false with a failure for an impossible operator form.
bool comparator_set(std::string_view op, const Partial& p, std::size_t op_pos,
                    std::vector<Interval>& s, ParseFailure& failure) {
  const std::optional<Bound> none;
  if (op.empty() || op == "=" || op == "==") {
    s = equal_set(p);
  } else if (op == "!=") {
    if (p.count == 0) return true;  // != * admits nothing
    auto eq = equal_set(p).front();
    add_interval(s, none, Bound{eq.lower->version, !eq.lower->inclusive});
    add_interval(s, Bound{eq.upper->version, !eq.upper->inclusive}, none);
  } else if (op == ">") {
    if (p.count == 0) return true;
    if (p.count == 3) add_interval(s, Bound{p.full, false}, none);
    else add_interval(s, Bound{ceiling_of(p).release(), true}, none);
  } else if (op == ">=") {
    if (p.count == 0) add_interval(s, none, none);
    else add_interval(s, Bound{floor_of(p), true}, none);
  } else if (op == "<") {
    if (p.count == 0) return true;
    if (p.count == 3) add_interval(s, none, Bound{p.full, false});
    else add_interval(s, none, Bound{make(p.part[0], p.part[1], 0, true), false});
  } else if (op == "<=") {
    if (p.count == 0) add_interval(s, none, none);
    else if (p.count == 3) add_interval(s, none, Bound{p.full, true});
    else add_interval(s, none, Bound{ceiling_of(p), false});
  } else if (op == "~") {
    if (p.count == 0) add_interval(s, none, none);
    else if (p.count == 1) add_interval(s, Bound{floor_of(p), true}, Bound{ceiling_of(p), false});
    else add_interval(s, Bound{floor_of(p), true}, Bound{make(p.part[0], p.part[1] + 1, 0, true), false});
  } else if (op == "^") {
    if (p.count == 0) {
      add_interval(s, none, none);
    } else {
      Version hi;
      if (p.part[0] > 0 || p.count == 1) hi = make(p.part[0] + 1, 0, 0, true);
      else if (p.part[1] > 0 || p.count == 2) hi = make(0, p.part[1] + 1, 0, true);
      else hi = make(0, 0, p.part[2] + 1, true);
      add_interval(s, Bound{floor_of(p), true}, Bound{hi, false});
    }
  } else if (op == "~=") {
    if (p.count < 2) {
      failure = {op_pos, "'~=' needs at least MAJOR.MINOR"};
      return false;
    }
    Version hi = p.count == 2 ? make(p.part[0] + 1, 0, 0) : make(p.part[0], p.part[1] + 1, 0);
    add_interval(s, Bound{floor_of(p), true}, Bound{hi, false});
  }
  return true;
}

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ','; }
bool is_operator_start(char c) { return c == '<' || c == '>' || c == '=' || c == '!' || c == '^' || c == '~'; }

std::string_view read_operator(std::string_view text, std::size_t& pos) {
  static constexpr std::string_view kOps[] = {"~=", "==", "!=", ">=", "<=", ">", "<", "=", "^", "~"};
  for (auto op : kOps) {
    if (text.substr(pos, op.size()) == op) {
      pos += op.size();
      return op;
    }
  }
  return {};
}

void skip_spaces(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
}

bool parse_branch(std::string_view text, std::size_t begin, std::size_t end, RangeBranch& branch,
                  ParseFailure& failure) {
  std::vector<Interval> set;
  add_interval(set, std::nullopt, std::nullopt);
  std::string_view t = text.substr(0, end);
  std::size_t pos = begin;
  for (;;) {
    while (pos < end && is_separator(t[pos])) ++pos;
    if (pos >= end) break;
    std::size_t op_pos = pos;
    std::string_view op = read_operator(t, pos);
    skip_spaces(t, pos);
    if (pos >= end || is_separator(t[pos])) {
      failure = {pos, op.empty() ? "expected a version" : "expected a version after '" + std::string(op) + "'"};
      return false;
    }
    Partial p;
    if (!parse_partial(t, pos, p, failure)) return false;
    std::vector<Interval> s;
    // Hyphen range: `A - B`.
    std::size_t look = pos;
    skip_spaces(t, look);
    if (op.empty() && look > pos && look < end && t[look] == '-' &&
        (look + 1 == end || t[look + 1] == ' ' || t[look + 1] == '\t')) {
      std::size_t after = look + 1;
      skip_spaces(t, after);
      if (after >= end) {
        failure = {after, "expected a version after '-'"};
        return false;
      }
      Partial q;
      if (!parse_partial(t, after, q, failure)) return false;
      pos = after;
      std::optional<Bound> lo, hi;
      if (p.count > 0) lo = Bound{floor_of(p), true};
      if (q.count == 3) hi = Bound{q.full, true};
      else if (q.count > 0) hi = Bound{ceiling_of(q), false};
      add_interval(s, lo, hi);
      if (q.count == 3 && q.full.is_prerelease()) branch.prerelease_releases.push_back(q.full.release());
    } else if (!comparator_set(op, p, op_pos, s, failure)) {
      return false;
    }
    if (p.count == 3 && p.full.is_prerelease()) branch.prerelease_releases.push_back(p.full.release());
    if (pos < end && !is_separator(t[pos]) && !is_operator_start(t[pos])) {
      failure = {pos, "unexpected character '" + std::string(1, t[pos]) + "'"};
      return false;
    }
    set = intersect(set, s);
  }
  branch.intervals = std::move(set);
  return true;
}

std::string bound_text(const Version& v, bool upper_exclusive) {
  if (upper_exclusive && v.prerelease().size() == 1 && v.prerelease()[0] == "0") {
    return v.release().to_string();
  }
  return v.to_string();
}

std::string interval_text(const Interval& i) {
  if (!i.lower && !i.upper) return "*";
  if (i.lower && i.upper && i.lower->inclusive && i.upper->inclusive && i.lower->version == i.upper->version) {
    return "==" + i.lower->version.to_string();
  }
  if (i.lower && i.upper && i.lower->inclusive && !i.upper->inclusive) {
    // Caret form where it is exact: [1.2.3, 2.0.0) is ^1.2.3, [0.2.3, 0.3.0) is ^0.2.3.
    const Version& lo = i.lower->version;
    Version hi = i.upper->version.release();
    bool dash_zero = i.upper->version.prerelease().size() == 1 && i.upper->version.prerelease()[0] == "0";
    bool plain = !i.upper->version.is_prerelease() || dash_zero;
    if (plain && !lo.is_prerelease() &&
        ((lo.major() > 0 && hi == Version(lo.major() + 1, 0, 0)) ||
         (lo.major() == 0 && lo.minor() > 0 && hi == Version(0, lo.minor() + 1, 0)))) {
      return "^" + lo.to_string();
    }
  }
  std::string s;
  if (i.lower) s += (i.lower->inclusive ? ">=" : ">") + i.lower->version.to_string();
  if (i.upper) {
    if (!s.empty()) s += ",";
    s += (i.upper->inclusive ? "<=" : "<") + bound_text(i.upper->version, !i.upper->inclusive);
  }
  return s;
}

}  // namespace

Range Range::any() {
  Range r;
  r.branches_.push_back(RangeBranch{{Interval{}}, {}});
  return r;
}

Range Range::exactly(const Version& v) {
  Range r;
  RangeBranch b{{Interval{Bound{v, true}, Bound{v, true}}}, {}};
  if (v.is_prerelease()) b.prerelease_releases.push_back(v.release());
  r.branches_.push_back(std::move(b));
  return r;
}

tl::expected<Range, ParseError> Range::parse(std::string_view text) {
  Range r;
  r.source_ = std::string(text);
  std::size_t begin = 0;
  for (;;) {
    std::size_t bar = text.find("||", begin);
    std::size_t end = bar == std::string_view::npos ? text.size() : bar;
    RangeBranch branch;
    ParseFailure failure;
    if (!parse_branch(text, begin, end, branch, failure)) {
      return tl::unexpected(ParseError{std::string(text), failure.position,
                                       "invalid range: " + failure.message});
    }
    r.branches_.push_back(std::move(branch));
    if (bar == std::string_view::npos) break;
    begin = bar + 2;
  }
  return r;
}

bool Range::contains(const Version& v) const {
  for (const auto& b : branches_) {
    bool in = std::any_of(b.intervals.begin(), b.intervals.end(),
                          [&](const Interval& i) { return in_interval(i, v); });
    if (!in) continue;
    if (!v.is_prerelease()) return true;
    Version triple = v.release();
    if (std::find(b.prerelease_releases.begin(), b.prerelease_releases.end(), triple) !=
        b.prerelease_releases.end()) {
      return true;
    }
  }
  return false;
}

bool Range::is_empty() const {
  return std::all_of(branches_.begin(), branches_.end(),
                     [](const RangeBranch& b) { return b.intervals.empty(); });
}

bool Range::is_any() const {
  for (const auto& b : branches_) {
    for (const auto& i : b.intervals) {
      if (!i.lower && !i.upper) return true;
    }
  }
  return false;
}

std::optional<Version> Range::single_version() const {
  std::optional<Version> found;
  for (const auto& b : branches_) {
    for (const auto& i : b.intervals) {
      if (!(i.lower && i.upper && i.lower->inclusive && i.upper->inclusive &&
            i.lower->version == i.upper->version)) {
        return std::nullopt;
      }
      if (found && !(*found == i.lower->version)) return std::nullopt;
      found = i.lower->version;
    }
  }
  return found;
}

std::string Range::to_string() const {
  std::vector<std::string> parts;
  for (const auto& b : branches_) {
    for (const auto& i : b.intervals) {
      std::string s = interval_text(i);
      if (s == "*") return "*";
      if (std::find(parts.begin(), parts.end(), s) == parts.end()) parts.push_back(std::move(s));
    }
  }
  if (parts.empty()) return "no versions";
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " || " : "") + parts[i];
  return out;
}

}  // namespace reel
