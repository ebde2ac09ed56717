// Build steps: dep/out rules and the order steps run in (step_spec.h).
#include "reel/engine/step_spec.h"

#include <algorithm>
#include <functional>

#include "reel/engine/names.h"
#include "reel/storage/path_rules.h"

namespace reel {
namespace {

constexpr std::string_view kPkgPrefix = "pkg:";

std::optional<std::string> path_rule_problem(std::string_view path) {
  std::string_view p = step_path(path);
  if (p.empty()) return std::string("is empty");
  if (auto bad = path_problem(p)) return "the path " + *bad;
  if (p == "asset.toml" || p == "steps.lock" || p == "sources.lock")
    return "'" + std::string(p) + "' is written by reel, not by a step";
  return std::nullopt;
}

// Why step `a` runs after step `b`: the first of a's path deps that b writes, or nullopt.
std::optional<std::string> reads_from(const StepSpec& a, const StepSpec& b) {
  for (const auto& d : a.deps) {
    if (step_dep_package(d)) continue;
    for (const auto& o : b.outs) {
      if (step_paths_overlap(step_path(d), step_path(o))) return d;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> step_dep_package(std::string_view dep) {
  if (dep.substr(0, kPkgPrefix.size()) != kPkgPrefix) return std::nullopt;
  return dep.substr(kPkgPrefix.size());
}

std::string_view step_path(std::string_view dep_or_out) {
  if (!dep_or_out.empty() && dep_or_out.back() == '/') dep_or_out.remove_suffix(1);
  return dep_or_out;
}

bool step_paths_overlap(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  return b.substr(0, a.size()) == a && (b.size() == a.size() || b[a.size()] == '/');
}

std::optional<std::string> step_dep_problem(std::string_view dep) {
  if (auto pkg = step_dep_package(dep)) {
    auto ok_name = check_package_name(*pkg);
    if (!ok_name) return ok_name.error().message;
    return std::nullopt;
  }
  return path_rule_problem(dep);
}

std::optional<std::string> step_out_problem(std::string_view out) {
  if (step_dep_package(out)) return std::string("an out is a path in the asset, not a package");
  return path_rule_problem(out);
}

Result<std::vector<std::size_t>> step_order(const std::vector<StepSpec>& steps) {
  auto bad = [](std::string message) {
    return make_error(ErrorCode::kInvalidArgument, std::move(message));
  };
  const std::size_t n = steps.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (auto own = reads_from(steps[i], steps[i]))
      return bad("step " + steps[i].name + " reads " + *own + ", which it writes itself");
    for (std::size_t j = i + 1; j < n; ++j) {
      for (const auto& a : steps[i].outs) {
        for (const auto& b : steps[j].outs) {
          if (step_paths_overlap(step_path(a), step_path(b)))
            return bad("steps " + steps[i].name + " and " + steps[j].name + " both write " +
                       std::string(step_path(a).size() <= step_path(b).size() ? a : b));
        }
      }
    }
  }
  // Depth-first, visiting each step's producers first, in file order; a step met again while
  // it is on the path closes a cycle, reported from that step round to itself.
  enum class Mark { kNew, kOnPath, kDone };
  std::vector<Mark> mark(n, Mark::kNew);
  std::vector<std::size_t> order, path;
  std::optional<std::string> cycle;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    mark[i] = Mark::kOnPath;
    path.push_back(i);
    for (std::size_t j = 0; j < n && !cycle; ++j) {
      if (j == i || !reads_from(steps[i], steps[j])) continue;
      if (mark[j] == Mark::kOnPath) {
        std::string names, why;
        auto from = std::find(path.begin(), path.end(), j);
        for (auto it = from; it != path.end(); ++it) {
          auto next = it + 1 == path.end() ? j : *(it + 1);
          names += steps[*it].name + " -> ";
          why += std::string(why.empty() ? "" : "; ") + steps[*it].name + " reads " +
                 *reads_from(steps[*it], steps[next]) + ", written by " + steps[next].name;
        }
        cycle = "the steps form a cycle: " + names + steps[j].name + " (" + why + ")";
        return;
      }
      if (mark[j] == Mark::kNew) visit(j);
    }
    path.pop_back();
    mark[i] = Mark::kDone;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < n && !cycle; ++i) {
    if (mark[i] == Mark::kNew) visit(i);
  }
  if (cycle) return bad(*cycle);
  return order;
}

}  // namespace reel
