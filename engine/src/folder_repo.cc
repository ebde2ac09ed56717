// Folder repos (DESIGN §2 repo layout) and their publish protocol (DESIGN §8): under the repo lock,
// objects and the archive are written and flushed first (each added object fsynced, then its
// directory), then the index is replaced atomically, so a crash or a failure at any point leaves
// the old index, never one naming objects that are not durable (orphan objects are harmless and
// reused by the next publish). Folders a publish creates are made durable too, and the temp
// files killed publishes left are removed by the next one (remove_dead_temp_files).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "http_repo.h"
#include "reel/engine/index_cache.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/repo.h"
#include "reel/storage/path_rules.h"
#include "repo_detail.h"

namespace reel {
namespace {

// Makes `files`, then `dirs`, durable: the files' fsync(2)s on up to 8 threads, so the file
// system's journal commits many at once (their data is mostly on disk already: objects start
// their write-back when written), then the directories, so no directory entry is durable before
// its file's bytes. The first error wins.
Status sync_all(FileSystem& fs, const std::vector<fs::path>& files, const std::set<fs::path>& dirs) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::optional<Error> error;
  auto run = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      Status st = fs.sync_file(files[i]);
      if (!st) {
        std::lock_guard<std::mutex> hold(mutex);
        if (!error) error = st.error();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < std::min<std::size_t>(8, files.size()); ++t) pool.emplace_back(run);
  run();
  for (auto& th : pool) th.join();
  if (error) return tl::unexpected(*error);
  for (const auto& d : dirs) REEL_TRY(fs.sync_directory(d));
  return ok();
}

// Creates `dir` below `root` so that it survives a power loss: each directory that was missing
// is made durable by an fsync of its parent (a file fsynced into a new folder whose own entry is
// not durable vanishes with the folder).
Status create_durable_directory(FileSystem& fs, const fs::path& root, const fs::path& dir) {
  std::vector<fs::path> missing;
  for (fs::path d = dir; d != root && d.has_relative_path(); d = d.parent_path()) {
    auto st = fs.stat(d);
    if (!st) return tl::unexpected(st.error());
    if (st->type != FileType::kMissing) break;
    missing.push_back(d);
  }
  if (missing.empty()) return ok();
  REEL_TRY(fs.create_directories(dir));
  for (const auto& d : missing) REEL_TRY(fs.sync_directory(d.parent_path()));
  return ok();
}

// How long a temp file in objects/tmp must have been left untouched before a publish takes its
// writer for dead (docs/decisions.md: publishers build there without the repo lock, maybe on
// another machine, and a live writer moves its file's mtime with every write).
constexpr std::int64_t kDeadTempAgeNs = std::int64_t{3600} * 1000000000;

// Removes what killed publishes left (issue 11), best effort, under the repo lock: temp files in
// `locked_dirs` (written only under this lock, so any there is a dead writer's), and temp files
// in `aged_dirs` (objects/tmp, the root's from `reel repo init`: written without the lock) whose
// mtime is kDeadTempAgeNs older than `now_ns` (the file system's clock).
void remove_dead_temp_files(FileSystem& fs, const std::vector<fs::path>& locked_dirs,
                            const std::vector<fs::path>& aged_dirs, std::int64_t now_ns) {
  auto remove_in = [&](const fs::path& dir, bool by_age) {
    auto entries = fs.list_dir(dir);
    if (!entries) return;
    for (const auto& e : *entries) {
      if (e.type != FileType::kRegular || e.name.rfind(".tmp-", 0) != 0) continue;
      if (by_age) {
        auto st = fs.stat(dir / e.name);
        if (!st || st->type != FileType::kRegular || st->mtime_ns > now_ns - kDeadTempAgeNs)
          continue;
      }
      (void)fs.remove(dir / e.name);
    }
  };
  for (const auto& dir : locked_dirs) remove_in(dir, false);
  for (const auto& dir : aged_dirs) remove_in(dir, true);
}

class FolderRepo : public Repo {
 public:
  FolderRepo(FileSystem& fs, std::string url, fs::path root, std::string name,
             const fs::path& index_cache_dir, DetailSink* detail)
      : fs_(fs),
        url_(std::move(url)),
        root_(std::move(root)),
        name_(std::move(name)),
        objects_(fs, root_ / "objects", /*early_writeback=*/true),
        detail_(detail) {
    if (!index_cache_dir.empty()) index_cache_.emplace(fs, index_cache_dir);
  }

