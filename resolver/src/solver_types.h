// PubGrub's data types over finite version sets (private to the resolver).
//
// Every package's known versions are sorted once; a set of versions is a bitset over that list,
// so term algebra (intersection, difference, subset) is a few word operations. A Term is a set
// with a polarity (PubGrub's positive "foo in S" / negative "not foo in S").
#pragma once

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
  VersionSet() = default;
  VersionSet(std::size_t size, bool full) : size_(size) {
    if (words() > 1) heap_.assign(words(), 0);
    if (full) {
      for (std::size_t i = 0; i < words(); ++i) data()[i] = ~0ULL;
      trim();
    }
  }
  std::size_t size() const { return size_; }
  bool test(std::size_t i) const { return (data()[i / 64] >> (i % 64)) & 1; }
  void set(std::size_t i) { data()[i / 64] |= 1ULL << (i % 64); }
  bool empty() const {
    for (std::size_t i = 0; i < words(); ++i)
      if (data()[i]) return false;
    return true;
  }
  bool full() const { return complement().empty(); }
  std::size_t count() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < words(); ++i)
      n += static_cast<std::size_t>(__builtin_popcountll(data()[i]));
    return n;
  }
  VersionSet complement() const {
    VersionSet r = *this;
    for (std::size_t i = 0; i < words(); ++i) r.data()[i] = ~r.data()[i];
    r.trim();
    return r;
  }
  VersionSet operator&(const VersionSet& o) const {
    VersionSet r = *this;
    for (std::size_t i = 0; i < words(); ++i) r.data()[i] &= o.data()[i];
    return r;
  }
  VersionSet operator|(const VersionSet& o) const {
    VersionSet r = *this;
    for (std::size_t i = 0; i < words(); ++i) r.data()[i] |= o.data()[i];
    return r;
  }
  // this \ o
  VersionSet minus(const VersionSet& o) const {
    VersionSet r = *this;
    for (std::size_t i = 0; i < words(); ++i) r.data()[i] &= ~o.data()[i];
    return r;
  }
  bool subset_of(const VersionSet& o) const {
    for (std::size_t i = 0; i < words(); ++i)
      if (data()[i] & ~o.data()[i]) return false;
    return true;
  }
  bool disjoint(const VersionSet& o) const {
    for (std::size_t i = 0; i < words(); ++i)
      if (data()[i] & o.data()[i]) return false;
    return true;
  }
  bool operator==(const VersionSet& o) const {
    if (size_ != o.size_) return false;
    for (std::size_t i = 0; i < words(); ++i)
      if (data()[i] != o.data()[i]) return false;
    return true;
  }
  // Highest index set, or -1.
  long highest() const {
    for (std::size_t w = words(); w-- > 0;) {
      if (data()[w])
        return static_cast<long>(w * 64 + 63 -
                                 static_cast<std::size_t>(__builtin_clzll(data()[w])));
    }
    return -1;
  }

 private:
  // Packages with up to 64 versions (nearly all) keep their bits inline: no allocation per term.
  std::size_t words() const { return (size_ + 63) / 64; }
  std::uint64_t* data() { return words() > 1 ? heap_.data() : &inline_; }
  const std::uint64_t* data() const { return words() > 1 ? heap_.data() : &inline_; }
  void trim() {
    if (size_ % 64 && words() > 0) data()[words() - 1] &= (1ULL << (size_ % 64)) - 1;
  }
  std::size_t size_ = 0;
  std::uint64_t inline_ = 0;
  std::vector<std::uint64_t> heap_;
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
};

}  // namespace reel::pubgrub
