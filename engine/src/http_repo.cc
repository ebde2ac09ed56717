// HttpRepo: the repo layout (DESIGN §2) over HTTP, as docs/http.md specifies. Reads are plain GETs
// (any static server); index files are cached on disk with their ETags and revalidated with
// If-None-Match; objects stream into the destination store over parallel connections and are
// installed only on a digest match; publish HEADs the objects, PUTs the missing ones, then POSTs
// the archive (reel serve).
#include "http_repo.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "reel/engine/index_cache.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/storage/http_client.h"
#include "reel/storage/parallel.h"
#include "reel/storage/path_rules.h"
#include "repo_detail.h"

namespace reel {
namespace {

HttpOptions http_options(const RepoOpenOptions& options) {
  HttpOptions out;
  out.token = options.token;
  out.netrc_file = options.netrc_file;
  out.ca_file = options.ca_file;
  if (options.stall_seconds > 0) out.stall_seconds = options.stall_seconds;
  if (options.max_parallel > 0) out.max_parallel = options.max_parallel;
  out.detail = options.detail;
  return out;
}

class HttpRepo : public Repo {
 public:
  HttpRepo(FileSystem& fs, std::string url, const RepoOpenOptions& options)
      : fs_(fs),
        url_(std::move(url)),
        base_(url_.back() == '/' ? url_ : url_ + "/"),
        cache_dir_(options.http_cache_dir / sha256_bytes(url_).hex().substr(0, 16)),
        client_(fs, http_options(options)),
        detail_(options.detail) {
    if (!options.index_cache_dir.empty()) index_cache_.emplace(fs, options.index_cache_dir);
  }

  // GETs reel-repo.json for the repo's name.
  Status open() {
    auto marker = client_.get(base_ + "reel-repo.json", "", kMaxSmallJsonBytes);
    if (!marker) {
      if (marker.error().code == ErrorCode::kNotFound) {
        return make_error(ErrorCode::kNotFound,
                          "repo at " + url_ + ": no reel-repo.json (not a reel repo)");
      }
      return tl::unexpected(marker.error().with_context("repo at " + url_));
    }
    REEL_TRY(check_json_input(marker->body, base_ + "reel-repo.json", kMaxSmallJsonBytes));
    auto j = nlohmann::json::parse(marker->body, nullptr, false);
    if (!j.is_object() || !j.contains("format") || j["format"] != 1 || !j.contains("name") ||
        !j["name"].is_string()) {
      return make_error(ErrorCode::kInvalidArgument,
                        base_ + "reel-repo.json: expected {\"format\": 1, \"name\": ...}");
    }
    name_ = j["name"].get<std::string>();
    return ok();
  }

  const std::string& url() const override { return url_; }
  const std::string& name() const override { return name_; }

  Result<std::optional<PackageIndex>> read_index(const std::string& package) override {
    if (!check_package_name(package)) return std::optional<PackageIndex>();
    IndexRead read = begin_index_read(package);
    auto got = client_.get(read.url, read.etag, kMaxIndexBytes);
    return finish_index_read(read, std::move(got));
  }

  // The GETs at once (HttpClient::get_many), then each answer as read_index takes it.
  std::vector<Result<std::optional<PackageIndex>>> read_indexes(
      const std::vector<std::string>& names) override {
    std::vector<IndexRead> reads;
    std::vector<GetRequest> requests;
    for (const auto& name : names) {
      if (!check_package_name(name)) continue;
      reads.push_back(begin_index_read(name));
      requests.push_back(GetRequest{reads.back().url, reads.back().etag, kMaxIndexBytes});
    }
    auto answers = client_.get_many(requests);
    // Parsed and cached on 4 threads (the network is idle meanwhile).
    std::vector<Result<std::optional<PackageIndex>>> answered(reads.size(),
                                                              std::optional<PackageIndex>());
    (void)parallel_for(reads.size(), 4, [&](std::size_t k) -> Status {
      answered[k] = finish_index_read(reads[k], std::move(answers[k]));
      return ok();
    });
    std::vector<Result<std::optional<PackageIndex>>> out;
    std::size_t next = 0;
    for (const auto& name : names) {
      if (!check_package_name(name))
        out.push_back(std::optional<PackageIndex>());
      else
        out.push_back(std::move(answered[next++]));
    }
    return out;
  }

