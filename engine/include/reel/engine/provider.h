// The resolver's PackageProvider over a workspace's repos (DESIGN §2, §4): a name is taken from the
// first repo (in the order given) that has it, never mixing one name's versions across repos (uv's
// defence against dependency confusion). Names are canonicalised to the index's spelling.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "reel/engine/index.h"
#include "reel/engine/index_view.h"
#include "reel/engine/repo.h"
#include "reel/resolver/solver.h"

namespace reel {

class RepoProvider : public PackageProvider {
 public:
  // `repos` in search order, each with its workspace name; they must outlive the provider.
  explicit RepoProvider(std::vector<std::pair<std::string, Repo*>> repos);

  std::vector<VersionInfo> versions(const std::string& name) override;
  // Each dependency spelled as the depending index spells it.
  std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                      const Version& version) override;
  // lower_name(name): names are case-insensitive (DESIGN §2).
  std::string package_key(const std::string& name) override;
  // canonical_name(name), or `name` when no repo has it.
  std::string package_name(const std::string& name) override;

  // The canonical spelling of `name` (case-insensitive), or nullopt if no repo has it.
  std::optional<std::string> canonical_name(const std::string& name);
  // Where a name came from: the workspace repo name and the repo.
  std::optional<std::pair<std::string, Repo*>> repo_of(const std::string& name);
  // The index entry of a version, or nullptr (also when its cached bytes do not decode: error()
  // then says why). Valid as long as the provider.
  const IndexEntry* entry(const std::string& name, const Version& version);
  // The first I/O or parse error met while reading indexes (the solver's interface cannot carry
  // one); callers check it after resolve().
  const std::optional<Error>& error() const { return error_; }

 private:
  struct Found {
    std::string repo_name;
    Repo* repo = nullptr;
    IndexView index;  // summaries up front; entry() decodes the rest of the picked versions
  };
  Found* find(const std::string& name);

  std::vector<std::pair<std::string, Repo*>> repos_;
  std::unordered_map<std::string, std::optional<Found>> cache_;  // by lower name
  std::optional<Error> error_;
};

}  // namespace reel
