// Range parsing. The grammar and meaning follow node-semver's strict mode
// (https://github.com/npm/node-semver, classes/range.js and its range-include / range-exclude
// fixtures: comparators, `||`, x-ranges, tilde, caret, hyphen ranges, the prerelease rule), with
// DESIGN §3's additions (`==`, `!=`, commas, juxtaposition, PEP 440 `~=`). Each comparator becomes
// a set of releases and a set of prereleases (span_set.h); a `||` branch intersects its
// comparators and keeps only the prereleases of the triples it names; the range unites branches.
#include <cctype>

#include "range_builder.h"
#include "reel/resolver/range.h"
#include "span_set.h"
#include "version_parse.h"

namespace reel {

namespace {

using detail::Bound;
using detail::ParseFailure;
using detail::Spans;
using Piece = std::pair<std::optional<Bound>, std::optional<Bound>>;

// A version with some components given: `1`, `1.2`, `1.2.3-rc.1`, `*` (count 0), `1.x` (count 1).
struct Partial {
  int count = 0;  // numeric components given before the first wildcard or the end
  std::uint64_t part[3] = {0, 0, 0};
  Version full;  // valid when count == 3 (carries prerelease and build)
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

// The largest number a version text may hold (parse_number: 18 digits).
constexpr std::uint64_t kMaxNumber = 999999999999999999ULL;

// True for a bound no version text can name (a component bumped past kMaxNumber).
bool beyond(const Version& v) {
  return v.major() > kMaxNumber || v.minor() > kMaxNumber || v.patch() > kMaxNumber;
}

// An exclusive upper bound at `v`, or none when `v` is above every version a text can name
// (`999999999999999999.x`, `~1.999999999999999999`): the same versions, and a range that prints
// as text that parses back.
std::optional<Bound> below(const Version& v) {
  if (beyond(v)) return std::nullopt;
  return Bound{v, false};
}

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

// The versions `=PARTIAL` names.
Piece equal_piece(const Partial& p) {
  if (p.count == 0) return {};
  if (p.count == 3) return {Bound{p.full, true}, Bound{p.full, true}};
  return {Bound{floor_of(p), true}, below(ceiling_of(p))};
}

// One comparator's versions, as intervals (two for `!=`, none for `<*`). False with a failure
// for an impossible operator form.
bool comparator_pieces(std::string_view op, const Partial& p, std::size_t op_pos,
                       std::vector<Piece>& out, ParseFailure& failure) {
  const std::optional<Bound> none;
  if (op.empty() || op == "=" || op == "==") {
    out.push_back(equal_piece(p));
  } else if (op == "!=") {
    if (p.count == 0) return true;  // != * admits nothing
    Piece eq = equal_piece(p);
    out.push_back({none, Bound{eq.first->version, !eq.first->inclusive}});
    if (eq.second) out.push_back({Bound{eq.second->version, !eq.second->inclusive}, none});
  } else if (op == ">") {
    if (p.count == 3)
      out.push_back({Bound{p.full, false}, none});
    else if (p.count > 0 && !beyond(ceiling_of(p)))  // above `999999999999999999.x`: nothing
      out.push_back({Bound{ceiling_of(p).release(), true}, none});
  } else if (op == ">=") {
    out.push_back({p.count == 0 ? none : std::optional<Bound>(Bound{floor_of(p), true}), none});
  } else if (op == "<") {
    if (p.count == 3)
      out.push_back({none, Bound{p.full, false}});
    else if (p.count > 0)
      out.push_back({none, Bound{make(p.part[0], p.part[1], 0, true), false}});
  } else if (op == "<=") {
    if (p.count == 0)
      out.push_back({});
    else if (p.count == 3)
      out.push_back({none, Bound{p.full, true}});
    else
      out.push_back({none, below(ceiling_of(p))});
  } else if (op == "~" || op == "~>") {
    if (p.count == 0)
      out.push_back({});
    else if (p.count == 1)
      out.push_back({Bound{floor_of(p), true}, below(ceiling_of(p))});
    else
      out.push_back({Bound{floor_of(p), true}, below(make(p.part[0], p.part[1] + 1, 0, true))});
  } else if (op == "^") {
    if (p.count == 0) {
      out.push_back({});
    } else {
      Version hi;
      if (p.part[0] > 0 || p.count == 1)
        hi = make(p.part[0] + 1, 0, 0, true);
      else if (p.part[1] > 0 || p.count == 2)
        hi = make(0, p.part[1] + 1, 0, true);
      else
        hi = make(0, 0, p.part[2] + 1, true);
      out.push_back({Bound{floor_of(p), true}, below(hi)});
    }
  } else if (op == "~=") {
    if (p.count < 2) {
      failure = {op_pos, "'~=' needs at least MAJOR.MINOR"};
      return false;
    }
    Version hi = p.count == 2 ? make(p.part[0] + 1, 0, 0) : make(p.part[0], p.part[1] + 1, 0);
    out.push_back({Bound{floor_of(p), true}, below(hi)});
  }
  return true;
}

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ','; }
bool is_operator_start(char c) {
  return c == '<' || c == '>' || c == '=' || c == '!' || c == '^' || c == '~';
}

std::string_view read_operator(std::string_view text, std::size_t& pos) {
  static constexpr std::string_view kOps[] = {
      "~=", "~>", "==", "!=", ">=", "<=", ">", "<", "=", "^", "~"};
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

// The releases and prereleases of one `||` branch, text[begin, end).
struct BranchSets {
  Spans releases;
  Spans prereleases;
};

bool parse_branch(std::string_view text, std::size_t begin, std::size_t end, BranchSets& out,
                  ParseFailure& failure) {
  Spans releases = {VersionSpan{}};
  Spans prereleases = {VersionSpan{}};
  std::vector<Version> triples;  // releases whose prereleases the branch admits
  std::string_view t = text.substr(0, end);
  std::size_t pos = begin;
  for (;;) {
    while (pos < end && is_separator(t[pos])) ++pos;
    if (pos >= end) break;
    std::size_t op_pos = pos;
    std::string_view op = read_operator(t, pos);
    skip_spaces(t, pos);
    if (pos >= end || is_separator(t[pos])) {
      failure = {pos, op.empty() ? "expected a version"
                                 : "expected a version after '" + std::string(op) + "'"};
      return false;
    }
    Partial p;
    if (!parse_partial(t, pos, p, failure)) return false;
    std::vector<Piece> pieces;
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
      Piece piece;
      if (p.count > 0) piece.first = Bound{floor_of(p), true};
      if (q.count == 3)
        piece.second = Bound{q.full, true};
      else if (q.count > 0)
        piece.second = Bound{ceiling_of(q), false};
      pieces.push_back(piece);
      if (q.count == 3 && q.full.is_prerelease()) triples.push_back(q.full.release());
    } else if (!comparator_pieces(op, p, op_pos, pieces, failure)) {
      return false;
    }
    if (p.count == 3 && p.full.is_prerelease() && op != "!=") triples.push_back(p.full.release());
    if (pos < end && !is_separator(t[pos]) && !is_operator_start(t[pos])) {
      failure = {pos, "unexpected character '" + std::string(1, t[pos]) + "'"};
      return false;
    }
    Spans r, pre;
    for (const auto& [lo, hi] : pieces) {
      r = detail::unite(r, detail::release_spans(lo, hi), detail::least_release());
      pre = detail::unite(pre, detail::prerelease_spans(lo, hi), detail::least_prerelease());
    }
    releases = detail::intersect(releases, r, detail::least_release());
    prereleases = detail::intersect(prereleases, pre, detail::least_prerelease());
  }
  Spans windows;
  for (const auto& triple : triples) {
    windows = detail::unite(windows, detail::prerelease_window(triple), detail::least_prerelease());
  }
  out.releases = detail::normalize(std::move(releases), detail::least_release());
  out.prereleases = detail::intersect(prereleases, windows, detail::least_prerelease());
  return true;
}

}  // namespace

tl::expected<Range, ParseError> Range::parse(std::string_view text) {
  Spans releases, prereleases;
  std::size_t begin = 0;
  for (;;) {
    std::size_t bar = text.find("||", begin);
    std::size_t end = bar == std::string_view::npos ? text.size() : bar;
    BranchSets branch;
    ParseFailure failure;
    if (!parse_branch(text, begin, end, branch, failure)) {
      return tl::unexpected(
          ParseError{std::string(text), failure.position, "invalid range: " + failure.message});
    }
    releases = detail::unite(releases, branch.releases, detail::least_release());
    prereleases = detail::unite(prereleases, branch.prereleases, detail::least_prerelease());
    if (bar == std::string_view::npos) break;
    begin = bar + 2;
  }
  return RangeBuilder::make(std::move(releases), std::move(prereleases), std::string(text));
}

}  // namespace reel