  Result<AuditLog> read_audit_log() override {
    std::string url = base_ + "log/audit.jsonl";
    auto got = client_.get(url, "", kMaxAuditLogBytes);
    if (!got) {
      if (got.error().code == ErrorCode::kNotFound) return AuditLog{};
      return tl::unexpected(got.error().with_context("repo '" + name_ + "'"));
    }
    return parse_audit_log(got->body, url);
  }

  Result<std::vector<PackageIndex>> read_all_indexes() override {
    std::string url = base_ + "index/";
    auto listing = client_.get(url, "", kMaxIndexBytes);
    if (!listing) {
      const Error& e = listing.error();
      if (e.code == ErrorCode::kNotFound || e.message.find("HTTP 403") != std::string::npos) {
        return make_error(ErrorCode::kUnsupported,
                          "repo '" + name_ + "' (" + url_ +
                              "): the server gives no listing of index/ (" + e.message +
                              "); listing packages needs nginx's autoindex_format json or reel "
                              "serve");
      }
      return tl::unexpected(e.with_context("repo '" + name_ + "'"));
    }
    REEL_TRY(check_json_input(listing->body, url, kMaxIndexBytes));
    auto j = nlohmann::json::parse(listing->body, nullptr, false);
    if (!j.is_array()) {
      return make_error(ErrorCode::kInvalidArgument,
                        url + ": expected a JSON listing ([{\"name\": ..., \"type\": \"file\"}])");
    }
    std::vector<std::string> names;
    for (const auto& item : j) {
      if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) continue;
      if (item.contains("type") && item["type"] != "file") continue;
      std::string file = item["name"].get<std::string>();
      if (file.size() < 6 || file.substr(file.size() - 5) != ".json") continue;
      names.push_back(file.substr(0, file.size() - 5));
    }
    auto indexes = read_indexes(names);
    REEL_TRY(first_failure(indexes));
    std::vector<PackageIndex> out;
    for (auto& index : indexes)
      if (*index) out.push_back(std::move(**index));
    std::sort(out.begin(), out.end(), [](const PackageIndex& a, const PackageIndex& b) {
      return lower_name(a.name) < lower_name(b.name);
    });
    return out;
  }

  Status fetch_object(const ObjectRef& object, ObjectStore& dest) override {
    return fetch_objects({object}, dest);
  }

