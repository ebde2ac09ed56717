// PubGrub's data types over finite version sets (private to the resolver).
//
// Every package's known versions are sorted once; a set of versions is a bitset over that list,
// so term algebra (intersection, difference, subset) is a few word operations. A Term is a set
// with a polarity (PubGrub's positive "foo in S" / negative "not foo in S").
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reel/resolver/range.h"
#include "reel/resolver/version.h"

namespace reel::pubgrub {

class VersionSet {
 public:
  // Sets over at most this many versions use the one-word bitset; 64 outside tests, which lower it
  // to run the solver on the run-list form. Change it only when no VersionSet exists.
  static inline std::size_t small_limit = 64;

  VersionSet() = default;
  VersionSet(std::size_t size, bool full) : size_(size) {
    if (!full || size == 0) return;
    if (small())
      bits_ = size == 64 ? ~0ULL : (1ULL << size) - 1;
    else
      runs_ = {0, static_cast<std::uint32_t>(size)};
  }
  std::size_t size() const { return size_; }
  bool test(std::size_t i) const {
    if (small()) return (bits_ >> i) & 1;
    // Inside a run iff an odd number of boundaries are <= i.
    auto k = std::upper_bound(runs_.begin(), runs_.end(), static_cast<std::uint32_t>(i)) -
             runs_.begin();
    return k % 2 == 1;
  }
  void set(std::size_t i) {
    if (small()) {
      bits_ |= 1ULL << i;
      return;
    }
    auto at = static_cast<std::uint32_t>(i);
    if (!runs_.empty() && runs_.back() == at) {
      runs_.back() = at + 1;  // extends the last run (sets are built in ascending order)
    } else if (runs_.empty() || runs_.back() < at) {
      runs_.push_back(at);
      runs_.push_back(at + 1);
    } else if (!test(i)) {
      *this = *this | single(size_, i);
    }
  }
  bool empty() const { return small() ? bits_ == 0 : runs_.empty(); }
  bool full() const { return complement().empty(); }
  std::size_t count() const {
    if (small()) return static_cast<std::size_t>(__builtin_popcountll(bits_));
    std::size_t n = 0;
    for (std::size_t r = 0; r < runs_.size(); r += 2) n += runs_[r + 1] - runs_[r];
    return n;
  }
  VersionSet complement() const {
    return combine(*this, *this, [](bool a, bool) { return !a; });
  }
  VersionSet operator&(const VersionSet& o) const {
    return combine(*this, o, [](bool a, bool b) { return a && b; });
  }
  VersionSet operator|(const VersionSet& o) const {
    return combine(*this, o, [](bool a, bool b) { return a || b; });
  }
  // this \ o
  VersionSet minus(const VersionSet& o) const {
    return combine(*this, o, [](bool a, bool b) { return a && !b; });
  }
  bool subset_of(const VersionSet& o) const {
    return small() ? (bits_ & ~o.bits_) == 0 : minus(o).empty();
  }
  bool disjoint(const VersionSet& o) const {
    return small() ? (bits_ & o.bits_) == 0 : (*this & o).empty();
  }
  bool operator==(const VersionSet& o) const {
    return size_ == o.size_ && bits_ == o.bits_ && runs_ == o.runs_;
  }
  // Highest index set, or -1.
  long highest() const {
    if (small()) return bits_ ? 63 - __builtin_clzll(bits_) : -1;
    return runs_.empty() ? -1 : static_cast<long>(runs_.back()) - 1;
  }

