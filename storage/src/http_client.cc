// HttpClient over libcurl: every call builds Jobs and runs them on a multi handle; easy handles
// share one connection cache, DNS cache and TLS sessions (CURLSH), so keep-alive connections
// outlive a call.
#include "reel/storage/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace reel {
namespace {

using SteadyClock = std::chrono::steady_clock;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Transport failures worth another attempt.
bool retryable_curl_code(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct HttpClient::Shared {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

  Shared() {
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Shared::lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Shared::unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~Shared() { curl_share_cleanup(share); }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Shared*>(self)->locks[static_cast<std::size_t>(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Shared*>(self)->locks[static_cast<std::size_t>(data)].unlock();
  }
};

struct HttpClient::Job {
  enum class Kind { kGet, kHead, kObject, kPut, kPost };
  // The request.
  Kind kind = Kind::kGet;
  std::string url;
  std::string if_none_match;
  std::string_view post_body;
  std::uint64_t max_body = HttpClient::kDefaultMaxBody;  // kGet, kPut, kPost: bytes kept
  HttpHeaders headers;
  const FileUpload* upload = nullptr;
  const ObjectDownload* download = nullptr;
  const TransferProgress* progress = nullptr;  // may be null

  // State of the current attempt.
  int attempt = 0;
  SteadyClock::time_point not_before{};
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  std::unique_ptr<InputStream> upload_stream;
  std::uint64_t upload_size = 0;
  std::unique_ptr<ObjectStore::Writer> writer;
  bool range_sent = false;
  long status = 0;
  std::string etag;
  std::string body;                  // 2xx body (kGet, kPut, kPost)
  std::string error_body;            // first bytes of a non-2xx body: the server's reason
  std::optional<Error> local_error;  // a disk error while streaming: not retried
  char curl_error[CURL_ERROR_SIZE] = {};

  std::int64_t reported = 0;  // bytes of this attempt told to `progress`

  // The outcome.
  bool done = false;
  std::optional<Error> error;

  void report(std::int64_t bytes, std::uint64_t files) {
    reported += bytes;
    if (progress && *progress) (*progress)(bytes, files);
  }
  // The transfer starts over from zero: its bytes so far are taken back from the progress.
  void take_back() {
    if (reported != 0) report(-reported, 0);
  }

  const char* method() const {
    switch (kind) {
      case Kind::kHead:
        return "HEAD";
      case Kind::kPut:
        return "PUT";
      case Kind::kPost:
        return "POST";
      default:
        return "GET";
    }
  }
  bool success_status() const {
    return (status >= 200 && status < 300) || (status == 304 && !if_none_match.empty());
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self) {
    auto* job = static_cast<Job*>(self);
    std::string_view line(data, size * n);
    if (starts_with_nocase(line, "HTTP/")) {
      std::size_t sp = line.find(' ');
      job->status =
          sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
      job->etag.clear();
    } else if (starts_with_nocase(line, "etag:")) {
      job->etag = trim(line.substr(5));
    }
    return size * n;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self) {
    auto* job = static_cast<Job*>(self);
    std::size_t bytes = size * n;
    if (!(job->status >= 200 && job->status < 300)) {
      if (job->error_body.size() < 1000)
        job->error_body.append(data, std::min<std::size_t>(bytes, 1000 - job->error_body.size()));
      return bytes;
    }
    if (job->kind != Kind::kObject) {
      if (bytes > job->max_body - job->body.size()) {
        job->local_error = Error{ErrorCode::kCorruption,
                                 std::string(job->method()) + " " + job->url +
                                     ": the response is larger than the " +
                                     std::to_string(job->max_body) + " bytes accepted"};
        return 0;  // aborts the transfer; a local error is never retried
      }
      job->body.append(data, bytes);
      return bytes;
    }
    if (job->range_sent && job->status == 200) {
      // The server ignored the Range: start the object over.
      job->range_sent = false;
      job->writer.reset();
      job->take_back();
    }
    job->range_sent = job->range_sent && job->status == 206;
    if (!job->writer) {
      auto writer = job->download->store->begin_object();
      if (!writer) {
        job->local_error = writer.error();
        return 0;
      }
      job->writer = std::move(*writer);
      job->writer->set_limit(job->download->expected_size);
    }
    auto st = job->writer->write(data, bytes);
    if (!st) {
      job->local_error = st.error().code == ErrorCode::kCorruption
                             ? Error{st.error().code, job->download->what + ": " + job->url +
                                                          ": " + st.error().message}
                             : st.error();
      return 0;
    }
    job->report(static_cast<std::int64_t>(bytes), 0);
    return bytes;
  }

  static std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* self) {
    auto* job = static_cast<Job*>(self);
    auto got = job->upload_stream->read(buffer, size * n);
    if (!got) {
      job->local_error = got.error();
      return CURL_READFUNC_ABORT;
    }
    job->report(static_cast<std::int64_t>(*got), 0);
    return *got;
  }
};

namespace {

// The error for a finished request whose status is not a success.
Error status_error(const HttpClient::Job& job) {
  std::string message =
      std::string(job.method()) + " " + job.url + ": HTTP " + std::to_string(job.status);
  std::string reason = job.error_body.substr(0, job.error_body.find('\n'));
  reason = trim(reason);
  if (!reason.empty() && reason.find('<') == std::string::npos) message += ": " + reason;
  ErrorCode code = ErrorCode::kInvalidArgument;
  if (job.status == 404) {
    code = ErrorCode::kNotFound;
  } else if (job.status == 401 || job.status == 403) {
    message +=
        " (give a token: --token-file, REEL_TOKEN with REEL_TOKEN_URL, a token-file "
        "under ~/.config/reel/ or ~/.netrc; docs/http.md)";
  } else if (job.status == 409) {
    code = ErrorCode::kConflict;
  } else if (job.status >= 500 || job.status == 429) {
    code = ErrorCode::kNetwork;
    message += " (after " + std::to_string(job.attempt) + " attempts)";
  }
  return Error{code, message};
}

}  // namespace

HttpClient::HttpClient(FileSystem& fs, HttpOptions options)
    : fs_(fs), options_(std::move(options)) {
  global_init();
  shared_ = std::make_unique<Shared>();
}

HttpClient::~HttpClient() = default;

void HttpClient::run(std::vector<Job>& jobs, const TransferProgress* progress) {
  // The batch is shared by up to 4 worker threads, each with its own multi handle and its share
  // of max_parallel transfers: receiving, hashing and writing bodies then use several cores
  // (one thread hashing at ~1.6 GB/s was the limit on a fast link). Jobs wait in one queue; a
  // job belongs to the worker running it until it ends or goes back to the queue for a retry.
  std::mutex mutex;                // guards waiting, failure and multis
  std::deque<std::size_t> waiting;
  std::optional<Error> failure;    // the first request of the batch that failed for good
  std::vector<CURLM*> multis;      // to wake the workers when the batch fails
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].progress = progress;
    waiting.push_back(i);
  }
  auto fail = [&](const Error& e) {  // with `mutex` held
    if (failure) return;
    failure = e;
    for (CURLM* m : multis) curl_multi_wakeup(m);
  };

  auto start = [&](CURLM* multi, Job& job) {
    ++job.attempt;
    job.status = 0;
    job.etag.clear();
    job.body.clear();
    job.error_body.clear();
    job.curl_error[0] = '\0';
    CURL* easy = curl_easy_init();
    job.easy = easy;
    curl_easy_setopt(easy, CURLOPT_URL, job.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &job);
    curl_easy_setopt(easy, CURLOPT_SHARE, shared_->share);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // 256 KiB reads instead of 16 KiB: 16× fewer recv/poll/write calls on big objects.
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, options_.stall_seconds);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, job.curl_error);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Job::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &job);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Job::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &job);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // credentials never follow a redirect
    curl_slist* list = nullptr;
    if (!options_.token.empty()) {
      list = curl_slist_append(list, ("Authorization: Bearer " + options_.token).c_str());
    } else if (!options_.netrc_file.empty()) {  // Basic auth for the host's machine entry
      curl_easy_setopt(easy, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
      curl_easy_setopt(easy, CURLOPT_NETRC_FILE, options_.netrc_file.c_str());
    }
    if (!job.if_none_match.empty())
      list = curl_slist_append(list, ("If-None-Match: " + job.if_none_match).c_str());
    for (const auto& h : job.headers)
      list = curl_slist_append(list, (h.first + ": " + h.second).c_str());
    switch (job.kind) {
      case Job::Kind::kHead:
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        break;
      case Job::Kind::kObject:
        job.range_sent = false;
        if (job.writer && job.writer->size() > 0) {
          std::string range = std::to_string(job.writer->size()) + "-";
          curl_easy_setopt(easy, CURLOPT_RANGE, range.c_str());  // curl copies the string
          job.range_sent = true;
        } else {
          job.writer.reset();
          job.take_back();
        }
        break;
      case Job::Kind::kPut:
        list = curl_slist_append(list, "Content-Type: application/octet-stream");
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Job::on_read);
        curl_easy_setopt(easy, CURLOPT_READDATA, &job);
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(job.upload_size));
        break;
      case Job::Kind::kPost:
        list = curl_slist_append(list, "Content-Type: application/octet-stream");
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS,
                         job.post_body.empty() ? "" : job.post_body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(job.post_body.size()));
        break;
      case Job::Kind::kGet:
        break;
    }
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    job.header_list = list;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl_multi_add_handle(multi, easy);
  };

  // Opens the upload file for a PUT attempt; false (job done with an error) if it cannot.
  auto open_upload = [&](Job& job) {
    if (job.kind != Job::Kind::kPut) return true;
    job.take_back();  // a retried upload sends the file from its start
    auto st = fs_.stat(job.upload->path);
    auto in = fs_.open_read(job.upload->path);
    if (!st || !in) {
      job.done = true;
      job.error = !st ? st.error() : in.error();
      std::lock_guard<std::mutex> hold(mutex);
      fail(*job.error);
      return false;
    }
    job.upload_size = st->size;
    job.upload_stream = std::move(*in);
    return true;
  };

  // Settles a transfer that curl ended: done, or back in the queue for a retry.
  auto finish = [&](Job& job, CURLcode code) {
    job.upload_stream.reset();
    auto try_again = [&] {
      job.not_before = SteadyClock::now() + options_.first_backoff * (1 << (job.attempt - 1));
      std::lock_guard<std::mutex> hold(mutex);
      waiting.push_back(static_cast<std::size_t>(&job - jobs.data()));
    };
    auto done = [&] {
      job.done = true;
      bool counts = job.error && !(job.kind == Job::Kind::kHead && job.status == 404);
      if (counts) {
        std::lock_guard<std::mutex> hold(mutex);
        fail(*job.error);
      }
      if (!job.error && (job.kind == Job::Kind::kObject || job.kind == Job::Kind::kPut))
        job.report(0, 1);
    };
    if (job.local_error) {
      job.error = job.local_error;
      return done();
    }
    bool retry =
        code != CURLE_OK ? retryable_curl_code(code) : job.status >= 500 || job.status == 429;
    if (retry && job.attempt <= options_.retries) return try_again();
    if (code != CURLE_OK) {
      std::string why = job.curl_error[0] ? job.curl_error : curl_easy_strerror(code);
      if (code == CURLE_PEER_FAILED_VERIFICATION) {  // the server's certificate is not trusted
        why += " (a studio CA? give its PEM file with --ca-file, REEL_CA_FILE or the repo's "
               "ca-file)";
      }
      job.error =
          Error{ErrorCode::kNetwork, std::string(job.method()) + " " + job.url + ": " + why +
                                         " (after " + std::to_string(job.attempt) + " attempts)"};
      return done();
    }
    if (!job.success_status()) {
      job.error = status_error(job);
      return done();
    }
    if (job.kind == Job::Kind::kObject) {
      // Verify and install now (one temp file open a running transfer, not one an object).
      if (!job.writer) {  // an empty object: no body callback ran
        auto writer = job.download->store->begin_object();
        if (!writer) {
          job.error = writer.error();
          return done();
        }
        job.writer = std::move(*writer);
      }
      auto st = job.writer->finish(job.download->expected, job.download->what);
      job.writer.reset();
      if (!st && st.error().code == ErrorCode::kCorruption && job.attempt <= options_.retries) {
        job.take_back();  // damaged in flight: fetched again from zero
        return try_again();
      }
      if (!st) job.error = st.error();
    }
    done();
  };

  auto cancelled = [&](Job& job, const Error& why) {
    job.done = true;
    job.error = Error{ErrorCode::kCancelled,
                      std::string(job.method()) + " " + job.url + ": stopped: " + why.message};
  };

  const auto max_parallel = static_cast<std::size_t>(std::max(1, options_.max_parallel));
  const std::size_t workers = std::clamp<std::size_t>(
      std::min<std::size_t>(jobs.size(), std::thread::hardware_concurrency()), 1,
      std::min<std::size_t>(4, max_parallel));
  const std::size_t limit = (max_parallel + workers - 1) / workers;

  auto work = [&] {
    CURLM* multi = curl_multi_init();
    {
      std::lock_guard<std::mutex> hold(mutex);
      multis.push_back(multi);
    }
    std::vector<Job*> running;
    auto detach = [&](Job& job) {
      curl_multi_remove_handle(multi, job.easy);
      curl_easy_cleanup(job.easy);
      job.easy = nullptr;
      curl_slist_free_all(job.header_list);
      job.header_list = nullptr;
      running.erase(std::find(running.begin(), running.end(), &job));
    };
    for (;;) {
      auto now = SteadyClock::now();
      auto next_wake = now + std::chrono::milliseconds(1000);
      std::vector<Job*> starting;
      std::optional<Error> stop;
      {
        std::lock_guard<std::mutex> hold(mutex);
        if (failure) {
          // After a failure for good, the rest of the batch ends as kCancelled: a dead or
          // refusing server costs one request's retries, not every request's.
          stop = failure;
          for (std::size_t i : waiting) cancelled(jobs[i], *failure);
          waiting.clear();
        }
        for (std::size_t k = waiting.size(); k > 0 && running.size() + starting.size() < limit;
             --k) {
          std::size_t i = waiting.front();
          waiting.pop_front();
          if (jobs[i].not_before > now) {
            next_wake = std::min(next_wake, jobs[i].not_before);
            waiting.push_back(i);
            continue;
          }
          starting.push_back(&jobs[i]);
        }
        for (std::size_t i : waiting)  // due ones wait for a transfer of ours to end (poll wakes)
          if (jobs[i].not_before > now) next_wake = std::min(next_wake, jobs[i].not_before);
        if (running.empty() && starting.empty() && waiting.empty()) break;
      }
      if (stop) {
        while (!running.empty()) {
          Job& job = *running.back();
          detach(job);
          job.upload_stream.reset();
          job.writer.reset();  // its temp file goes with it
          job.take_back();
          cancelled(job, *stop);
        }
        continue;
      }
      for (Job* job : starting) {
        if (!open_upload(*job)) continue;
        start(multi, *job);
        running.push_back(job);
      }
      int still = 0;
      curl_multi_perform(multi, &still);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        void* job = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &job);
        CURLcode code = msg->data.result;
        detach(*static_cast<Job*>(job));
        finish(*static_cast<Job*>(job), code);
      }
      if (running.empty()) {  // all ours ended: next round at once if anything is due
        std::lock_guard<std::mutex> hold(mutex);
        auto now2 = SteadyClock::now();
        bool due = failure.has_value();
        for (std::size_t i : waiting) {
          due = due || jobs[i].not_before <= now2;
          next_wake = std::min(next_wake, jobs[i].not_before);  // a retry just queued
        }
        if (waiting.empty() || due) continue;
      }
      // Sleep until a transfer moves, a retry is due or the batch fails (curl_multi_wakeup).
      auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_wake - SteadyClock::now());
      int timeout = static_cast<int>(std::clamp<long long>(wait.count(), 0, 1000));
      curl_multi_poll(multi, nullptr, 0, timeout, nullptr);
    }
    {
      std::lock_guard<std::mutex> hold(mutex);
      multis.erase(std::find(multis.begin(), multis.end(), multi));
    }
    curl_multi_cleanup(multi);
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < workers; ++t) helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
}

