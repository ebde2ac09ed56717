// Whether a package can be installed from a set of repos (issue 11, "repos stay installable"):
// publish and promote ask before they write, so a repo never holds a version nobody can install.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reel/engine/manifest.h"
#include "reel/engine/repo.h"
#include "reel/resolver/solver.h"

namespace reel {

// What resolving a package's dependencies against some repos gave.
struct Installability {
  // Empty when installable; else the resolver's explanation (DESIGN §4), for the plain
  // [dependencies] or for the first dependency group that cannot be resolved with them, in
  // sentences naming `label` ("Shot 1.0.0 depends on NoSuchThing ^2.0.0 ...").
  std::string explanation;
  std::string group;  // the group that failed ("" for the plain dependencies)
  // When installable: every package of the resolved closure (plain dependencies and every group),
  // name -> version, with the repo (its name in `repos`) each came from.
  std::map<std::string, std::pair<Version, std::string>> closure;
};

// Resolves `dependencies` alone, then with each group of `groups` in turn (groups apply to the
// package acted on: DESIGN §1), against `repos` in search order (a name is taken from the first
// repo that has it, as RepoProvider does). `label` names the package in explanations.
// Errors: the repos' (kIOError, kNetwork, kInvalidArgument for a malformed index).
Result<Installability> check_installable(
    const std::vector<std::pair<std::string, Repo*>>& repos, const std::string& label,
    const std::vector<DependencySpec>& dependencies,
    const std::map<std::string, std::vector<DependencySpec>>& groups);

}  // namespace reel