  const std::string& url() const override { return url_; }
  const std::string& name() const override { return name_; }

  fs::path index_path(const std::string& package) const {
    return root_ / "index" / (lower_name(package) + ".json");
  }

  Result<std::optional<PackageIndex>> read_index(const std::string& package) override {
    return read_index_as<PackageIndex>(package, read_index_file_cached);
  }

  Result<std::optional<IndexView>> read_index_view(const std::string& package) override {
    return read_index_as<IndexView>(package, read_index_view_cached);
  }

  Result<std::vector<PackageIndex>> read_all_indexes() override {
    std::vector<PackageIndex> out;
    auto st = fs_.stat(root_ / "index");
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kMissing) return out;
    auto entries = fs_.list_dir(root_ / "index");
    if (!entries) return tl::unexpected(entries.error());
    for (const auto& e : *entries) {
      if (e.name.size() < 6 || e.name.substr(e.name.size() - 5) != ".json") continue;
      auto index = read_index(e.name.substr(0, e.name.size() - 5));
      if (!index) return tl::unexpected(index.error());
      if (*index) out.push_back(std::move(**index));
    }
    std::sort(out.begin(), out.end(), [](const PackageIndex& a, const PackageIndex& b) {
      return lower_name(a.name) < lower_name(b.name);
    });
    return out;
  }

