// Repos (DESIGN §2 "Repo layout"): where packages are published and installed from. The layout is
// the same for folder and HTTP repos:
//   reel-repo.json                 {"format": 1, "name": "blessed"}
//   index/<lower name>.json        every version of one package (index.h)
//   packages/<lower name>/<Name>-<version>.reel   package archive
//   objects/sha256/<2>/<62>        content objects
// FolderRepo implements it on a FileSystem, HttpRepo (http_repo.cc) over HTTP behind the same
// interface.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reel/engine/audit_log.h"
#include "reel/engine/index.h"
#include "reel/engine/index_view.h"
#include "reel/engine/package.h"
#include "reel/storage/clock.h"
#include "reel/storage/detail.h"
#include "reel/storage/file_system.h"
#include "reel/storage/object_store.h"
#include "reel/storage/progress.h"

namespace reel {

// Who made a publication or a promotion, for the audit log (log/audit.jsonl, audit_log.h).
struct AuditInfo {
  std::string actor;               // audit_actor() in the workspace layer; over HTTP the server
                                   // records its token's name and ignores this
  std::string at;                  // RFC 3339 UTC; "" = the entry's `published` time
  std::string action = "publish";  // "publish" or "promote"
  std::string note;                // e.g. promote --force's "forced: not approved (pending)"
};

class Repo {
 public:
  virtual ~Repo() = default;
  // The URL or path the repo was opened with.
  virtual const std::string& url() const = 0;
  // The name in reel-repo.json.
  virtual const std::string& name() const = 0;

  // The index of one package (name compared case-insensitively), or nullopt if the repo has none.
  virtual Result<std::optional<PackageIndex>> read_index(const std::string& name) = 0;
  // read_index as the resolver reads it (RepoProvider): a folder repo gives the index cache's lazy
  // view when the cache entry is trusted by the file's stat. Errors as read_index's. By default
  // read_index's whole index.
  virtual Result<std::optional<IndexView>> read_index_view(const std::string& name);
  // read_index for several names at once, one result a name, in order (sync reads the index of
  // every package it installs: issue 16). An HTTP repo sends the GETs in parallel (conditional,
  // from its ETag cache); the first failure other than a missing index may cancel the rest
  // (kCancelled). By default read_index on each name in turn.
  virtual std::vector<Result<std::optional<PackageIndex>>> read_indexes(
      const std::vector<std::string>& names);
  // Every package name (canonical spelling), sorted case-insensitively. By default the names of
  // read_all_indexes(), with its errors.
  virtual Result<std::vector<std::string>> list_packages();
  // Every package's index, sorted by name case-insensitively; each file read once (reel rdeps).
  // Errors as read_index's, for the first index that cannot be read or parsed.
  virtual Result<std::vector<PackageIndex>> read_all_indexes() = 0;

  // Copies an object into `dest` unless dest already has it, reading at most object.size + 1
  // bytes: kCorruption, nothing stored, if the bytes are not object.size long or do not hash to
  // object.digest (a repo or server sending more than files.json says is cut off, never retried).
  // kNotFound if the repo lacks it.
  virtual Status fetch_object(const ObjectRef& object, ObjectStore& dest) = 0;
  // Fetches several objects (as fetch_object each), as fast as the repo allows: a folder repo on
  // 4 threads, an HTTP repo over parallel connections. The first error stops the rest and is
  // returned (naming the object); objects fetched before it stay in `dest`. `progress` hears of
  // the bytes and objects fetched (objects `dest` already holds are not reported).
  virtual Status fetch_objects(const std::vector<ObjectRef>& objects, ObjectStore& dest,
                               const TransferProgress& progress = {});
  // Reads a version's archive bytes, verified against entry.archive (kCorruption on mismatch):
  // at most archive.size bytes are read (an index entry may not announce more than
  // kMaxArchiveBytes), so an endless or oversized archive is cut off, not buffered.
  virtual Result<std::string> read_archive(const ArchiveRef& archive) = 0;
  // read_archive for several archives at once, one result each, in order: an HTTP repo sends the
  // GETs in parallel, and its first failure cancels the rest (kCancelled). By default
  // read_archive on each in turn.
  virtual std::vector<Result<std::string>> read_archives(const std::vector<ArchiveRef>& archives);

  // The repo's audit trail, log/audit.jsonl (audit_log.h): empty when the repo has none yet (a
  // torn last line is reported in AuditLog::torn_line, not an error). Errors: parse_audit_log's,
  // the file system's or the transport's.
  virtual Result<AuditLog> read_audit_log() = 0;

  // The repo's own object store when it is a folder this process can write: a publish then builds
  // straight into it (each file read and written once, as borg and restic store), instead of into
  // the cache and copying. nullptr for remote repos.
  virtual ObjectStore* local_store() { return nullptr; }

