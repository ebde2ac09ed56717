// The studio views' reading of repos (catalog.h).
#include "reel/engine/catalog.h"

#include <algorithm>
#include <set>

#include "reel/engine/names.h"
#include "reel/engine/studio_metadata.h"

namespace reel {

const IndexEntry* newest_entry(const PackageIndex& index) {
  return index.versions.empty() ? nullptr : &index.versions.back();
}

const IndexEntry* newest_approved_entry(const PackageIndex& index) {
  for (auto it = index.versions.rbegin(); it != index.versions.rend(); ++it) {
    if (!it->yanked && it->review.current.state == ReviewState::kApproved) return &*it;
  }
  for (auto it = index.versions.rbegin(); it != index.versions.rend(); ++it) {
    if (!it->yanked) return &*it;
  }
  return newest_entry(index);
}

Result<std::vector<CatalogPackage>> read_catalog(const RepoList& repos, std::string_view type) {
  std::vector<CatalogPackage> out;
  std::set<std::string> seen;  // lower-case names
  for (const auto& [label, repo] : repos) {
    auto all = repo->read_all_indexes();
    if (!all) return tl::unexpected(all.error().with_context("repo '" + label + "'"));
    for (auto& index : *all) {
      if (!seen.insert(lower_name(index.name)).second) continue;
      const IndexEntry* newest = newest_entry(index);
      if (!type.empty() && (!newest || lower_name(newest->type) != lower_name(type))) continue;
      out.push_back(CatalogPackage{label, std::move(index)});
    }
  }
  std::sort(out.begin(), out.end(), [](const CatalogPackage& a, const CatalogPackage& b) {
    return lower_name(a.index.name) < lower_name(b.index.name);
  });
  return out;
}

bool catalog_matches(const CatalogPackage& package, std::string_view text) {
  std::string needle = lower_name(text);
  auto has = [&needle](std::string_view hay) {
    return lower_name(hay).find(needle) != std::string::npos;
  };
  if (has(package.index.name)) return true;
  const IndexEntry* newest = newest_entry(package.index);
  if (!newest) return false;
  if (has(newest->type)) return true;
  StudioMetadata meta = read_studio_metadata(newest->metadata_json);
  if (has(meta.description)) return true;
  return std::any_of(meta.tags.begin(), meta.tags.end(), has);
}

Result<std::optional<CatalogPackage>> find_catalog_package(const RepoList& repos,
                                                           const std::string& name) {
  for (const auto& [label, repo] : repos) {
    auto index = repo->read_index(name);
    if (!index) return tl::unexpected(index.error().with_context("repo '" + label + "'"));
    if (*index) return CatalogPackage{label, std::move(**index)};
  }
  return std::optional<CatalogPackage>();
}

Result<std::vector<CatalogAuditRecord>> read_catalog_log(const RepoList& repos,
                                                         const std::string& name,
                                                         std::vector<std::string>& torn) {
  struct Keyed {
    CatalogAuditRecord record;
    std::size_t repo_order, line_order;
  };
  std::vector<Keyed> all;
  for (std::size_t r = 0; r < repos.size(); ++r) {
    const auto& label = repos[r].first;
    auto log = repos[r].second->read_audit_log();
    if (!log) return tl::unexpected(log.error().with_context("repo '" + label + "'"));
    if (log->torn_line) {
      torn.push_back("repo '" + label + "': log/audit.jsonl:" + std::to_string(*log->torn_line) +
                     ": torn last line ignored (an append was interrupted)");
    }
    for (std::size_t i = 0; i < log->records.size(); ++i) {
      if (!name.empty() && lower_name(log->records[i].name) != lower_name(name)) continue;
      all.push_back(Keyed{CatalogAuditRecord{label, std::move(log->records[i])}, r, i});
    }
  }
  // Newest first: RFC 3339 UTC strings of one format sort as times; ties keep file order reversed.
  std::stable_sort(all.begin(), all.end(), [](const Keyed& a, const Keyed& b) {
    if (a.record.record.at != b.record.record.at) return a.record.record.at > b.record.record.at;
    if (a.repo_order != b.repo_order) return a.repo_order < b.repo_order;
    return a.line_order > b.line_order;
  });
  std::vector<CatalogAuditRecord> out;
  out.reserve(all.size());
  for (auto& k : all) out.push_back(std::move(k.record));
  return out;
}

}  // namespace reel