  Result<AuditLog> read_audit_log() override {
    fs::path path = root_ / "log" / "audit.jsonl";
    auto st = fs_.stat(path);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kMissing) return AuditLog{};
    auto text = fs_.read_file(path, kMaxAuditLogBytes);
    if (!text) return tl::unexpected(text.error().with_context("repo '" + name_ + "'"));
    return parse_audit_log(*text, path.string());
  }

  ObjectStore* local_store() override { return &objects_; }

  Status fetch_object(const ObjectRef& object, ObjectStore& dest) override {
    const Digest& digest = object.digest;
    auto have = dest.contains(object);  // one of another size is fetched again, replacing it
    if (!have) return tl::unexpected(have.error());
    if (*have) return ok();
    fs::path src = objects_.object_path(digest);
    auto st = fs_.stat(src);
    if (!st) return tl::unexpected(st.error());
    if (st->type != FileType::kRegular) {
      return make_error(ErrorCode::kNotFound,
                        "repo '" + name_ + "' (" + url_ + ") lacks object sha256:" + digest.hex());
    }
    auto put = dest.put_file_expecting(src, object);
    if (!put) return tl::unexpected(put.error().with_context("repo '" + name_ + "'"));
    return ok();
  }

  Result<std::string> read_archive(const ArchiveRef& archive) override {
    if (path_problem(archive.path) || archive.path.rfind("packages/", 0) != 0 ||
        archive.size > kMaxArchiveBytes) {
      return make_error(ErrorCode::kCorruption, "repo '" + name_ + "': unsafe archive '" +
                                                    archive.path + "' (" +
                                                    std::to_string(archive.size) +
                                                    " bytes) in its index");
    }
    fs::path path = root_ / archive.path;
    // Never more than the index announced (or than any archive may be, when it is not known).
    auto bytes = fs_.read_file(path, archive.size ? archive.size : kMaxArchiveBytes);
    if (!bytes) {
      if (bytes.error().code == ErrorCode::kInvalidArgument)  // larger, or not a regular file
        return make_error(ErrorCode::kCorruption, bytes.error().message + " (repo '" + name_ +
                                                      "': the archive its index names)");
      return tl::unexpected(bytes.error());
    }
    if ((archive.size && bytes->size() != archive.size) || sha256_bytes(*bytes) != archive.sha256) {
      return make_error(ErrorCode::kCorruption,
                        path.string() + ": archive does not match its index entry (sha256:" +
                            archive.sha256.hex() + ")");
    }
    return bytes;
  }

  Status publish(const BuiltPackage& package, ObjectStore& objects, IndexEntry entry,
                 const AuditInfo& audit) override {
    const std::string& pname = package.manifest.name;
    const std::string vtext = package.manifest.version.to_string();
    if (sha256_bytes(package.archive_bytes) != package.archive_digest) {
      return make_error(ErrorCode::kCorruption, "publishing " + pname + " " + vtext +
                                                    ": archive bytes do not match their digest");
    }
    auto lock = fs_.lock_exclusive(root_ / ".reel-lock");
    if (!lock) return tl::unexpected(lock.error());
    auto current = read_index(pname);
    if (!current) return tl::unexpected(current.error());
    PackageIndex index;
    if (*current) {
      index = std::move(**current);
      if (index.name != pname) {  // one spelling per name (DESIGN §2)
        return make_error(ErrorCode::kConflict, "repo '" + name_ + "' already has an asset named '" +
                                                    index.name + "', not '" + pname +
                                                    "'; names compare case-insensitively");
      }
      if (const IndexEntry* existing = index.find(package.manifest.version)) {
        if (existing->archive.sha256 == package.archive_digest) return ok();
        return make_error(ErrorCode::kConflict, pname + " " + vtext +
                                                    " is already published in repo '" + name_ +
                                                    "' with different content");
      }
    } else {
      index.name = pname;
    }
    // 1. Objects: copied from `objects` and verified, unless the package was built straight into
    // this repo's store (local_store()). Then every object the package names is flushed: the
    // package's own objects only, not the whole file system (a studio share always has other
    // writers); objects already on disk cost next to nothing.
    std::vector<fs::path> files;
    std::set<fs::path> dirs;
    for (const auto& f : package.files) {
      if (f.symlink) continue;
      if (&objects != &objects_) {
        auto put = objects_.put_file_expecting(objects.object_path(f.sha256),
                                               ObjectRef{f.sha256, f.size}, false);
        if (!put)
          return tl::unexpected(
              put.error().with_context("publishing " + pname + " " + vtext + ": " + f.path));
      }
      files.push_back(objects_.object_path(f.sha256));
      dirs.insert(files.back().parent_path());
    }
    if (!files.empty()) {
      // objects/sha256 itself may be new (the repo's first publish): its entry in objects/ too.
      dirs.insert(root_ / "objects" / "sha256");
      dirs.insert(root_ / "objects");
    }
    REEL_TRY(sync_all(fs_, files, dirs));
    // 2. The archive, durable before the index names it (its folder too, when new).
    std::string rel = archive_layout_path(pname, package.manifest.version);
    REEL_TRY(create_durable_directory(fs_, root_, (root_ / rel).parent_path()));
    REEL_TRY(fs_.write_file_atomic(root_ / rel, package.archive_bytes, true));
    // Leftovers of killed publishes go, timed on the file system's clock by the new archive.
    auto written = fs_.stat(root_ / rel);
    if (written && written->type == FileType::kRegular) {
      remove_dead_temp_files(fs_, {root_ / "index", (root_ / rel).parent_path()},
                             {objects_.temp_dir(), root_}, written->mtime_ns);
    }
    // 3. The audit line, durable before the index names the version.
    entry.version = package.manifest.version;
    entry.archive = ArchiveRef{rel, package.archive_digest, package.archive_bytes.size()};
    REEL_TRY(
        append_audit(AuditRecord{audit.at.empty() ? entry.published : audit.at, audit.actor,
                                 audit.action, pname, vtext, audit.note, entry.source.commit}));
    // 4. The index entry, last.
    index.versions.push_back(std::move(entry));
    REEL_TRY(create_durable_directory(fs_, root_, root_ / "index"));
    return fs_.write_file_atomic(index_path(pname), serialize_index(index), true);
  }

  Status set_review(const std::string& package, const Version& version,
                    const ReviewRecord& decision) override {
    const std::string label = package + " " + version.to_string();
    if (decision.state == ReviewState::kPending)
      return make_error(ErrorCode::kInvalidArgument, label + ": a review approves or rejects");
    if (decision.state == ReviewState::kRejected && decision.note.empty()) {
      return tl::unexpected(
          Error{ErrorCode::kInvalidArgument, "rejecting " + label + " needs a note"}.with_hint(
              "say what to fix: --note \"...\""));
    }
    const std::string action = decision.state == ReviewState::kApproved ? "approve" : "reject";
    return update_entry(package, version, [&](IndexEntry& e, AuditRecord& line) -> Status {
      if (e.review.current.state == decision.state) {
        return make_error(
            ErrorCode::kConflict,
            label + " is already " + std::string(review_state_name(decision.state)) + " in repo '" +
                name_ + "'" +
                (e.review.current.by.empty() ? "" : " (by " + e.review.current.by + ")"));
      }
      e.review.history.push_back(e.review.current);
      e.review.current = decision;
      line = AuditRecord{decision.at, decision.by, action, "", "", decision.note, e.source.commit};
      return ok();
    });
  }

  Status set_yank(const std::string& package, const Version& version, bool yanked,
                  const YankRecord& record) override {
    const std::string label = package + " " + version.to_string();
    if (yanked && record.reason.empty()) {
      return tl::unexpected(
          Error{ErrorCode::kInvalidArgument, "yanking " + label + " needs a reason"}.with_hint(
              "say why: --reason \"...\""));
    }
    return update_entry(package, version, [&](IndexEntry& e, AuditRecord& line) -> Status {
      if (e.yanked == yanked) {
        return make_error(
            ErrorCode::kConflict,
            label + (yanked ? " is already yanked" : " is not yanked") + " in repo '" + name_ +
                "'" +
                (yanked && e.yank && !e.yank->reason.empty() ? " (" + e.yank->reason + ")" : ""));
      }
      e.yanked = yanked;
      if (yanked) {
        e.yank = record;
      } else {
        e.yank.reset();
      }
      line = AuditRecord{record.at,     record.by,      yanked ? "yank" : "unyank", "", "",
                         record.reason, e.source.commit};
      return ok();
    });
  }

 private:
  // read_index's steps for either form (PackageIndex or IndexView), `read` being
  // read_index_file_cached or read_index_view_cached.
  template <typename Index, typename Read>
  Result<std::optional<Index>> read_index_as(const std::string& package, Read read) {
    if (!check_package_name(package)) return std::optional<Index>();
    fs::path path = index_path(package);
    auto st = fs_.stat(path);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kMissing) return std::optional<Index>();
    IndexSource source = IndexSource::kParsed;
    auto index = read(fs_, index_cache_ ? &*index_cache_ : nullptr, path, *st,
                      "repo '" + name_ + "'", &source);
    if (!index) return tl::unexpected(index.error());
    report_index_read(detail_, name_, path.filename().string(), source, 0);
    const std::string& got = index_name(*index);
    if (lower_name(got) != lower_name(package)) {
      return make_error(ErrorCode::kCorruption, path.string() + ": holds the index of '" + got +
                                                    "', not '" + package + "'");
    }
    return std::optional<Index>(std::move(*index));
  }
  static const std::string& index_name(const PackageIndex& index) { return index.name; }
  static const std::string& index_name(const IndexView& view) { return view.name(); }
  // Under the repo lock: reads NAME's index, lets `change` edit VERSION's entry and fill the
  // audit line (name and version are filled here), appends the line durably, then replaces the
  // index. An error from `change` leaves everything as it was.
  template <class Change>
  Status update_entry(const std::string& package, const Version& version, Change change) {
    auto lock = fs_.lock_exclusive(root_ / ".reel-lock");
    if (!lock) return tl::unexpected(lock.error());
    auto current = read_index(package);
    if (!current) return tl::unexpected(current.error());
    IndexEntry* entry = nullptr;
    if (*current) {
      for (auto& e : (*current)->versions)
        if (e.version == version) entry = &e;
    }
    if (!entry) {
      return make_error(ErrorCode::kNotFound, package + " " + version.to_string() +
                                                  " is not published in repo '" + name_ + "'");
    }
    AuditRecord line;
    REEL_TRY(change(*entry, line));
    line.name = (*current)->name;
    line.version = version.to_string();
    REEL_TRY(append_audit(line));
    return fs_.write_file_atomic(index_path(package), serialize_index(**current), true);
  }

  // Appends `record` to log/audit.jsonl and makes it durable (the file, and the folder and file
  // entries when new), under the repo lock the caller holds. A torn last line (a crash in the
  // middle of an append: no '\n' at the end) is cut off first by rewriting the file without it
  // (atomically), so it never becomes a complete line that does not parse.
  Status append_audit(const AuditRecord& record) {
    const fs::path dir = root_ / "log";
    const fs::path path = dir / "audit.jsonl";
    REEL_TRY(create_durable_directory(fs_, root_, dir));
    // log/ is written only under this lock: a temp file there is a killed append's.
    remove_dead_temp_files(fs_, {dir}, {}, 0);
    auto st = fs_.stat(path);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kRegular && st->size > 0) {
      auto text = fs_.read_file(path, kMaxAuditLogBytes);
      if (!text) return tl::unexpected(text.error().with_context("repo '" + name_ + "'"));
      if (text->back() != '\n') {
        std::size_t end = text->rfind('\n');
        text->resize(end == std::string::npos ? 0 : end + 1);
        REEL_TRY(fs_.write_file_atomic(path, *text, true));
      }
    }
    return fs_.append_file(path, serialize_audit_record(record), true);
  }

  FileSystem& fs_;
  std::string url_;
  fs::path root_;
  std::string name_;
  ObjectStore objects_;
  std::optional<IndexCache> index_cache_;  // none when opened without a cache
  DetailSink* detail_ = nullptr;           // -v / -vv (repo_detail.h); may be null
};

