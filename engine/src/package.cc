// Building package archives from asset folders, and reading them back (DESIGN §2).
#include "reel/engine/package.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/studio_metadata.h"
#include "reel/storage/archive.h"
#include "reel/storage/path_rules.h"

namespace reel {
namespace {

// [files] include/exclude decide, except that steps.lock, sources.lock and every [[step]] out
// are always packaged (DESIGN §2: they are published with the asset).
bool included(const AssetManifest& m, const std::string& path) {
  if (path == "steps.lock" || path == "sources.lock") return true;
  for (const auto& step : m.steps) {
    for (const auto& out : step.outs) {
      if (step_paths_overlap(step_path(out), path)) return true;
    }
  }
  auto match = [&](const std::string& g) { return glob_match(g, path); };
  return std::any_of(m.include.begin(), m.include.end(), match) &&
         !std::any_of(m.exclude.begin(), m.exclude.end(), match);
}

// A content path must pass the path rules (path_rules.h: valid UTF-8, no control character or
// backslash, bounded length), so what builds is what installs.
Status check_file_name(std::string_view path, const fs::path& full) {
  auto problem = path_problem(path);
  if (!problem) return ok();
  return make_error(ErrorCode::kInvalidArgument,
                    full.string() + ": cannot be packaged: the path " + *problem);
}

// A regular file to snapshot: its path in the asset and on disk.
struct FileJob {
  std::string path;
  fs::path full;
};

// Hashes (or, on a stat-cache hit whose object is stored, skips) and stores one file. The file's
// size and mtime are checked again after reading: a file that changed meanwhile fails the build.
Result<FileEntry> snapshot_file(FileSystem& fs, ObjectStore& objects, const FileJob& job,
                                StatCache* stat_cache, BuildStats& stats) {
  auto before = fs.stat(job.full);
  if (!before) return tl::unexpected(before.error());
  FileEntry f;
  f.path = job.path;
  f.size = before->size;
  f.executable = (before->mode & 0111) != 0;
  if (stat_cache) {
    if (auto known = stat_cache->lookup(job.path, *before)) {
      // The object must still be whole: a power loss can leave its name with fewer bytes.
      auto have = objects.contains(ObjectRef{*known, before->size});
      if (!have) return tl::unexpected(have.error());
      if (*have) {
        f.sha256 = *known;
        ++stats.files_unchanged;
        return f;
      }
    }
  }
  auto digest = objects.put_file(job.full);
  if (!digest) return tl::unexpected(digest.error());
  auto after = fs.stat(job.full);
  if (!after) return tl::unexpected(after.error());
  if (after->size != before->size || after->mtime_ns != before->mtime_ns ||
      after->inode != before->inode) {
    return make_error(ErrorCode::kConflict,
                      job.full.string() + ": changed while it was being read (publish again)");
  }
  f.sha256 = *digest;
  ++stats.files_hashed;
  stats.bytes_hashed += after->size;
  if (stat_cache) stat_cache->record(job.path, *after, *digest);
  return f;
}

// Lists the asset's files: symlink entries go straight to `out`, regular files to `jobs`.
Status walk(FileSystem& fs, const fs::path& root, const std::string& rel, const AssetManifest& m,
            const BuildOptions& options, std::vector<FileEntry>& out, std::vector<FileJob>& jobs) {
  auto entries = fs.list_dir(rel.empty() ? root : root / rel);
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    // git's and reel's own folders are never packaged, at any depth (a vendored checkout's .git
    // included), in any spelling a file system merges with them.
    if (is_reserved_component(e.name) || (rel.empty() && e.name == "asset.toml")) continue;
    std::string path = rel.empty() ? e.name : rel + "/" + e.name;
    fs::path full = root / path;
    const bool is_dir = e.type == FileType::kDirectory;
    if (options.excluded && options.excluded(path, is_dir)) continue;
    if (is_dir) {
      REEL_TRY(walk(fs, root, path, m, options, out, jobs));
      continue;
    }
    if (!included(m, path)) continue;
    REEL_TRY(check_file_name(path, full));  // every component of an included path
    if (e.type == FileType::kSymlink) {
      auto target = fs.read_symlink(full);
      if (!target) return tl::unexpected(target.error());
      std::string t = target->string();
      FileEntry f;
      f.path = path;
      f.symlink = t;
      out.push_back(std::move(f));
      continue;
    }
    if (e.type != FileType::kRegular) {
      return make_error(ErrorCode::kInvalidArgument,
                        full.string() + ": not a regular file, folder or symlink");
    }
    jobs.push_back(FileJob{path, full});
  }
  return ok();
}

// Snapshots every job on `threads` threads; results land at their job's index, so the outcome
// does not depend on scheduling. The first error stops the others and is returned.
Status snapshot_all(FileSystem& fs, ObjectStore& objects, const std::vector<FileJob>& jobs,
                    const BuildOptions& options, std::vector<FileEntry>& out, BuildStats& stats) {
  std::vector<std::optional<FileEntry>> results(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> first_error;
  std::vector<BuildStats> per_thread;
  unsigned threads = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(jobs.size(), 1)));
  per_thread.resize(threads);
  auto work = [&](unsigned t) {
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= jobs.size() || failed.load()) return;
      auto f = snapshot_file(fs, objects, jobs[i], options.stat_cache, per_thread[t]);
      if (!f) {
        std::lock_guard<std::mutex> hold(mutex);
        if (!first_error) first_error = f.error();
        failed = true;
        return;
      }
      results[i] = std::move(*f);
      if (options.progress) options.progress(jobs[i].path, results[i]->size);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  if (first_error) return tl::unexpected(*first_error);
  for (auto& r : results) out.push_back(std::move(*r));
  for (const auto& t : per_thread) {
    stats.files_hashed += t.files_hashed;
    stats.files_unchanged += t.files_unchanged;
    stats.bytes_hashed += t.bytes_hashed;
  }
  return ok();
}

}  // namespace

