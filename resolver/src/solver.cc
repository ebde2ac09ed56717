// PubGrub (Natalie Weizenbaum, 2018; Dart pub's doc/solver.md): unit propagation over
// incompatibilities, decision making newest-first (locked versions first), and conflict resolution
// that learns new incompatibilities and backjumps. Version sets are bitsets over each package's
// known versions (solver_types.h).
#include <algorithm>
#include <stdexcept>

#include "solver_state.h"

namespace reel {
namespace pubgrub {
namespace {
constexpr const char* kRootKey = "\x01root";
}

Solver::Solver(PackageProvider& provider, const ResolveRequest& request)
    : provider_(provider),
      request_(request),
      any_range_(std::make_shared<const Range>(Range::any())) {
  PackageId root = 0;
  ids_.emplace(kRootKey, root);
  packages_.push_back(PackageInfo{request.root_name, {}, {}, false});
  by_package_.emplace_back();
  current_.emplace_back();
  assignment_count_.push_back(0);
  decided_.push_back(-1);
  packages_[static_cast<std::size_t>(root)].versions = {Version(0, 0, 0)};
  packages_[static_cast<std::size_t>(root)].yanked = {false};
  packages_[static_cast<std::size_t>(root)].loaded = true;
}

PackageId Solver::intern(const std::string& name) {
  std::string key = provider_.package_key(name);
  auto it = ids_.find(key);
  if (it != ids_.end()) return it->second;
  PackageId id = static_cast<PackageId>(packages_.size());
  ids_.emplace(std::move(key), id);
  packages_.push_back(PackageInfo{name, {}, {}, false});
  by_package_.emplace_back();
  current_.emplace_back();
  assignment_count_.push_back(0);
  decided_.push_back(-1);
  return id;
}

void Solver::load(PackageId id) {
  PackageInfo& info = packages_[static_cast<std::size_t>(id)];
  if (info.loaded) return;
  info.loaded = true;
  auto versions = provider_.versions(info.name);
  info.name = provider_.package_name(info.name);
  std::sort(versions.begin(), versions.end(),
            [](const VersionInfo& a, const VersionInfo& b) { return a.version < b.version; });
  for (auto& v : versions) {
    if (!info.versions.empty() && info.versions.back() == v.version) continue;
    info.versions.push_back(v.version);
    info.yanked.push_back(v.yanked);
  }
}

bool Solver::upgraded(const std::string& name) const {
  return request_.upgrade_all || request_.upgrade.count(name) > 0;
}

VersionSet Solver::set_of(PackageId id, const Range& range) {
  load(id);
  const PackageInfo& info = packages_[static_cast<std::size_t>(id)];
  VersionSet set(info.versions.size(), false);
  // A yanked version matches only a single-version pin naming it, or the lock's version.
  std::optional<Version> pin;
  const Version* locked = nullptr;
  bool any_yanked = std::find(info.yanked.begin(), info.yanked.end(), true) != info.yanked.end();
  if (any_yanked) {
    pin = range.single_version();
    auto pref = request_.preferred.find(info.name);
    if (pref != request_.preferred.end() && !upgraded(info.name)) locked = &pref->second;
  }
  for (std::size_t i = 0; i < info.versions.size(); ++i) {
    const Version& v = info.versions[i];
    if (!range.contains(v)) continue;
    if (info.yanked[i] && !(pin && *pin == v) && !(locked && *locked == v)) continue;
    set.set(i);
  }
  return set;
}

int Solver::add_incompatibility(Incompatibility incompatibility) {
  int index = static_cast<int>(incompatibilities_.size());
  for (const auto& t : incompatibility.terms) {
    by_package_[static_cast<std::size_t>(t.package)].push_back(index);
  }
  incompatibilities_.push_back(std::move(incompatibility));
  return index;
}

const Term* Solver::current(PackageId id) const {
  return assignment_count_[static_cast<std::size_t>(id)] == 0
             ? nullptr
             : &current_[static_cast<std::size_t>(id)];
}

void Solver::assign(Term term, int cause) {
  auto p = static_cast<std::size_t>(term.package);
  current_[p] = assignment_count_[p] == 0 ? term : intersect(current_[p], term);
  ++assignment_count_[p];
  assignments_.push_back(Assignment{std::move(term), decision_level_, cause});
}

void Solver::decide(PackageId id, std::size_t version_index) {
  ++decision_level_;
  ++stats_.decisions;
  const PackageInfo& info = packages_[static_cast<std::size_t>(id)];
  VersionSet one(info.versions.size(), false);
  one.set(version_index);
  assign(Term{id, std::move(one), true, nullptr}, -1);
  decided_[static_cast<std::size_t>(id)] = static_cast<long>(version_index);
}

void Solver::backtrack(int level) {
  ++stats_.backtracks;
  std::vector<PackageId> touched;
  while (!assignments_.empty() && assignments_.back().decision_level > level) {
    const Assignment& a = assignments_.back();
    auto p = static_cast<std::size_t>(a.term.package);
    if (a.cause == -1) decided_[p] = -1;
    --assignment_count_[p];
    touched.push_back(a.term.package);
    assignments_.pop_back();
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (PackageId id : touched) {
    auto p = static_cast<std::size_t>(id);
    if (assignment_count_[p] == 0) continue;
    bool have = false;
    for (const auto& a : assignments_) {
      if (a.term.package != id) continue;
      current_[p] = have ? intersect(current_[p], a.term) : a.term;
      have = true;
    }
  }
  decision_level_ = level;
}

bool Solver::relation_term_satisfied(const Term& t) const {
  const Term* c = current(t.package);
  return c != nullptr && satisfies(*c, t);
}

Solver::Relation Solver::relation(const Incompatibility& inc, int* unsatisfied) const {
  *unsatisfied = -1;
  for (std::size_t i = 0; i < inc.terms.size(); ++i) {
    const Term& t = inc.terms[i];
    const Term* c = current(t.package);
    if (c != nullptr) {
      if (satisfies(*c, t)) continue;
      if (contradicts(*c, t)) return Relation::kContradicted;
    }
    if (*unsatisfied != -1) {
      *unsatisfied = -1;  // two undecided terms: nothing can be derived
      return Relation::kInconclusive;
    }
    *unsatisfied = static_cast<int>(i);
  }
  return *unsatisfied == -1 ? Relation::kSatisfied : Relation::kInconclusive;
}

bool Solver::propagate(PackageId start) {
  std::vector<PackageId> changed = {start};
  while (!changed.empty()) {
    PackageId package = changed.back();
    changed.pop_back();
    const auto& list = by_package_[static_cast<std::size_t>(package)];
    for (std::size_t k = list.size(); k-- > 0;) {
      int index = by_package_[static_cast<std::size_t>(package)][k];
      int unsatisfied = -1;
      Relation rel = relation(incompatibilities_[static_cast<std::size_t>(index)], &unsatisfied);
      if (rel == Relation::kSatisfied) {
        int root_cause = resolve_conflict(index);
        if (root_cause < 0) return false;
        const Incompatibility& learned = incompatibilities_[static_cast<std::size_t>(root_cause)];
        if (relation(learned, &unsatisfied) != Relation::kInconclusive || unsatisfied < 0) {
          throw std::logic_error("PubGrub: learned incompatibility is not almost satisfied");
        }
        Term t = learned.terms[static_cast<std::size_t>(unsatisfied)];
        assign(t.negate(), root_cause);
        changed.assign(1, t.package);
        break;
      }
      if (rel == Relation::kInconclusive && unsatisfied >= 0) {
        Term t = incompatibilities_[static_cast<std::size_t>(index)]
                     .terms[static_cast<std::size_t>(unsatisfied)];
        assign(t.negate(), index);
        if (std::find(changed.begin(), changed.end(), t.package) == changed.end()) {
          changed.push_back(t.package);
        }
      }
    }
  }
  return true;
}

std::size_t Solver::satisfier_index(const Term& term) const {
  Term acc;
  bool have = false;
  for (std::size_t i = 0; i < assignments_.size(); ++i) {
    const Term& a = assignments_[i].term;
    if (a.package != term.package) continue;
    acc = have ? intersect(acc, a) : a;
    have = true;
    if (satisfies(acc, term)) return i;
  }
  throw std::logic_error("PubGrub: no satisfier for a satisfied term");
}

int Solver::resolve_conflict(int index) {
  ++stats_.conflicts;
  for (;;) {
    Incompatibility inc = incompatibilities_[static_cast<std::size_t>(index)];
    if (inc.terms.empty() ||
        (inc.terms.size() == 1 && inc.terms[0].package == 0 && inc.terms[0].positive)) {
      failure_ = index;
      return -1;
    }
    int most_recent_term = -1;
    long most_recent_satisfier = -1;
    std::optional<Term> difference;
    int previous_level = 1;
    for (std::size_t i = 0; i < inc.terms.size(); ++i) {
      const Term& term = inc.terms[i];
      long s = static_cast<long>(satisfier_index(term));
      if (most_recent_satisfier == -1 || most_recent_satisfier < s) {
        if (most_recent_satisfier != -1) {
          previous_level = std::max(
              previous_level,
              assignments_[static_cast<std::size_t>(most_recent_satisfier)].decision_level);
        }
        most_recent_term = static_cast<int>(i);
        most_recent_satisfier = s;
        difference.reset();
      } else {
        previous_level =
            std::max(previous_level, assignments_[static_cast<std::size_t>(s)].decision_level);
      }
      if (most_recent_term == static_cast<int>(i)) {
        Term diff = intersect(assignments_[static_cast<std::size_t>(most_recent_satisfier)].term,
                              term.negate());
        if (!is_empty_positive(diff)) {
          difference = diff;
          previous_level =
              std::max(previous_level, assignments_[satisfier_index(diff.negate())].decision_level);
        }
      }
    }
    const Assignment satisfier = assignments_[static_cast<std::size_t>(most_recent_satisfier)];
    if (previous_level < satisfier.decision_level || satisfier.cause == -1) {
      backtrack(previous_level);
      return index;
    }
    std::vector<Term> terms;
    for (std::size_t i = 0; i < inc.terms.size(); ++i) {
      if (static_cast<int>(i) != most_recent_term) terms.push_back(inc.terms[i]);
    }
    for (const auto& t : incompatibilities_[static_cast<std::size_t>(satisfier.cause)].terms) {
      if (t.package != satisfier.term.package) terms.push_back(t);
    }
    if (difference) terms.push_back(difference->negate());
    // One term per package: terms on the same package are intersected.
    std::vector<Term> merged;
    for (auto& t : terms) {
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&](const Term& m) { return m.package == t.package; });
      if (it == merged.end()) {
        merged.push_back(std::move(t));
      } else {
        Term m = intersect(*it, t);
        if (it->label && t.label && it->set == m.set && it->positive == m.positive)
          m.label = it->label;
        *it = std::move(m);
      }
    }
    // A negative term that admits every version says nothing ("not foo in nothing"): drop it.
    merged.erase(std::remove_if(merged.begin(), merged.end(),
                                [](const Term& t) { return !t.positive && t.set.empty(); }),
                 merged.end());
    index = add_incompatibility(
        Incompatibility{std::move(merged), Cause::kConflict, index, satisfier.cause});
  }
}

const std::vector<Dependency>* Solver::dependencies_of(PackageId id, std::size_t version_index) {
  auto key = std::make_pair(id, version_index);
  auto it = dependency_cache_.find(key);
  if (it == dependency_cache_.end()) {
    std::optional<std::vector<Dependency>> deps;
    if (id == 0) {
      deps = request_.requirements;
    } else {
      const PackageInfo& info = packages_[static_cast<std::size_t>(id)];
      deps = provider_.dependencies(info.name, info.versions[version_index]);
    }
    if (deps) {
      std::sort(deps->begin(), deps->end(),
                [](const Dependency& a, const Dependency& b) { return a.name < b.name; });
    }
    it = dependency_cache_.emplace(key, std::move(deps)).first;
  }
  return it->second ? &*it->second : nullptr;
}

std::optional<PackageId> Solver::choose_and_decide() {
  PackageId best = -1;
  std::size_t best_count = 0;
  for (std::size_t p = 0; p < packages_.size(); ++p) {
    if (decided_[p] != -1) continue;  // first: a dense array, and most packages are decided
    const Term* c = current(static_cast<PackageId>(p));
    if (c == nullptr || !c->positive) continue;
    std::size_t n = c->set.count();
    if (best == -1 || n < best_count) {
      best = static_cast<PackageId>(p);
      best_count = n;
    }
  }
  if (best == -1) return std::nullopt;
  load(best);
  const PackageInfo& info = packages_[static_cast<std::size_t>(best)];
  const VersionSet& allowed = current_[static_cast<std::size_t>(best)].set;
  if (info.versions.empty()) {
    add_incompatibility(
        Incompatibility{{Term{best, VersionSet(0, true), true, nullptr}}, Cause::kNotFound});
    return best;
  }
  long chosen = -1;
  auto pref = request_.preferred.find(info.name);
  if (!upgraded(info.name) && pref != request_.preferred.end()) {
    for (std::size_t i = 0; i < info.versions.size(); ++i) {
      if (info.versions[i] == pref->second && allowed.test(i)) chosen = static_cast<long>(i);
    }
  }
  if (chosen == -1) chosen = allowed.highest();  // yanked versions were left out by set_of()
  if (chosen == -1) {
    Term t{best, allowed, true, nullptr};
    add_incompatibility(Incompatibility{{t}, Cause::kNoVersions});
    return best;
  }
  auto index = static_cast<std::size_t>(chosen);
  const std::vector<Dependency>* deps = dependencies_of(best, index);
  if (deps == nullptr) {
    VersionSet one(info.versions.size(), false);
    one.set(index);
    add_incompatibility(Incompatibility{{Term{best, one, true, nullptr}}, Cause::kUnavailable});
    return best;
  }
  const std::size_t n = info.versions.size();
  bool conflict = false;
  for (std::size_t position = 0; position < deps->size(); ++position) {
    const Dependency& dep = (*deps)[position];
    PackageId target = intern(dep.name);
    if (target == best) continue;
    const std::string target_key = provider_.package_key(dep.name);
    // The depender side covers the contiguous run of versions with this same dependency, so
    // explanations can say "every version of foo" and fewer incompatibilities are learned.
    auto same = [&](std::size_t j) {
      const std::vector<Dependency>* other = dependencies_of(best, j);
      if (other == nullptr) return false;
      // The same package, however this version spells it (the key is computed only when the
      // spellings differ but could be one name).
      auto it = std::find_if(other->begin(), other->end(), [&](const Dependency& d) {
        return d.name == dep.name ||
               (d.name.size() == dep.name.size() && provider_.package_key(d.name) == target_key);
      });
      return it != other->end() && it->range == dep.range;
    };
    std::size_t lo = index, hi = index;
    if (best != 0) {
      while (hi + 1 < n && same(hi + 1)) ++hi;
      while (lo > 0 && same(lo - 1)) --lo;
    }
    // The root may require one name more than once (the workspace's [requirements] and an
    // output's dependencies): each of its requirements is its own incompatibility.
    auto key = std::make_tuple(best, target, best == 0 ? position : lo);
    auto known = dependency_incompatibilities_.find(key);
    if (known != dependency_incompatibilities_.end()) {
      const Incompatibility& inc = incompatibilities_[static_cast<std::size_t>(known->second)];
      conflict = conflict || relation_term_satisfied(inc.terms[1]);
      continue;
    }
    VersionSet depender(n, false);
    for (std::size_t j = lo; j <= hi; ++j) depender.set(j);
    VersionSet target_set = set_of(target, dep.range);
    bool nothing = target_set.empty();
    Term depender_term{best, depender, true, nullptr};
    if (depender.full()) depender_term.label = any_range_;
    auto label = std::make_shared<const Range>(dep.range);
    Incompatibility inc{{depender_term, Term{target, target_set, false, label}},
                        Cause::kDependency};
    if (best == 0) inc.requirement = static_cast<int>(position);
    conflict = conflict || relation_term_satisfied(inc.terms[1]);
    dependency_incompatibilities_.emplace(key, add_incompatibility(std::move(inc)));
    if (nothing) {
      // No known version matches: say so now (pub's "no versions of X match R" / "X doesn't
      // exist"), so the derived assignment "X in nothing" meets this external cause first.
      bool unknown = packages_[static_cast<std::size_t>(target)].versions.empty();
      add_incompatibility(Incompatibility{{Term{target, std::move(target_set), true, label}},
                                          unknown ? Cause::kNotFound : Cause::kNoVersions});
    }
  }
  if (!conflict) decide(best, index);
  return best;
}

ResolveResult Solver::run() {
  add_incompatibility(
      Incompatibility{{Term{0, VersionSet(1, true), false, nullptr}}, Cause::kRoot});
  PackageId next = 0;
  for (;;) {
    if (!propagate(next)) return Unsolvable{explain(*this, failure_)};
    auto chosen = choose_and_decide();
    if (!chosen) break;
    next = *chosen;
  }
  Solution solution;
  for (std::size_t p = 1; p < packages_.size(); ++p) {
    if (decided_[p] < 0) continue;
    const std::string name = packages_[p].name;  // intern() below may grow packages_
    solution.versions.emplace(name, packages_[p].versions[static_cast<std::size_t>(decided_[p])]);
    std::vector<std::string> names;
    const std::vector<Dependency>* deps =
        dependencies_of(static_cast<PackageId>(p), static_cast<std::size_t>(decided_[p]));
    for (const auto& d : *deps) {
      PackageId target = intern(d.name);
      if (target != static_cast<PackageId>(p))
        names.push_back(packages_[static_cast<std::size_t>(target)].name);
    }
    solution.dependencies.emplace(name, std::move(names));
  }
  return solution;
}

ResolveStats Solver::stats() const {
  ResolveStats out = stats_;
  out.incompatibilities = incompatibilities_.size();
  for (const auto& p : packages_) out.packages += p.loaded ? 1 : 0;
  if (out.packages > 0) --out.packages;  // the root
  return out;
}

}  // namespace pubgrub

ResolveResult resolve(PackageProvider& provider, const ResolveRequest& request,
                      ResolveStats* stats) {
  pubgrub::Solver solver(provider, request);
  ResolveResult result = solver.run();
  if (stats) *stats = solver.stats();
  return result;
}

}  // namespace reel