fs::path path_of(const std::string& url) {
  if (url.rfind("file://", 0) == 0) return fs::path(url.substr(7));
  return fs::path(url);
}

}  // namespace

namespace {

Result<std::unique_ptr<Repo>> open_any_repo(FileSystem& fs, const std::string& url,
                                            const RepoOpenOptions& options) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) {
    if (options.http_cache_dir.empty()) {
      return make_error(ErrorCode::kUnsupported,
                        "repo " + url +
                            ": HTTP repos are not supported yet without an HTTP cache directory");
    }
    return open_http_repo(fs, url, options);
  }
  if (url.find("://") != std::string::npos && url.rfind("file://", 0) != 0) {
    return make_error(ErrorCode::kInvalidArgument, "repo " + url + ": unsupported URL scheme");
  }
  fs::path root = path_of(url);
  fs::path marker = root / "reel-repo.json";
  auto st = fs.stat(marker);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular) {
    auto dir = fs.stat(root);
    std::string why = dir && dir->type == FileType::kDirectory
                          ? "no reel-repo.json (not a reel repo)"
                          : "no such directory";
    return make_error(ErrorCode::kNotFound, "repo at " + url + ": " + why);
  }
  auto text = fs.read_file(marker, kMaxSmallJsonBytes);
  if (!text) return tl::unexpected(text.error());
  REEL_TRY(check_json_input(*text, marker.string(), kMaxSmallJsonBytes));
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("format") || j["format"] != 1 || !j.contains("name") ||
      !j["name"].is_string()) {
    return make_error(ErrorCode::kInvalidArgument,
                      marker.string() + ": expected {\"format\": 1, \"name\": ...}");
  }
  return std::unique_ptr<Repo>(new FolderRepo(fs, url, root, j["name"].get<std::string>(),
                                              options.index_cache_dir, options.detail));
}

}  // namespace

