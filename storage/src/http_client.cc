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
  HttpHeaders headers;
  const FileUpload* upload = nullptr;
  const ObjectDownload* download = nullptr;

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

  // The outcome.
  bool done = false;
  std::optional<Error> error;

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
      job->body.append(data, bytes);
      return bytes;
    }
    if (job->range_sent && job->status == 200) {
      // The server ignored the Range: start the object over.
      job->range_sent = false;
      job->writer.reset();
    }
    job->range_sent = job->range_sent && job->status == 206;
    if (!job->writer) {
      auto writer = job->download->store->begin_object();
      if (!writer) {
        job->local_error = writer.error();
        return 0;
      }
      job->writer = std::move(*writer);
    }
    auto st = job->writer->write(data, bytes);
    if (!st) {
      job->local_error = st.error();
      return 0;
    }
    return bytes;
  }

  static std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* self) {
    auto* job = static_cast<Job*>(self);
    auto got = job->upload_stream->read(buffer, size * n);
    if (!got) {
      job->local_error = got.error();
      return CURL_READFUNC_ABORT;
    }
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
    message += " (set REEL_TOKEN or the repo's token-file)";
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

void HttpClient::run(std::vector<Job>& jobs) {
  CURLM* multi = curl_multi_init();
  std::deque<std::size_t> waiting;
  for (std::size_t i = 0; i < jobs.size(); ++i) waiting.push_back(i);
  std::size_t active = 0;

  auto start = [&](Job& job) {
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
    curl_slist* list = nullptr;
    if (!options_.token.empty())
      list = curl_slist_append(list, ("Authorization: Bearer " + options_.token).c_str());
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
    ++active;
  };

  // Opens the upload file for a PUT attempt; false (job done with an error) if it cannot.
  auto open_upload = [&](Job& job) {
    if (job.kind != Job::Kind::kPut) return true;
    auto st = fs_.stat(job.upload->path);
    auto in = fs_.open_read(job.upload->path);
    if (!st || !in) {
      job.done = true;
      job.error = !st ? st.error() : in.error();
      return false;
    }
    job.upload_size = st->size;
    job.upload_stream = std::move(*in);
    return true;
  };

  auto finish = [&](Job& job, CURLcode code) {
    curl_multi_remove_handle(multi, job.easy);
    curl_easy_cleanup(job.easy);
    job.easy = nullptr;
    curl_slist_free_all(job.header_list);
    job.header_list = nullptr;
    job.upload_stream.reset();
    --active;
    if (job.local_error) {
      job.done = true;
      job.error = job.local_error;
      return;
    }
    bool retry =
        code != CURLE_OK ? retryable_curl_code(code) : job.status >= 500 || job.status == 429;
    if (retry && job.attempt <= options_.retries) {
      job.not_before = SteadyClock::now() + options_.first_backoff * (1 << (job.attempt - 1));
      waiting.push_back(static_cast<std::size_t>(&job - jobs.data()));
      return;
    }
    job.done = true;
    if (code != CURLE_OK) {
      std::string why = job.curl_error[0] ? job.curl_error : curl_easy_strerror(code);
      job.error =
          Error{ErrorCode::kNetwork, std::string(job.method()) + " " + job.url + ": " + why +
                                         " (after " + std::to_string(job.attempt) + " attempts)"};
    } else if (!job.success_status()) {
      job.error = status_error(job);
    }
  };

  for (;;) {
    auto now = SteadyClock::now();
    auto next_wake = now + std::chrono::milliseconds(1000);
    const auto max_active = static_cast<std::size_t>(std::max(1, options_.max_parallel));
    for (std::size_t k = waiting.size(); k > 0 && active < max_active; --k) {
      std::size_t i = waiting.front();
      waiting.pop_front();
      if (jobs[i].not_before > now) {
        next_wake = std::min(next_wake, jobs[i].not_before);
        waiting.push_back(i);
        continue;
      }
      if (open_upload(jobs[i])) start(jobs[i]);
    }
    if (active == 0 && waiting.empty()) break;
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      void* job = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &job);
      finish(*static_cast<Job*>(job), msg->data.result);
    }
    if (active == 0 && waiting.empty()) break;
    // Wake for the next retry due; jobs already due wait for a transfer to end (poll wakes).
    auto now2 = SteadyClock::now();
    for (std::size_t i : waiting)
      if (jobs[i].not_before > now2 || active == 0)
        next_wake = std::min(next_wake, jobs[i].not_before);
    auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_wake - SteadyClock::now());
    int timeout = static_cast<int>(std::clamp<long long>(wait.count(), 0, 1000));
    curl_multi_poll(multi, nullptr, 0, timeout, nullptr);
  }
  curl_multi_cleanup(multi);
}

Result<HttpResponse> HttpClient::get(const std::string& url, const std::string& if_none_match) {
  std::vector<Job> jobs(1);
  jobs[0].kind = Job::Kind::kGet;
  jobs[0].url = url;
  jobs[0].if_none_match = if_none_match;
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

std::vector<Status> HttpClient::get_objects(const std::vector<ObjectDownload>& downloads) {
  std::vector<Job> jobs(downloads.size());
  for (std::size_t i = 0; i < downloads.size(); ++i) {
    jobs[i].kind = Job::Kind::kObject;
    jobs[i].url = downloads[i].url;
    jobs[i].download = &downloads[i];
  }
  run(jobs);
  std::vector<Status> out;
  for (auto& job : jobs) {
    if (job.error) {
      out.push_back(tl::unexpected(*job.error));
      continue;
    }
    if (!job.writer) {  // an empty object: no body callback ran
      auto writer = job.download->store->begin_object();
      if (!writer) {
        out.push_back(tl::unexpected(writer.error()));
        continue;
      }
      job.writer = std::move(*writer);
    }
    out.push_back(job.writer->finish(job.download->expected, job.download->what));
    job.writer.reset();
  }
  return out;
}

std::vector<Result<HttpResponse>> HttpClient::put_files(const std::vector<FileUpload>& uploads) {
  std::vector<Job> jobs(uploads.size());
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    jobs[i].kind = Job::Kind::kPut;
    jobs[i].url = uploads[i].url;
    jobs[i].upload = &uploads[i];
  }
  run(jobs);
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
