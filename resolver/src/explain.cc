// Explanations of unsatisfiable requests, following the error-reporting section of Dart pub's
// doc/solver.md: the derivation graph is walked from the final incompatibility; derivations whose
// causes are both external are one sentence; incompatibilities referred to more than once get a
// line number "(1)" and are referred back to.
#include <map>
#include <set>
#include <sstream>

#include "solver_state.h"

namespace reel::pubgrub {

std::string set_text(const PackageInfo& info, const VersionSet& set) {
  const auto& v = info.versions;
  if (set.size() == 0 || set.full()) return "*";
  if (set.empty()) return "no versions";
  std::vector<std::string> runs;
  std::size_t i = 0;
  while (i < v.size()) {
    if (!set.test(i)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < v.size() && set.test(j + 1)) ++j;
    std::string s;
    if (i == j && set.count() == 1)
      s = v[i].to_string();
    else if (i == j)
      s = "==" + v[i].to_string();
    else {
      if (i > 0) s += ">=" + v[i].to_string();
      if (j + 1 < v.size()) s += (s.empty() ? "" : ",") + std::string("<") + v[j + 1].to_string();
    }
    runs.push_back(s);
    i = j + 1;
  }
  std::string out;
  for (std::size_t k = 0; k < runs.size(); ++k) out += (k ? " || " : "") + runs[k];
  return out;
}

namespace {

class Explainer {
 public:
  Explainer(const Solver& solver) : solver_(solver) {}

  std::string run(int root) {
    root_ = root;
    count_derivations(root);
    for (const auto& [i, count] : derivations_) {
      Cause cause = at(i).cause;
      if (cause == Cause::kNoVersions || cause == Cause::kNotFound)
        said_missing_.insert(at(i).terms[0].package);
    }
    const Incompatibility& inc = at(root);
    if (inc.cause == Cause::kConflict) {
      visit(root);
    } else {
      write(root, "Because " + text(root) + ", version solving failed.", false);
    }
    std::size_t padding =
        numbers_.empty() ? 0 : ("(" + std::to_string(numbers_.size()) + ") ").size();
    std::ostringstream out;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (i) out << "\n";
      const auto& [message, number] = lines_[i];
      if (message.empty()) continue;
      if (number > 0) {
        std::string prefix = "(" + std::to_string(number) + ")";
        prefix.resize(padding, ' ');
        out << prefix;
      } else {
        out << std::string(padding, ' ');
      }
      out << message;
    }
    return out.str();
  }

 private:
  const Incompatibility& at(int i) const {
    return solver_.incompatibilities()[static_cast<std::size_t>(i)];
  }
  bool derived(int i) const { return at(i).cause == Cause::kConflict; }

  void count_derivations(int i) {
    if (derivations_[i]++ == 0 && derived(i)) {
      count_derivations(at(i).cause1);
      count_derivations(at(i).cause2);
    }
  }

  // A range in its simplest form, or as written when it admits nothing.
  static std::string label_text(const Range& r) {
    return r.is_empty() && !r.source_text().empty() ? r.source_text() : r.to_caret_string();
  }

  // " (2.0.0 is yanked)" when the term's range matches only yanked versions.
  std::string yanked_note(const Term& t) const {
    if (!t.label) return "";
    const PackageInfo& info = solver_.package(t.package);
    std::vector<std::string> yanked;
    for (std::size_t i = 0; i < info.versions.size(); ++i) {
      if (info.yanked[i] && t.label->contains(info.versions[i])) {
        yanked.push_back(info.versions[i].to_string());
      }
    }
    if (yanked.empty()) return "";
    std::string list;
    for (std::size_t i = 0; i < yanked.size(); ++i) {
      list += (i == 0 ? "" : i + 1 == yanked.size() ? " and " : ", ") + yanked[i];
    }
    return " (" + list + (yanked.size() == 1 ? " is" : " are") + " yanked)";
  }

  std::string name(PackageId id) const { return solver_.package(id).name; }

