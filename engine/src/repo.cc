// Repo operations common to every kind of repo: index entries for new publications, and promote.
#include "reel/engine/repo.h"

#include "reel/engine/names.h"

namespace reel {

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
  e.metadata_json = package.manifest.metadata_json;
  return e;
}

Status promote(Repo& from, Repo& to, const std::string& name, const Version& version,
               ObjectStore& staging) {
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
    if (!f.symlink) REEL_TRY(from.fetch_object(f.sha256, staging));
  }
  return to.publish(*package, staging, *entry);
}

}  // namespace reel
