// Dependency resolution with PubGrub (Natalie Weizenbaum, "PubGrub: Next-Generation Version
// Solving", 2018; Dart pub's doc/solver.md): incompatibilities, unit propagation, decision making
// (newest admissible version first), conflict resolution with learned incompatibilities, and an
// explanation of unsatisfiable requests built from the derivation tree in plain sentences.
//
// The solver is pure: it reads packages only through PackageProvider (after uv's provider.rs and
// libmamba's request/solution split), so tests run it on in-memory indexes. Names are exact keys;
// the caller canonicalises spelling (reel names compare case-insensitively, DESIGN §2) before
// handing them in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "reel/resolver/range.h"
#include "reel/resolver/version.h"

namespace reel {

// A requirement on a package: a name and the range of versions that satisfy it.
struct Dependency {
  std::string name;
  Range range;
};

struct VersionInfo {
  Version version;
  bool yanked = false;
};

// Where the solver gets packages from. Called from one thread; may do I/O and cache.
class PackageProvider {
 public:
  virtual ~PackageProvider() = default;
  // Every published version of `name`, in any order; empty if the package does not exist.
  virtual std::vector<VersionInfo> versions(const std::string& name) = 0;
  // The dependencies of one version (one per name), or nullopt if that version does not exist.
  virtual std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                              const Version& version) = 0;
  // The key the solver keeps `name` under: names with one key are one package, however each
  // dependency spells it (reel's names are case-insensitive: RepoProvider gives lower_name).
  // Must not do I/O: the solver asks it for every dependency of every version it looks at.
  // Default: the name itself.
  virtual std::string package_key(const std::string& name) { return name; }
  // The spelling the solution and explanations use for a package whose versions() was read (reel:
  // the index's own spelling). Default: the name itself.
  virtual std::string package_name(const std::string& name) { return name; }
};

// What to solve, as plain data.
struct ResolveRequest {
  // The root's requirements: the workspace's [requirements], plus any dependency groups asked for.
  std::vector<Dependency> requirements;
  // Versions from reel.lock, tried first (cargo's rule) unless upgraded. A locked yanked version
  // stays usable.
  std::map<std::string, Version> preferred;
  // Ignore `preferred` for every package (`reel lock --upgrade`) ...
  bool upgrade_all = false;
  // ... or for these (`--upgrade-package NAME`).
  std::set<std::string> upgrade;
  // How explanations name the root, e.g. "the workspace" or "workspace sq010".
  std::string root_name = "the workspace";
  // Optional, parallel to `requirements`: who asked for each one ("output Shot"), named instead
  // of root_name where an explanation quotes that requirement; empty entries say root_name.
  std::vector<std::string> requested_by = {};
};

// A solution: one version per package reached from the root (the root itself excluded), with each
// package's dependency names, for `reel tree` and the lock.
struct Solution {
  std::map<std::string, Version> versions;
  std::map<std::string, std::vector<std::string>> dependencies;
};

// An unsatisfiable request: the explanation, in sentences (pub's error-reporting format: linear
// derivations as one paragraph, branching ones with numbered lines referred back to).
struct Unsolvable {
  std::string explanation;
};

using ResolveResult = std::variant<Solution, Unsolvable>;

// What a solve did, for `reel lock -v` (counts, no time: the caller measures that).
struct ResolveStats {
  std::uint64_t decisions = 0;          // versions chosen (PubGrub's decision step), kept or not
  std::uint64_t conflicts = 0;          // conflicts met by unit propagation (conflict resolution)
  std::uint64_t backtracks = 0;         // times decisions were undone
  std::uint64_t incompatibilities = 0;  // incompatibilities known at the end
  std::uint64_t packages = 0;           // packages whose versions were asked of the provider
};

// Solves `request` against `provider`. Deterministic for the same inputs. Yanked versions are
// chosen only when `preferred` names them or a requirement is a single-version pin (`==`).
// `stats`, when not null, receives the counts.
ResolveResult resolve(PackageProvider& provider, const ResolveRequest& request,
                      ResolveStats* stats = nullptr);

}  // namespace reel