Result<BuiltPackage> build_package(FileSystem& fs, ObjectStore& objects,
                                   const fs::path& asset_dir, const BuildOptions& options) {
  fs::path manifest_path = asset_dir / "asset.toml";
  auto text = fs.read_file(manifest_path, kMaxManifestBytes);
  if (!text) return tl::unexpected(text.error());
  auto manifest = parse_manifest(*text, manifest_path.string());
  if (!manifest) return tl::unexpected(manifest.error());
  BuiltPackage p;
  p.manifest = std::move(*manifest);
  p.manifest_text = std::move(*text);
  std::vector<FileJob> jobs;
  REEL_TRY(walk(fs, asset_dir, "", p.manifest, options, p.files, jobs));
  REEL_TRY(snapshot_all(fs, objects, jobs, options, p.files, p.stats));
  // Byte order (std::string compares as unsigned char), as files.json requires.
  std::sort(p.files.begin(), p.files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  if (auto problem = file_list_problem(p.files)) {
    return make_error(ErrorCode::kInvalidArgument,
                      asset_dir.string() + ": cannot be packaged: " + *problem);
  }
  REEL_TRY(check_thumbnail_in_package(p.manifest.metadata_json, p.files, manifest_path.string()));
  for (const auto& f : p.files) p.total_size += f.size;
  auto archive = write_archive(
      {{"asset.toml", p.manifest_text}, {"files.json", serialize_files_json(p.files)}});
  if (!archive) return tl::unexpected(archive.error());
  p.archive_bytes = std::move(*archive);
  p.archive_digest = sha256_bytes(p.archive_bytes);
  return p;
}

Result<BuiltPackage> read_package(std::string_view archive_bytes, std::string_view what) {
  auto members = read_archive(archive_bytes);
  if (!members) return tl::unexpected(members.error().with_context(what));
  const ArchiveMember* manifest = nullptr;
  const ArchiveMember* files = nullptr;
  for (const auto& m : *members) {
    if (m.path == "asset.toml") manifest = &m;
    if (m.path == "files.json") files = &m;
  }
  if (!manifest || !files) {
    return make_error(ErrorCode::kCorruption, std::string(what) + ": archive lacks " +
                                                  (manifest ? "files.json" : "asset.toml"));
  }
  auto parsed = parse_manifest(manifest->data, std::string(what) + ":asset.toml");
  if (!parsed) return tl::unexpected(Error{ErrorCode::kCorruption, parsed.error().message});
  auto list = parse_files_json(files->data, std::string(what) + ":files.json");
  if (!list) return tl::unexpected(list.error());
  BuiltPackage p;
  p.manifest = std::move(*parsed);
  p.manifest_text = manifest->data;
  p.files = std::move(*list);
  for (const auto& f : p.files) p.total_size += f.size;
  p.archive_bytes = std::string(archive_bytes);
  p.archive_digest = sha256_bytes(archive_bytes);
  return p;
}

}  // namespace reel
