// IndexView (index_view.h): versions up front, dependencies and whole entries decoded on first use.
#include "reel/engine/index_view.h"

#include "reel/engine/index_cache.h"

namespace reel {

IndexView::IndexView(PackageIndex index) : name_(std::move(index.name)) {
  versions_.reserve(index.versions.size());
  decoded_.reserve(index.versions.size());
  for (auto& e : index.versions) {
    versions_.push_back(VersionSummary{e.version, e.yanked});
    decoded_.push_back(std::make_unique<IndexEntry>(std::move(e)));
  }
  dependencies_.resize(versions_.size());
}

IndexView::IndexView(std::string name, std::vector<VersionSummary> versions, std::string bytes,
                     std::vector<std::pair<std::size_t, std::size_t>> entries, std::string what,
                     std::shared_ptr<RangeMemo> memo)
    : name_(std::move(name)),
      versions_(std::move(versions)),
      decoded_(versions_.size()),
      dependencies_(versions_.size()),
      bytes_(std::move(bytes)),
      entries_(std::move(entries)),
      what_(std::move(what)),
      memo_(std::move(memo)) {}

std::size_t IndexView::position(const Version& version) const {
  for (std::size_t i = 0; i < versions_.size(); ++i) {
    if (versions_[i].version == version) return i;
  }
  return std::string::npos;
}

Result<std::string_view> IndexView::bytes_of(std::size_t i) const {
  if (i >= entries_.size() || entries_[i].first > bytes_.size() ||
      entries_[i].second > bytes_.size() - entries_[i].first) {
    return make_error(
        ErrorCode::kCorruption,
        what_ + ": index cache entry has no bytes for version " + versions_[i].version.to_string());
  }
  return std::string_view(bytes_).substr(entries_[i].first, entries_[i].second);
}

Result<const IndexEntry*> IndexView::entry_at(std::size_t i) {
  if (decoded_[i]) return decoded_[i].get();
  auto bytes = bytes_of(i);
  if (!bytes) return tl::unexpected(bytes.error());
  auto e = decode_index_entry(*bytes, what_, entries_[i].first, memo_.get());
  if (!e) return tl::unexpected(e.error());
  decoded_[i] = std::make_unique<IndexEntry>(std::move(*e));
  return decoded_[i].get();
}

Result<const std::vector<DependencySpec>*> IndexView::dependencies(const Version& version) {
  const std::size_t i = position(version);
  if (i == std::string::npos) return nullptr;
  if (decoded_[i]) return &decoded_[i]->dependencies;
  if (!dependencies_[i]) {
    auto bytes = bytes_of(i);
    if (!bytes) return tl::unexpected(bytes.error());
    auto deps = decode_index_dependencies(*bytes, what_, entries_[i].first, memo_.get());
    if (!deps) return tl::unexpected(deps.error());
    dependencies_[i] = std::make_unique<std::vector<DependencySpec>>(std::move(*deps));
  }
  return dependencies_[i].get();
}

Result<const IndexEntry*> IndexView::entry(const Version& version) {
  const std::size_t i = position(version);
  if (i == std::string::npos) return nullptr;
  return entry_at(i);
}

Result<PackageIndex> IndexView::to_index() && {
  PackageIndex out;
  out.versions.reserve(versions_.size());
  for (std::size_t i = 0; i < versions_.size(); ++i) {
    auto e = entry_at(i);
    if (!e) return tl::unexpected(e.error());
    out.versions.push_back(std::move(*decoded_[i]));
  }
  out.name = std::move(name_);
  return out;
}

}  // namespace reel