Result<std::unique_ptr<Repo>> open_repo(FileSystem& fs, const std::string& url,
                                        const RepoOpenOptions& options) {
  auto started = std::chrono::steady_clock::now();
  auto repo = open_any_repo(fs, url, options);
  if (repo && options.detail != nullptr) {
    count(options.detail->counters().repos_opened);
    if (options.detail->detail_on(1)) {
      bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
      options.detail->detail(1, "repo " + (*repo)->name() + ": " + (http ? "http " : "folder ") +
                                    url + " (" + elapsed_text(started) + ")");
    }
  }
  return repo;
}

Status init_folder_repo(FileSystem& fs, const fs::path& path, const std::string& name) {
  auto st = fs.stat(path / "reel-repo.json");
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kMissing) {
    return make_error(ErrorCode::kAlreadyExists, path.string() + " already holds a reel repo");
  }
  // The marker first: a folder with it and nothing else is a whole, empty repo (publish makes
  // the folders it needs), so an init stopped half-way leaves an empty folder or a repo, never
  // the layout's folders without the marker, which `reel import bundle --repo-dir` refuses.
  REEL_TRY(fs.create_directories(path));
  nlohmann::ordered_json j;
  j["format"] = 1;
  j["name"] = name;
  REEL_TRY(fs.write_file_atomic(path / "reel-repo.json", j.dump() + "\n", true));
  for (const char* sub : {"index", "packages", "objects"})
    REEL_TRY(fs.create_directories(path / sub));
  return ok();
}

}  // namespace reel