  // "foo 1.0.0", "foo >=1.0.0,<2.0.0", "every version of foo" / "foo", root's name.
  std::string term_text(const Term& t, bool every) const {
    if (t.package == 0) return solver_.root_name();
    const PackageInfo& info = solver_.package(t.package);
    if (t.positive && t.set.count() == 1 && !t.label) {
      return info.name + " " + info.versions[static_cast<std::size_t>(t.set.highest())].to_string();
    }
    std::string range = t.label ? label_text(*t.label) : set_text(info, t.set);
    if (range == "*") return every ? "every version of " + info.name : info.name;
    return info.name + " " + range;
  }

  // Who a dependency incompatibility's dependency belongs to: "Prop2 1.0.0", "every version of
  // Set", or for the root whoever asked for that requirement ("output Shot", "the workspace").
  std::string depender_text(const Incompatibility& inc) const {
    if (inc.terms[0].package == 0) return solver_.requested_by(inc.requirement);
    return term_text(inc.terms[0], true);
  }

  std::string text(int i) const {
    const Incompatibility& inc = at(i);
    const auto& terms = inc.terms;
    switch (inc.cause) {
      case Cause::kDependency: {
        // A dependency whose range admits no known version is impossible by itself; conflict
        // resolution drops such "not B in nothing" terms, so unless the derivation says why
        // elsewhere, say it here (pub's wording).
        std::string s = depender_text(inc) + " depends on " + term_text(terms[1], false);
        if (!terms[1].positive && terms[1].set.empty() && !said_missing_.count(terms[1].package)) {
          s += solver_.package(terms[1].package).versions.empty() ? " which does not exist"
                                                                  : " which matches no version";
        }
        return s;
      }
      case Cause::kNoVersions:
        return "no versions of " + name(terms[0].package) + " match " +
               (terms[0].label ? label_text(*terms[0].label)
                               : set_text(solver_.package(terms[0].package), terms[0].set)) +
               yanked_note(terms[0]);
      case Cause::kNotFound:
        return name(terms[0].package) + " does not exist";
      case Cause::kUnavailable:
        return term_text(terms[0], false) + " is not available";
      case Cause::kRoot:
        return solver_.root_name() + " is the root";
      case Cause::kConflict:
        break;
    }
    std::vector<const Term*> positive, negative;
    for (const auto& t : terms) {
      if (t.package == 0) continue;  // the root is always selected: say nothing of it
      (t.positive ? positive : negative).push_back(&t);
    }
    bool has_root = terms.size() != positive.size() + negative.size();
    if (positive.empty() && negative.empty()) return "version solving failed";
    if (has_root && positive.empty() && negative.size() == 1) {
      return solver_.root_name() + " depends on " + term_text(*negative[0], false);
    }
    if (positive.size() == 1 && negative.empty())
      return term_text(*positive[0], true) + " is forbidden";
    if (negative.size() == 1 && positive.empty())
      return term_text(*negative[0], false) + " is required";
    if (positive.size() == 1 && negative.size() == 1) {
      return term_text(*positive[0], true) + " requires " + term_text(*negative[0], false);
    }
    auto join = [&](const std::vector<const Term*>& list, const char* sep) {
      std::string s;
      for (std::size_t k = 0; k < list.size(); ++k)
        s += (k ? sep : "") + term_text(*list[k], k == 0);
      return s;
    };
    if (negative.empty()) {
      if (positive.size() == 2)
        return term_text(*positive[0], true) + " and " + term_text(*positive[1], true) +
               " are incompatible";
      return "one of " + join(positive, " or ") + " must be false";
    }
    if (positive.empty()) return "either " + join(negative, " or ");
    return "if " + join(positive, " and ") + " then " + join(negative, " or ");
  }