Result<HttpResponse> HttpClient::get(const std::string& url, const std::string& if_none_match,
                                     std::uint64_t max_bytes) {
  std::vector<Job> jobs(1);
  jobs[0].kind = Job::Kind::kGet;
  jobs[0].url = url;
  jobs[0].if_none_match = if_none_match;
  jobs[0].max_body = max_bytes;
  run(jobs);
  if (jobs[0].error) return tl::unexpected(*jobs[0].error);
  return HttpResponse{jobs[0].status, std::move(jobs[0].body), std::move(jobs[0].etag)};
}

std::vector<Result<long>> HttpClient::head_many(const std::vector<std::string>& urls) {
  std::vector<Job> jobs(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    jobs[i].kind = Job::Kind::kHead;
    jobs[i].url = urls[i];
  }
  run(jobs);
  std::vector<Result<long>> out;
  for (auto& job : jobs) {
    if (job.error && job.error->code == ErrorCode::kNotFound)
      out.push_back(404L);
    else if (job.error)
      out.push_back(tl::unexpected(*job.error));
    else
      out.push_back(job.status);
  }
  return out;
}

Result<long> HttpClient::head(const std::string& url) { return head_many({url})[0]; }

std::vector<Status> HttpClient::get_objects(const std::vector<ObjectDownload>& downloads,
                                            const TransferProgress& progress) {
  std::vector<Job> jobs(downloads.size());
  for (std::size_t i = 0; i < downloads.size(); ++i) {
    jobs[i].kind = Job::Kind::kObject;
    jobs[i].url = downloads[i].url;
    jobs[i].download = &downloads[i];
  }
  run(jobs, &progress);  // each object is verified and installed as its transfer ends
  std::vector<Status> out;
  for (auto& job : jobs) {
    if (job.error)
      out.push_back(tl::unexpected(*job.error));
    else
      out.push_back(ok());
  }
  return out;
}

std::vector<Result<HttpResponse>> HttpClient::put_files(const std::vector<FileUpload>& uploads,
                                                        const TransferProgress& progress) {
  std::vector<Job> jobs(uploads.size());
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    jobs[i].kind = Job::Kind::kPut;
    jobs[i].url = uploads[i].url;
    jobs[i].upload = &uploads[i];
  }
  run(jobs, &progress);
  std::vector<Result<HttpResponse>> out;
  for (auto& job : jobs) {
    if (job.error)
      out.push_back(tl::unexpected(*job.error));
    else
      out.push_back(HttpResponse{job.status, std::move(job.body), std::move(job.etag)});
  }
  return out;
}

Result<HttpResponse> HttpClient::post(const std::string& url, std::string_view body,
                                      const HttpHeaders& headers) {
  std::vector<Job> jobs(1);
  jobs[0].kind = Job::Kind::kPost;
  jobs[0].url = url;
  jobs[0].post_body = body;
  jobs[0].headers = headers;
  run(jobs);
  if (jobs[0].error) return tl::unexpected(*jobs[0].error);
  return HttpResponse{jobs[0].status, std::move(jobs[0].body), std::move(jobs[0].etag)};
}

}  // namespace reel