  // Publishes: copies the package's objects from `objects` (skipping those present; nothing to
  // copy when `objects` is local_store()), writes the archive, makes the package's objects and
  // archive durable, then adds the index entry — all under the repo's lock, so the index never
  // names an object that is not durable. Same version with the same archive digest: a no-op; with
  // another digest: kConflict. A name the repo holds in another spelling ("table" when it has
  // "Table"): kConflict (names compare case-insensitively; the index keeps one spelling).
  // `entry.archive` is filled in by the repo.
  // The audit line (`audit`: action publish or promote) is appended and made durable before the
  // index is replaced (docs/decisions.md "Review, yank and the audit log"); nothing is logged for
  // a no-op. `entry.review` is written as given (promote carries the source's review along).
  virtual Status publish(const BuiltPackage& package, ObjectStore& objects, IndexEntry entry,
                         const AuditInfo& audit = {}) = 0;

  // Records a review decision on NAME VERSION (DESIGN §2 "review"): `decision.state` approved
  // or rejected (a rejection needs a note), `decision.by`/`at` the actor and time (over HTTP the
  // server sets both: its token's name, its clock). The current decision moves into the history.
  // Under the repo lock: the audit line (approve/reject) is durable before the index changes.
  // Errors: kNotFound (no such package or version, naming the repo); kInvalidArgument (a
  // rejection without a note, a pending state); kConflict when the version already has that
  // state (approving twice; the index is unchanged); transport errors over HTTP (403: the token
  // may not review).
  virtual Status set_review(const std::string& name, const Version& version,
                            const ReviewRecord& decision) = 0;
  // Yanks (`yanked` true: `record` = {reason, by, at}, reason required) or unyanks (`yanked`
  // false: record.reason is an optional note, by/at the actor and time) NAME VERSION, with its
  // audit line (yank/unyank) first, as set_review. kConflict when it is already yanked (or, to
  // unyank, not yanked): the index is unchanged. Other errors as set_review's.
  virtual Status set_yank(const std::string& name, const Version& version, bool yanked,
                          const YankRecord& record) = 0;
};

// What opening an HTTP repo needs beyond its URL (folder repos ignore it).
struct RepoOpenOptions {
  fs::path http_cache_dir;  // where index files are cached with their ETags (Cache::http_dir());
                            // empty: HTTP repos cannot be opened (kUnsupported)
  fs::path index_cache_dir;  // the binary cache of parsed index files (Cache::index_dir(),
                             // index_cache.h), for folder and HTTP repos; empty: none
  std::string token;        // bearer token for `reel serve`, as the workspace layer chose it for
                            // this URL (credentials.h); empty: none
  fs::path netrc_file;      // with no token: a netrc file whose `machine` entry for the URL's
                            // host libcurl sends as Basic credentials; empty: none
  fs::path ca_file;         // PEM bundle of a studio CA; empty: the system's CAs
  long stall_seconds = 0;   // drop a transfer moving under 1 byte/s this long; 0: the default
  int max_parallel = 0;     // HTTP transfers at once in a batch (1-64); 0: the default (8)
  DetailSink* detail = nullptr;  // -v / -vv lines and counts (the repo opened, index reads, HTTP
                                 // requests); null: none. Must outlive the repo.
};

// Opens a repo by URL: a path or file:// URL gives a FolderRepo, an http:// or https:// URL an
// HTTP repo (docs/http.md; needs options.http_cache_dir). kNotFound if the folder or its
// reel-repo.json does not exist ("repo 'blessed' at /x: no reel-repo.json"), kInvalidArgument for
// a URL scheme not supported, kInvalidArgument for a malformed reel-repo.json; for HTTP, the
// transport's errors (kNetwork) when the server cannot be reached. With options.detail, -v says
// "repo blessed: folder /studio/blessed (0.2 ms)".
Result<std::unique_ptr<Repo>> open_repo(FileSystem& fs, const std::string& url,
                                        const RepoOpenOptions& options = {});

// Creates an empty folder repo at `path` (reel repo init). kAlreadyExists if one is there.
Status init_folder_repo(FileSystem& fs, const fs::path& path, const std::string& name);

// Makes the IndexEntry for a built package (everything but the archive ref, which publish fills).
IndexEntry make_index_entry(const BuiltPackage& package, const SourceInfo& source, Clock& clock);

// Copies NAME==VERSION from `from` to `to` (reel promote): objects, archive and index entry,
// fetching objects through `staging` (usually the cache). Same rules as publish.
// The review record (current + history) goes along, and the target's audit log gets a promote
// line from `audit` (action set to "promote"). Approval is the caller's check (promote_version).
Status promote(Repo& from, Repo& to, const std::string& name, const Version& version,
               ObjectStore& staging, const AuditInfo& audit = {});

}  // namespace reel
