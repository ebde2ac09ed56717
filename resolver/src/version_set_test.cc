// VersionSet (solver_types.h) against a plain std::vector<bool> reference, in both of its forms:
// the one-word bitset (<= 64 versions) and the run list (more).
#include <gtest/gtest.h>

#include <random>

#include "solver_types.h"

namespace reel::pubgrub {
namespace {

using Bits = std::vector<bool>;

VersionSet make(const Bits& bits) {
  VersionSet s(bits.size(), false);
  for (std::size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) s.set(i);
  return s;
}

void expect_same(const VersionSet& s, const Bits& bits, const std::string& what) {
  ASSERT_EQ(s.size(), bits.size()) << what;
  std::size_t n = 0;
  long high = -1;
  for (std::size_t i = 0; i < bits.size(); ++i) {
    EXPECT_EQ(s.test(i), bits[i]) << what << " at " << i;
    if (bits[i]) {
      ++n;
      high = static_cast<long>(i);
    }
  }
  EXPECT_EQ(s.count(), n) << what;
  EXPECT_EQ(s.highest(), high) << what;
  EXPECT_EQ(s.empty(), n == 0) << what;
  EXPECT_EQ(s.full(), n == bits.size()) << what;
  EXPECT_TRUE(s == make(bits)) << what << ": not canonical";
}

TEST(VersionSet, AgreesWithAReferenceInBothForms) {
  std::mt19937 rng(7);
  for (std::size_t size : {0, 1, 5, 63, 64, 65, 100, 300}) {
    for (int round = 0; round < 200; ++round) {
      // Runs of random length make long stretches, as ranges do.
      auto random_bits = [&] {
        Bits b(size);
        bool on = rng() % 2;
        for (std::size_t i = 0; i < size; ++i) {
          if (rng() % 8 == 0) on = !on;
          b[i] = on;
        }
        return b;
      };
      Bits a = random_bits(), b = random_bits();
      VersionSet sa = make(a), sb = make(b);
      std::string tag = "size " + std::to_string(size) + " round " + std::to_string(round);
      expect_same(sa, a, tag + " a");
      Bits c(size), i(size), u(size), m(size);
      bool subset = true, disjoint = true;
      for (std::size_t k = 0; k < size; ++k) {
        c[k] = !a[k];
        i[k] = a[k] && b[k];
        u[k] = a[k] || b[k];
        m[k] = a[k] && !b[k];
        subset = subset && (!a[k] || b[k]);
        disjoint = disjoint && !(a[k] && b[k]);
      }
      expect_same(sa.complement(), c, tag + " complement");
      expect_same(sa & sb, i, tag + " and");
      expect_same(sa | sb, u, tag + " or");
      expect_same(sa.minus(sb), m, tag + " minus");
      EXPECT_EQ(sa.subset_of(sb), subset) << tag;
      EXPECT_EQ(sa.disjoint(sb), disjoint) << tag;
      EXPECT_EQ(sa == sb, a == b) << tag;
      // Setting bits out of order still gives the canonical form.
      if (size > 0) {
        std::size_t k = rng() % size;
        Bits a2 = a;
        a2[k] = true;
        VersionSet s2 = sa;
        s2.set(k);
        expect_same(s2, a2, tag + " set");
      }
    }
  }
  EXPECT_TRUE(VersionSet(100000, true).full());
  EXPECT_EQ(VersionSet(100000, true).count(), 100000u);
}

}  // namespace
}  // namespace reel::pubgrub
