// The PubGrub solver's state (private to the resolver): packages, incompatibilities, and the
// partial solution. See solver.cc for the algorithm and explain.cc for the explanations.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "reel/resolver/solver.h"
#include "solver_types.h"

namespace reel::pubgrub {

struct PackageInfo {
  std::string name;
  std::vector<Version> versions;  // ascending
  std::vector<bool> yanked;
  bool loaded = false;
};

struct Assignment {
  Term term;
  int decision_level = 0;
  int cause = -1;  // incompatibility index; -1 for a decision
};

class Solver {
 public:
  Solver(PackageProvider& provider, const ResolveRequest& request);
  ResolveResult run();
  // The counts so far (ResolveStats).
  ResolveStats stats() const;

  // For explain.cc.
  const PackageInfo& package(PackageId id) const { return packages_[static_cast<std::size_t>(id)]; }
  const std::vector<Incompatibility>& incompatibilities() const { return incompatibilities_; }
  const std::string& root_name() const { return request_.root_name; }
  // Who asked for the root's requirement at `position`: request.requested_by, else root_name.
  const std::string& requested_by(int position) const {
    const auto& by = request_.requested_by;
    if (position < 0 || static_cast<std::size_t>(position) >= by.size() ||
        by[static_cast<std::size_t>(position)].empty())
      return request_.root_name;
    return by[static_cast<std::size_t>(position)];
  }

 private:
  PackageId intern(const std::string& name);
  void load(PackageId id);
  // The known versions of `id` in `range`, without yanked ones unless the range pins exactly that
  // version or the lock names it (and the package is not upgraded).
  VersionSet set_of(PackageId id, const Range& range);
  bool upgraded(const std::string& name) const;
  int add_incompatibility(Incompatibility incompatibility);

  // The intersection of every assignment to `id`, or nullptr if none.
  const Term* current(PackageId id) const;
  void assign(Term term, int cause);
  void decide(PackageId id, std::size_t version_index);
  void backtrack(int level);

  enum class Relation { kSatisfied, kContradicted, kInconclusive };
  Relation relation(const Incompatibility& inc, int* unsatisfied) const;
  bool relation_term_satisfied(const Term& t) const;

  // Returns false when unsatisfiable (root_cause_ holds the final incompatibility).
  bool propagate(PackageId start);
  int resolve_conflict(int incompatibility);
  std::size_t satisfier_index(const Term& term) const;
  // Picks a package and version (pub: fewest admissible versions first); the package to propagate
  // from next, or nullopt when every package is decided.
  std::optional<PackageId> choose_and_decide();
  // The dependencies of one version sorted by name (cached; the pointer stays valid for the
  // solver's lifetime), or nullptr when the provider does not have that version.
  const std::vector<Dependency>* dependencies_of(PackageId id, std::size_t version_index);

  PackageProvider& provider_;
  const ResolveRequest& request_;
  std::vector<PackageInfo> packages_;
  std::unordered_map<std::string, PackageId> ids_;  // by provider_.package_key()
  std::vector<Incompatibility> incompatibilities_;
  std::vector<std::vector<int>> by_package_;  // incompatibility indexes mentioning a package
  std::vector<Assignment> assignments_;
  std::vector<Term> current_;  // per package: intersection of its assignments
  std::vector<int> assignment_count_;
  std::vector<long> decided_;  // per package: decided version index or -1
  int decision_level_ = 0;
  int failure_ = -1;
  ResolveStats stats_;
  std::map<std::pair<PackageId, std::size_t>, std::optional<std::vector<Dependency>>>
      dependency_cache_;
  // Dependency incompatibilities already added, by (depender, target, first version index of the
  // depender's run): deciding a version again after backjumping reuses them instead of adding
  // copies (on the K=5 benchmark, copies were 330,000 incompatibilities and 130 MB).
  std::map<std::tuple<PackageId, PackageId, std::size_t>, int> dependency_incompatibilities_;
  std::shared_ptr<const Range> any_range_;  // the label of "every version of X"
};

// Builds the explanation of failure incompatibility `root` (pub's doc/solver.md, error reporting).
std::string explain(const Solver& solver, int root);

// Text of a set of one package's versions: "1.0.0", ">=1.0.0,<2.0.0", "*" (every), "no versions".
std::string set_text(const PackageInfo& info, const VersionSet& set);

}  // namespace reel::pubgrub