  Status fetch_objects(const std::vector<ObjectRef>& objects, ObjectStore& dest,
                       const TransferProgress& progress = {}) override {
    std::vector<ObjectDownload> downloads;
    std::set<Digest> seen;
    for (const auto& o : objects) {
      const Digest& d = o.digest;
      if (!seen.insert(d).second) continue;
      auto have = dest.contains(o);  // one of another size is fetched again, replacing it
      if (!have) return tl::unexpected(have.error());
      if (*have) continue;
      downloads.push_back(ObjectDownload{object_url(d), &dest, d,
                                         "repo '" + name_ + "': " + d.prefixed(), o.size});
    }
    auto results = client_.get_objects(downloads, progress);
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i] || results[i].error().code == ErrorCode::kCancelled) continue;
      if (results[i].error().code == ErrorCode::kNotFound) {
        return make_error(
            ErrorCode::kNotFound,
            "repo '" + name_ + "' (" + url_ + ") lacks object " + downloads[i].expected.prefixed());
      }
      return tl::unexpected(results[i].error());
    }
    for (const auto& r : results)  // only cancellations: cannot happen, but never report success
      if (!r) return tl::unexpected(r.error());
    return ok();
  }

  Result<std::string> read_archive(const ArchiveRef& archive) override {
    REEL_TRY(check_archive_ref(archive));
    std::string url = base_ + archive.path;
    auto got = client_.get(url, "", archive_bound(archive));  // never more than announced
    return finish_archive_read(archive, std::move(got));
  }

  std::vector<Result<std::string>> read_archives(const std::vector<ArchiveRef>& archives) override {
    std::vector<GetRequest> requests;
    std::vector<Result<std::string>> out(archives.size(), std::string());
    std::vector<std::size_t> sent;
    for (std::size_t i = 0; i < archives.size(); ++i) {
      auto st = check_archive_ref(archives[i]);
      if (!st) {
        out[i] = tl::unexpected(st.error());
        continue;
      }
      requests.push_back(GetRequest{base_ + archives[i].path, "", archive_bound(archives[i])});
      sent.push_back(i);
    }
    auto answers = client_.get_many(requests);
    for (std::size_t k = 0; k < sent.size(); ++k)
      out[sent[k]] = finish_archive_read(archives[sent[k]], std::move(answers[k]));
    return out;
  }

  Status publish(const BuiltPackage& package, ObjectStore& objects, IndexEntry entry,
                 const AuditInfo& audit) override {
    const std::string& pname = package.manifest.name;
    const std::string vtext = package.manifest.version.to_string();
    const std::string what = "publishing " + pname + " " + vtext + " to repo '" + name_ + "'";
    if (sha256_bytes(package.archive_bytes) != package.archive_digest) {
      return make_error(ErrorCode::kCorruption, "publishing " + pname + " " + vtext +
                                                    ": archive bytes do not match their digest");
    }
    // 1. Which objects the server lacks (HEADs in parallel), 2. upload those.
    std::vector<Digest> digests;
    std::set<Digest> seen;
    for (const auto& f : package.files)
      if (!f.symlink && seen.insert(f.sha256).second) digests.push_back(f.sha256);
    std::vector<std::string> urls;
    for (const auto& d : digests) urls.push_back(object_url(d));
    auto present = client_.head_many(urls);
    std::vector<FileUpload> uploads;
    for (std::size_t i = 0; i < digests.size(); ++i) {
      if (!present[i]) return tl::unexpected(present[i].error().with_context(what));
      if (*present[i] == 404)
        uploads.push_back(FileUpload{urls[i], objects.object_path(digests[i])});
    }
    if (detail_ != nullptr && detail_->detail_on(1)) {
      detail_->detail(
          1, "publish " + pname + " " + vtext + " to repo " + name_ + ": " +
                 std::to_string(uploads.size()) + " of " + plural_count(digests.size(), "object") +
                 " to upload (" + std::to_string(digests.size() - uploads.size()) +
                 " already there), archive " + std::to_string(package.archive_bytes.size()) + " B");
    }
    auto put = client_.put_files(uploads);
    for (const auto& r : put)  // the failure itself, not the uploads it cancelled
      if (!r && r.error().code != ErrorCode::kCancelled)
        return tl::unexpected(r.error().with_context(what));
    for (const auto& r : put)
      if (!r) return tl::unexpected(r.error().with_context(what));
    // 3. The archive: the server checks it and its objects and writes the index entry.
    HttpHeaders headers = {{"Reel-Source-Commit", entry.source.commit},
                           {"Reel-Source-Dirty", entry.source.dirty ? "true" : "false"}};
    if (audit.action == "promote") {
      // A promotion carries the source's review (docs/http.md: only an admin token may).
      headers.emplace_back("Reel-Promote", review_json(entry.review).dump());
      if (!audit.note.empty()) headers.emplace_back("Reel-Audit-Note", one_line(audit.note));
    }
    auto posted =
        client_.post(base_ + "publish/" + pname + "/" + vtext, package.archive_bytes, headers);
    if (!posted) {
      const Error& e = posted.error();
      if (e.code == ErrorCode::kConflict) {
        // The server's one-line reason, without the "POST <url>: HTTP 409: " prefix.
        std::size_t at = e.message.find("HTTP 409: ");
        std::string reason = at == std::string::npos ? e.message : e.message.substr(at + 10);
        return make_error(ErrorCode::kConflict, what + ": " + reason);
      }
      return tl::unexpected(e.with_context(what));
    }
    return ok();
  }

  Status set_review(const std::string& package, const Version& version,
                    const ReviewRecord& decision) override {
    nlohmann::json body = {{"state", std::string(review_state_name(decision.state))},
                           {"note", decision.note}};
    return post_json(
        "review", package, version, body,
        std::string(decision.state == ReviewState::kApproved ? "approving " : "rejecting "));
  }

  Status set_yank(const std::string& package, const Version& version, bool yanked,
                  const YankRecord& record) override {
    nlohmann::json body = {{"reason", record.reason}};
    return post_json(yanked ? "yank" : "unyank", package, version, body,
                     yanked ? "yanking " : "unyanking ");
  }

 private:
  // One index read: where its body and ETag are cached, and what the cache held.
  struct IndexRead {
    std::string package;  // as asked
    std::string lower;
    std::string url;
    fs::path body_file, etag_file;
    std::string etag, cached;  // both empty when the cache holds nothing usable
  };

  IndexRead begin_index_read(const std::string& package) {
    IndexRead r;
    r.package = package;
    r.lower = lower_name(package);
    r.url = base_ + "index/" + r.lower + ".json";
    r.body_file = cache_dir_ / "index" / (r.lower + ".json");
    r.etag_file = cache_dir_ / "index" / (r.lower + ".etag");
    // The ETag is read before the body and written after it, so a body read here is never
    // older than the ETag sent (a concurrent refresh costs one full GET at worst).
    if (auto e = fs_.read_file(r.etag_file, 1024)) {
      if (auto b = fs_.read_file(r.body_file, kMaxIndexBytes)) {
        r.etag = *e;
        r.cached = std::move(*b);
      }
    }
    return r;
  }

  // The index from the server's answer to the (conditional) GET of begin_index_read.
  Result<std::optional<PackageIndex>> finish_index_read(IndexRead& r, Result<HttpResponse> got) {
    if (!got) {
      if (got.error().code == ErrorCode::kNotFound) {
        (void)fs_.remove(r.etag_file);  // best effort: a stale entry only costs a GET
        (void)fs_.remove(r.body_file);
        return std::optional<PackageIndex>();
      }
      return tl::unexpected(got.error().with_context("repo '" + name_ + "'"));
    }
    std::string text;
    if (got->status == 304) {
      text = std::move(r.cached);
    } else {
      text = std::move(got->body);
      // The cache is an optimisation: a read-only or full cache must not fail a read.
      if (!got->etag.empty() && fs_.create_directories(r.body_file.parent_path()) &&
          fs_.write_file_atomic(r.body_file, text, false)) {
        (void)fs_.write_file_atomic(r.etag_file, got->etag, false);
      }
    }
    IndexSource source = IndexSource::kParsed;
    auto index =
        parse_index_cached(index_cache_ ? &*index_cache_ : nullptr, r.url, text, r.url, &source);
    if (!index) return tl::unexpected(index.error());
    report_index_read(detail_, name_, r.lower + ".json", source, got->status);
    if (lower_name(index->name) != r.lower) {
      return make_error(ErrorCode::kCorruption, r.url + ": holds the index of '" + index->name +
                                                    "', not '" + r.package + "'");
    }
    return std::optional<PackageIndex>(std::move(*index));
  }

  // The first error of a batch that is not a cancellation it caused, else the first error.
  template <typename T>
  static Status first_failure(const std::vector<Result<T>>& results) {
    for (const auto& r : results)
      if (!r && r.error().code != ErrorCode::kCancelled) return tl::unexpected(r.error());
    for (const auto& r : results)
      if (!r) return tl::unexpected(r.error());
    return ok();
  }

  Status check_archive_ref(const ArchiveRef& archive) const {
    if (path_problem(archive.path) || archive.path.rfind("packages/", 0) != 0 ||
        archive.size > kMaxArchiveBytes) {
      return make_error(ErrorCode::kCorruption,
                        "repo '" + name_ + "': unsafe archive '" + archive.path + "' (" +
                            std::to_string(archive.size) + " bytes) in its index");
    }
    return ok();
  }

  // POSTs `body` to ACTION/<name>/<version> (docs/http.md "Review and yank"). The server's
  // one-line reason is kept; 404 and 409 keep their codes.
  Status post_json(const std::string& action, const std::string& package, const Version& version,
                   const nlohmann::json& body, const std::string& verb) {
    const std::string what =
        verb + package + " " + version.to_string() + " in repo '" + name_ + "'";
    auto posted =
        client_.post(base_ + action + "/" + package + "/" + version.to_string(), body.dump());
    if (!posted) {
      const Error& e = posted.error();
      std::size_t at = e.message.find(": HTTP ");
      std::size_t reason =
          at == std::string::npos ? std::string::npos : e.message.find(": ", at + 7);
      Error out = e;
      if (reason != std::string::npos &&
          (e.code == ErrorCode::kConflict || e.code == ErrorCode::kNotFound))
        out.message = e.message.substr(reason + 2);
      return tl::unexpected(out.with_context(what));
    }
    return ok();
  }

  // The most bytes a read of `archive` takes: its size, else any archive's limit.
  static std::uint64_t archive_bound(const ArchiveRef& archive) {
    return archive.size ? archive.size : kMaxArchiveBytes;
  }

  Result<std::string> finish_archive_read(const ArchiveRef& archive, Result<HttpResponse> got) {
    std::string url = base_ + archive.path;
    if (!got) return tl::unexpected(got.error().with_context("repo '" + name_ + "'"));
    if ((archive.size && got->body.size() != archive.size) ||
        sha256_bytes(got->body) != archive.sha256) {
      return make_error(ErrorCode::kCorruption, url + ": archive does not match its index entry (" +
                                                    archive.sha256.prefixed() + ")");
    }
    return std::move(got->body);
  }

  static std::string one_line(std::string text) {
    for (char& c : text)
      if (c == '\n' || c == '\r') c = ' ';
    return text;
  }

  static nlohmann::json record_json(const ReviewRecord& r) {
    return {{"state", std::string(review_state_name(r.state))},
            {"by", r.by},
            {"at", r.at},
            {"note", r.note}};
  }

  static nlohmann::json review_json(const Review& review) {
    nlohmann::json j = record_json(review.current);
    nlohmann::json history = nlohmann::json::array();
    for (const auto& h : review.history) history.push_back(record_json(h));
    j["history"] = std::move(history);
    return j;
  }

  std::string object_url(const Digest& d) const {
    std::string hex = d.hex();
    return base_ + "objects/sha256/" + hex.substr(0, 2) + "/" + hex.substr(2);
  }

  FileSystem& fs_;
  std::string url_;
  std::string base_;  // url_ with a trailing '/'
  std::string name_;
  fs::path cache_dir_;
  HttpClient client_;
  std::optional<IndexCache> index_cache_;  // none when opened without a cache
  DetailSink* detail_ = nullptr;           // -v / -vv (repo_detail.h); may be null
};

}  // namespace

Result<std::unique_ptr<Repo>> open_http_repo(FileSystem& fs, const std::string& url,
                                             const RepoOpenOptions& options) {
  auto repo = std::make_unique<HttpRepo>(fs, url, options);
  REEL_TRY(repo->open());
  return std::unique_ptr<Repo>(std::move(repo));
}

}  // namespace reel
