// The field-by-field comparison of two PackageIndexes that fuzz_index and fuzz_index_cache check
// their round trips with: every field of IndexEntry ([metadata] compared as JSON values). Used by
// fuzz/*_fuzz.cc only; add a field here when IndexEntry gains one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "reel/engine/index.h"

namespace reel::fuzz {

using reel::IndexEntry;
using reel::PackageIndex;

inline bool same_deps(const std::vector<reel::DependencySpec>& a,
                      const std::vector<reel::DependencySpec>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].range_text != b[i].range_text ||
        !(a[i].range == b[i].range) || a[i].range.source_text() != b[i].range.source_text())
      return false;
  }
  return true;
}

inline std::string entry_difference(const IndexEntry& a, const IndexEntry& b) {
  if (!(a.version == b.version) || a.version.to_string() != b.version.to_string()) return "version";
  if (a.type != b.type) return "type";
  if (!same_deps(a.dependencies, b.dependencies)) return "dependencies";
  if (a.groups.size() != b.groups.size()) return "dependency-groups";
  for (const auto& [group, deps] : a.groups) {
    auto it = b.groups.find(group);
    if (it == b.groups.end() || !same_deps(deps, it->second)) return "dependency-groups." + group;
  }
  if (a.archive.path != b.archive.path || a.archive.sha256 != b.archive.sha256 ||
      a.archive.size != b.archive.size)
    return "archive";
  if (a.file_count != b.file_count || a.file_size != b.file_size) return "files";
  if (a.published != b.published) return "published";
  if (a.source.commit != b.source.commit || a.source.dirty != b.source.dirty) return "source";
  if (a.yanked != b.yanked) return "yanked";
  if (a.yank.has_value() != b.yank.has_value()) return "yanked (record present)";
  if (a.unresolved != b.unresolved) return "unresolved";
  auto yank_fields = [](const IndexEntry& e) {
    const reel::YankRecord y = e.yank.value_or(reel::YankRecord{});
    return std::make_tuple(y.reason, y.by, y.at);
  };
  if (a.yanked && yank_fields(a) != yank_fields(b)) return "yanked (record)";
  auto review_fields = [](const reel::ReviewRecord& r) {
    return std::make_tuple(r.state, r.by, r.at, r.note);
  };
  if (review_fields(a.review.current) != review_fields(b.review.current)) return "review";
  if (a.review.history.size() != b.review.history.size()) return "review.history count";
  for (std::size_t i = 0; i < a.review.history.size(); ++i) {
    if (review_fields(a.review.history[i]) != review_fields(b.review.history[i]))
      return "review.history[" + std::to_string(i) + "]";
  }
  auto meta_a = nlohmann::json::parse(a.metadata_json, nullptr, false);
  auto meta_b = nlohmann::json::parse(b.metadata_json, nullptr, false);
  if (meta_a.is_discarded() || meta_a != meta_b)
    return "metadata: " + a.metadata_json + " vs " + b.metadata_json;
  return "";
}

// The first field that differs, or "" when the indexes are equal.
inline std::string difference(const PackageIndex& a, const PackageIndex& b) {
  if (a.name != b.name) return "name";
  if (a.versions.size() != b.versions.size()) return "versions count";
  for (std::size_t i = 0; i < a.versions.size(); ++i) {
    std::string d = entry_difference(a.versions[i], b.versions[i]);
    if (!d.empty()) return "versions[" + std::to_string(i) + "]." + d;
  }
  return "";
}

}  // namespace reel::fuzz