 private:
  // Packages with up to 64 versions (nearly all) are a bitset in one word: term algebra is one
  // instruction and nothing is allocated. Larger ones are sorted, disjoint, non-adjacent runs of
  // version indexes [begin, end) (pub's interval representation), so a term over 100,000 versions
  // costs a few words, not 12.5 KB.
  bool small() const { return size_ <= small_limit; }
  static VersionSet single(std::size_t size, std::size_t i) {
    VersionSet r(size, false);
    r.runs_ = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1)};
    return r;
  }
  // The set {i : op(i in a, i in b)}, by a sweep over both run lists' boundaries.
  template <typename Op>
  static VersionSet combine(const VersionSet& a, const VersionSet& b, Op op) {
    VersionSet r(a.size_, false);
    if (a.small()) {
      std::uint64_t mask = a.size_ == 64 ? ~0ULL : (1ULL << a.size_) - 1;
      // Evaluate op bitwise, one minterm at a time.
      std::uint64_t tt = op(true, true) ? a.bits_ & b.bits_ : 0;
      std::uint64_t tf = op(true, false) ? a.bits_ & ~b.bits_ : 0;
      std::uint64_t ft = op(false, true) ? ~a.bits_ & b.bits_ : 0;
      std::uint64_t ff = op(false, false) ? ~a.bits_ & ~b.bits_ : 0;
      r.bits_ = (tt | tf | ft | ff) & mask;
      return r;
    }
    std::size_t i = 0, j = 0;
    bool in_a = false, in_b = false;
    bool in_r = op(false, false);
    if (in_r) r.runs_.push_back(0);
    const auto end = static_cast<std::uint32_t>(a.size_);
    for (;;) {
      std::uint32_t next_a = i < a.runs_.size() ? a.runs_[i] : end;
      std::uint32_t next_b = j < b.runs_.size() ? b.runs_[j] : end;
      std::uint32_t at = next_a < next_b ? next_a : next_b;
      if (at >= end) break;
      if (next_a == at) {
        in_a = !in_a;
        ++i;
      }
      if (next_b == at) {
        in_b = !in_b;
        ++j;
      }
      bool now = op(in_a, in_b);
      if (now == in_r) continue;
      if (!now && r.runs_.back() == at)
        r.runs_.pop_back();  // a run opened at 0 and closed at once: empty
      else
        r.runs_.push_back(at);
      in_r = now;
    }
    if (in_r) r.runs_.push_back(end);
    return r;
  }

  std::size_t size_ = 0;
  std::uint64_t bits_ = 0;             // small(): bit i = version index i
  std::vector<std::uint32_t> runs_;    // !small(): begin0, end0, begin1, end1, ...
};

using PackageId = int;

struct Term {
  PackageId package = 0;
  VersionSet set;
  bool positive = true;
  // The range as the user or index wrote it, when the set came straight from one (shared: terms are
  // copied into every incompatibility derived from them).
  std::shared_ptr<const Range> label;

  Term negate() const { return Term{package, set, !positive, label}; }
};

// Intersection of two terms on the same package (PubGrub: "foo S ∩ not foo T" = "foo S\T", ...).
inline Term intersect(const Term& a, const Term& b) {
  if (a.positive && b.positive) return Term{a.package, a.set & b.set, true, nullptr};
  if (a.positive) return Term{a.package, a.set.minus(b.set), true, nullptr};
  if (b.positive) return Term{a.package, b.set.minus(a.set), true, nullptr};
  return Term{a.package, a.set | b.set, false, nullptr};
}

// Does assignment-term `a` imply term `t` (a ⊆ t)?
inline bool satisfies(const Term& a, const Term& t) {
  if (a.positive) return t.positive ? a.set.subset_of(t.set) : a.set.disjoint(t.set);
  return t.positive ? false : t.set.subset_of(a.set);
}

// Is a ∩ t empty?
inline bool contradicts(const Term& a, const Term& t) {
  if (a.positive) return t.positive ? a.set.disjoint(t.set) : a.set.subset_of(t.set);
  return t.positive ? t.set.subset_of(a.set) : false;
}

// A term that admits nothing (for a positive term) can never be satisfied by a selection.
inline bool is_empty_positive(const Term& t) { return t.positive && t.set.empty(); }

enum class Cause { kRoot, kDependency, kNoVersions, kNotFound, kUnavailable, kConflict };

struct Incompatibility {
  std::vector<Term> terms;
  Cause cause = Cause::kRoot;
  int cause1 = -1;  // for kConflict: the two incompatibilities it was derived from
  int cause2 = -1;
  int requirement = -1;  // for kDependency from the root: the position in request.requirements
};

}  // namespace reel::pubgrub