  std::string and_text(int a, int b, int line_a = 0, int line_b = 0) const {
    // "the workspace depends on both baz ^1.0.0 and foo ^1.0.0"
    const Incompatibility& x = at(a);
    const Incompatibility& y = at(b);
    if (!line_a && !line_b && x.cause == Cause::kDependency && y.cause == Cause::kDependency &&
        depender_text(x) == depender_text(y)) {
      return depender_text(x) + " depends on both " + term_text(x.terms[1], false) + " and " +
             term_text(y.terms[1], false);
    }
    // "Prop2 1.0.0 depends on NoSuchThing ^2.0.0, which does not exist": a dependency and the
    // absence of its target, said as one, blamed on the one who depends on it.
    if (!line_a && !line_b) {
      for (const auto& [dep, missing] : {std::make_pair(&x, &y), std::make_pair(&y, &x)}) {
        if (dep->cause == Cause::kDependency && missing->cause == Cause::kNotFound &&
            dep->terms[1].package == missing->terms[0].package) {
          return depender_text(*dep) + " depends on " + term_text(dep->terms[1], false) +
                 ", which does not exist";
        }
      }
    }
    std::string s = text(a);
    if (line_a) s += " (" + std::to_string(line_a) + ")";
    s += " and " + text(b);
    if (line_b) s += " (" + std::to_string(line_b) + ")";
    return s;
  }

  int line_of(int i) const {
    auto it = numbers_.find(i);
    return it == numbers_.end() ? 0 : it->second;
  }

  bool single_line(int i) const { return !derived(at(i).cause1) && !derived(at(i).cause2); }

  bool collapsible(int i) const {
    if (derivations_.at(i) > 1 || !derived(i)) return false;
    bool d1 = derived(at(i).cause1), d2 = derived(at(i).cause2);
    if (d1 == d2) return false;
    int complex = d1 ? at(i).cause1 : at(i).cause2;
    return line_of(complex) == 0;
  }

  void write(int i, std::string message, bool numbered) {
    int number = 0;
    if (numbered) {
      number = static_cast<int>(numbers_.size()) + 1;
      numbers_[i] = number;
    }
    lines_.emplace_back(std::move(message), number);
  }

  void visit(int i, bool conclusion = false) {
    bool numbered = conclusion || derivations_[i] > 1;
    std::string conjunction = conclusion || i == root_ ? "So," : "And";
    std::string incompatibility = text(i);
    int c1 = at(i).cause1, c2 = at(i).cause2;
    if (derived(c1) && derived(c2)) {
      int l1 = line_of(c1), l2 = line_of(c2);
      if (l1 && l2) {
        write(i, "Because " + and_text(c1, c2, l1, l2) + ", " + incompatibility + ".", numbered);
      } else if (l1 || l2) {
        int with = l1 ? c1 : c2, without = l1 ? c2 : c1;
        visit(without);
        write(i,
              conjunction + " because " + text(with) + " (" + std::to_string(line_of(with)) +
                  "), " + incompatibility + ".",
              numbered);
      } else if (single_line(c1) || single_line(c2)) {
        int first = single_line(c2) ? c1 : c2, second = single_line(c2) ? c2 : c1;
        visit(first);
        visit(second);
        write(i, "Thus, " + incompatibility + ".", numbered);
      } else {
        visit(c1, true);
        lines_.emplace_back("", 0);
        visit(c2);
        write(i,
              conjunction + " because " + text(c1) + " (" + std::to_string(line_of(c1)) + "), " +
                  incompatibility + ".",
              numbered);
      }
    } else if (derived(c1) || derived(c2)) {
      int d = derived(c1) ? c1 : c2, e = derived(c1) ? c2 : c1;
      if (int l = line_of(d)) {
        write(i, "Because " + and_text(e, d, 0, l) + ", " + incompatibility + ".", numbered);
      } else if (collapsible(d)) {
        int dd = derived(at(d).cause1) ? at(d).cause1 : at(d).cause2;
        int de = derived(at(d).cause1) ? at(d).cause2 : at(d).cause1;
        visit(dd);
        write(i, conjunction + " because " + and_text(de, e) + ", " + incompatibility + ".",
              numbered);
      } else {
        visit(d);
        write(i, conjunction + " because " + text(e) + ", " + incompatibility + ".", numbered);
      }
    } else {
      write(i, "Because " + and_text(c1, c2) + ", " + incompatibility + ".", numbered);
    }
  }

  const Solver& solver_;
  int root_ = -1;
  std::map<int, int> derivations_;
  std::set<PackageId> said_missing_;  // packages whose missing versions a cause states
  std::map<int, int> numbers_;
  std::vector<std::pair<std::string, int>> lines_;
};

}  // namespace

std::string explain(const Solver& solver, int root) { return Explainer(solver).run(root); }

}  // namespace reel::pubgrub
