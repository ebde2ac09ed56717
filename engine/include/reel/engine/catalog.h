// What a set of repos holds, for the studio views (`reel list`, `reel search`, `reel show`,
// `reel log`, the Watchtower export; DESIGN §5). Repos are searched in order and a name is taken
// from the first repo that has it (DESIGN §2: no mixing of one name's versions across repos).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/engine/audit_log.h"
#include "reel/engine/index.h"
#include "reel/engine/repo.h"
#include "reel/storage/error.h"

namespace reel {

// Repos in search order, as (label, repo): a workspace repo's name, or reel-repo.json's name.
using RepoList = std::vector<std::pair<std::string, Repo*>>;

// One package as the catalog sees it: the repo it is taken from and its whole index.
struct CatalogPackage {
  std::string repo;  // label of the repo that has it first
  PackageIndex index;
};

// The newest version of `index` (yanked or not), or nullptr when it has no versions.
const IndexEntry* newest_entry(const PackageIndex& index);
// The newest approved, not yanked version, else the newest not yanked, else the newest.
const IndexEntry* newest_approved_entry(const PackageIndex& index);

// Every package of `repos` (each repo's read_all_indexes once), first repo winning a name,
// sorted by name case-insensitively; `type` (compared case-insensitively) keeps only packages
// whose newest version has that type, "" keeps all. The first repo error stops it, with the
// repo's label as context.
Result<std::vector<CatalogPackage>> read_catalog(const RepoList& repos, std::string_view type = {});

// Whether the package's newest version matches `text`: a case-insensitive substring of its name,
// its type, or its metadata's description or one of its tags (the index carries [asset]
// description and tags in "metadata"; docs/decisions.md "Studio views"). Empty text matches all.
bool catalog_matches(const CatalogPackage& package, std::string_view text);

// One package by name (case-insensitive) from the first repo that has it, or nullopt; each
// repo's read_index errors with its label as context.
Result<std::optional<CatalogPackage>> find_catalog_package(const RepoList& repos,
                                                           const std::string& name);

// An audit record with the label of the repo whose log holds it.
struct CatalogAuditRecord {
  std::string repo;
  AuditRecord record;
};

// Every repo's audit log merged, newest first (by `at`, then by later position in its file),
// only records of `name` (case-insensitive) when it is not empty. `torn` gets one line per repo
// whose log ends in a torn line ("repo 'review': log/audit.jsonl:7: torn last line ignored").
Result<std::vector<CatalogAuditRecord>> read_catalog_log(const RepoList& repos,
                                                         const std::string& name,
                                                         std::vector<std::string>& torn);

}  // namespace reel
