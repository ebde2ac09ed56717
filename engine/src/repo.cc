// Repo operations common to every kind of repo: index entries for new publications, and promote.
#include "reel/engine/repo.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "reel/engine/names.h"

namespace reel {

namespace {

// The index's "metadata": the manifest's [metadata], plus [asset] description and tags under
// the same keys when [metadata] does not set them, so that `reel search` reads indexes only, not
// archives (docs/decisions.md, "Studio views").
std::string index_metadata(const AssetManifest& manifest) {
  auto meta = nlohmann::json::parse(manifest.metadata_json, nullptr, false);
  if (!meta.is_object()) return manifest.metadata_json;
  if (!manifest.description.empty() && !meta.contains("description"))
    meta["description"] = manifest.description;
  if (!manifest.tags.empty() && !meta.contains("tags")) meta["tags"] = manifest.tags;
  return meta.dump();
}

}  // namespace

Result<std::vector<std::string>> Repo::list_packages() {
  auto all = read_all_indexes();
  if (!all) return tl::unexpected(all.error());
  std::vector<std::string> out;
  for (const auto& index : *all) out.push_back(index.name);
  return out;
}

Result<std::optional<IndexView>> Repo::read_index_view(const std::string& name) {
  auto index = read_index(name);
  if (!index) return tl::unexpected(index.error());
  if (!*index) return std::optional<IndexView>();
  return std::optional<IndexView>(IndexView(std::move(**index)));
}

std::vector<Result<std::optional<PackageIndex>>> Repo::read_indexes(
    const std::vector<std::string>& names) {
  std::vector<Result<std::optional<PackageIndex>>> out;
  out.reserve(names.size());
  for (const auto& name : names) out.push_back(read_index(name));
  return out;
}

std::vector<Result<std::string>> Repo::read_archives(const std::vector<ArchiveRef>& archives) {
  std::vector<Result<std::string>> out;
  out.reserve(archives.size());
  for (const auto& archive : archives) out.push_back(read_archive(archive));
  return out;
}

Status Repo::fetch_objects(const std::vector<ObjectRef>& digests, ObjectStore& dest,
                           const TransferProgress& progress) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> error;
  auto run = [&] {
    for (std::size_t i = next++; i < digests.size() && !failed; i = next++) {
      auto fetched = fetch_object(digests[i], dest);
      if (!fetched) {
        std::lock_guard<std::mutex> hold(mutex);
        if (!error) error = fetched.error();
        failed = true;
      } else if (progress) {
        auto st = dest.fs().stat(dest.object_path(digests[i].digest));
        progress(st ? static_cast<std::int64_t>(st->size) : 0, 1);
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < std::min<std::size_t>(4, digests.size()); ++t) pool.emplace_back(run);
  run();
  for (auto& th : pool) th.join();
  if (error) return tl::unexpected(*error);
  return ok();
}

IndexEntry make_index_entry(const BuiltPackage& package, const SourceInfo& source, Clock& clock) {
  IndexEntry e;
  e.version = package.manifest.version;
  e.type = package.manifest.type;
  e.dependencies = package.manifest.dependencies;
  e.groups = package.manifest.groups;
  e.file_count = package.files.size();
  e.file_size = package.total_size;
  e.published = format_rfc3339_utc(clock.now_unix_seconds());
  e.source = source;
  e.metadata_json = index_metadata(package.manifest);
  e.review.current = ReviewRecord{ReviewState::kPending, "", e.published, ""};
  return e;
}

Status promote(Repo& from, Repo& to, const std::string& name, const Version& version,
               ObjectStore& staging, const AuditInfo& audit) {
  auto index = from.read_index(name);
  if (!index) return tl::unexpected(index.error());
  const IndexEntry* entry = *index ? (*index)->find(version) : nullptr;
  if (!entry) {
    return make_error(ErrorCode::kNotFound, name + " " + version.to_string() +
                                                " is not published in repo '" + from.name() + "'");
  }
  auto bytes = from.read_archive(entry->archive);
  if (!bytes) return tl::unexpected(bytes.error());
  auto package = read_package(*bytes, entry->archive.path);
  if (!package) return tl::unexpected(package.error());
  if (lower_name(package->manifest.name) != lower_name(name) ||
      !(package->manifest.version == version)) {
    return make_error(ErrorCode::kCorruption, "repo '" + from.name() + "': " + entry->archive.path +
                                                  " holds " + package->manifest.name + " " +
                                                  package->manifest.version.to_string());
  }
  for (const auto& f : package->files) {
    if (!f.symlink) REEL_TRY(from.fetch_object(ObjectRef{f.sha256, f.size}, staging));
  }
  AuditInfo promoted = audit;
  promoted.action = "promote";
  return to.publish(*package, staging, *entry, promoted);
}

}  // namespace reel
