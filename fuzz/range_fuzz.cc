// fuzz_range: Range::parse (DESIGN §3, resolver/include/reel/resolver/range.h).
// The whole input is one range text. Invariants for a parsed range: it keeps its source text; its
// simplest text (to_string, and to_caret_string) parses back to the same set ("no versions" exactly
// when it is empty); a single_version() is contained; and set algebra laws hold (idempotence,
// double complement, r ∪ ¬r = any). When the input holds a '\n', the two halves are also parsed
// as ranges A and B and the laws between them are checked (commutativity, De Morgan, subset and
// disjointness agreeing with the intersection).
#include "fuzz_check.h"
#include "reel/resolver/range.h"

using reel::Range;
using reel::fuzz::check;

namespace {

std::string show(const Range& r) { return "'" + r.source_text() + "' = " + r.to_string(); }

void check_one(std::string_view text, const Range& r) {
  check(r.source_text() == text, "source_text() is not the parsed text");
  const std::string simplest = r.to_string();
  check(r.is_empty() == (simplest == "no versions"), "is_empty() disagrees with to_string()",
        [&] { return show(r); });
  if (!r.is_empty()) {
    auto again = Range::parse(simplest);
    check(again.has_value(), "to_string() does not parse",
          [&] { return show(r) + ": " + again.error().to_string(); });
    check(*again == r, "to_string() parses to another set",
          [&] { return show(r) + " -> " + again->to_string(); });
    const std::string caret = r.to_caret_string();
    auto caret_again = Range::parse(caret);
    check(caret_again.has_value(), "to_caret_string() does not parse",
          [&] { return show(r) + " caret '" + caret + "': " + caret_again.error().to_string(); });
    check(*caret_again == r, "to_caret_string() parses to another set",
          [&] { return show(r) + " caret '" + caret + "' -> " + caret_again->to_string(); });
  }
  if (auto one = r.single_version()) {
    check(r.contains(*one), "single_version() is not contained", [&] { return show(r); });
  }
  check(r.intersect(r) == r && r.union_with(r) == r && r.is_subset_of(r),
        "intersect/union/subset with itself", [&] { return show(r); });
  const Range not_r = r.complement();
  check(not_r.complement() == r, "double complement", [&] { return show(r); });
  check(r.union_with(not_r).is_any() && r.is_disjoint_from(not_r) && r.intersect(not_r).is_empty(),
        "r and its complement", [&] { return show(r) + ", complement " + not_r.to_string(); });
}

void check_two(const Range& a, const Range& b) {
  auto both = [&] { return show(a) + " and " + show(b); };
  const Range meet = a.intersect(b);
  const Range join = a.union_with(b);
  check(meet == b.intersect(a) && join == b.union_with(a), "commutativity", both);
  check(join.complement() == a.complement().intersect(b.complement()), "De Morgan (union)", both);
  check(meet.complement() == a.complement().union_with(b.complement()), "De Morgan (intersection)",
        both);
  check(meet.is_subset_of(a) && a.is_subset_of(join), "a ∩ b ⊆ a ⊆ a ∪ b", both);
  check(a.is_subset_of(b) == (meet == a), "is_subset_of agrees with the intersection", both);
  check(a.is_disjoint_from(b) == meet.is_empty(), "is_disjoint_from agrees with the intersection",
        both);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = reel::fuzz::as_text(data, size);
  auto r = Range::parse(text);
  if (r) {
    check_one(text, *r);
  } else {
    check(r.error().position <= text.size(), "parse error position beyond the text",
          [&] { return r.error().to_string(); });
  }
  auto [first, second] = reel::fuzz::split_line(text);
  if (first.size() == text.size()) return 0;
  auto a = Range::parse(first);
  auto b = Range::parse(second);
  if (a && b) check_two(*a, *b);
  return 0;
}
