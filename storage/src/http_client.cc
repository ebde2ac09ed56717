// HttpClient: request setup and settling (this file), over the transfer scheduler
// (http_scheduler.h), the retry and status policy (http_policy.h) and an HttpTransport
// (http_transport.h: libcurl's by default). Every call builds Jobs and runs them as one batch.
#include "reel/storage/http_client.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "http_policy.h"
#include "http_scheduler.h"

namespace reel {
namespace {

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

}  // namespace

// One request and its state: the scheduler's Transfer and the transport's sink.
struct HttpClient::Job : Transfer, HttpTransferSink {
  // The request.
  HttpMethod method = HttpMethod::kGet;
  bool object = false;  // a GET streamed into download->store
  std::string url;
  std::string if_none_match;
  std::string_view post_body;
  std::uint64_t max_body = HttpClient::kDefaultMaxBody;  // in-memory bodies: bytes kept
  bool not_found_is_answer = false;  // a 404 does not stop the batch (HEADs, get_many)
  HttpHeaders headers;
  const FileUpload* upload = nullptr;
  const ObjectDownload* download = nullptr;
  const TransferProgress* progress = nullptr;  // may be null
  const HttpOptions* options = nullptr;
  FileSystem* fs = nullptr;

  // State of the current attempt.
  int attempts = 0;
  std::unique_ptr<InputStream> upload_stream;
  std::unique_ptr<ObjectStore::Writer> writer;
  bool range_sent = false;
  long status = 0;
  std::string etag;
  std::string body;                  // 2xx body (in-memory requests)
  std::string error_body;            // first bytes of a non-2xx body: the server's reason
  std::optional<Error> local_error;  // a disk error or a bound while streaming: not retried
  std::int64_t reported = 0;         // bytes of this attempt told to `progress`
  std::uint64_t received = 0;        // body bytes of this attempt (for the -vv line)
  std::chrono::steady_clock::time_point started;  // this attempt's start

  // The outcome.
  std::optional<Error> error;

  const char* method_name() const { return http_method_name(method); }

  void report(std::int64_t bytes, std::uint64_t files) {
    reported += bytes;
    if (progress && *progress) (*progress)(bytes, files);
  }
  // The transfer starts over from zero: its bytes so far are taken back from the progress.
  void take_back() {
    if (reported != 0) report(-reported, 0);
  }

  // --- Transfer: request setup for each attempt, and settling.
  bool begin() override {
    ++attempts;
    status = 0;
    received = 0;
    started = std::chrono::steady_clock::now();
    etag.clear();
    body.clear();
    error_body.clear();
    attempt = HttpAttempt{};
    attempt.method = method;
    attempt.url = url;
    attempt.sink = this;
    if (!options->token.empty())
      attempt.headers.push_back("Authorization: Bearer " + options->token);
    else
      attempt.use_netrc = !options->netrc_file.empty();
    if (!if_none_match.empty()) attempt.headers.push_back("If-None-Match: " + if_none_match);
    for (const auto& h : headers) attempt.headers.push_back(h.first + ": " + h.second);
    if (method == HttpMethod::kPut || method == HttpMethod::kPost)
      attempt.headers.push_back("Content-Type: application/octet-stream");
    if (method == HttpMethod::kPost) attempt.post_body = post_body;
    if (object) {
      range_sent = false;
      if (writer && writer->size() > 0) {  // a cut download resumes where it stopped
        attempt.range_from = writer->size();
        range_sent = true;
      } else {
        writer.reset();
        take_back();
      }
    }
    if (method == HttpMethod::kPut) {
      take_back();  // a retried upload sends the file from its start
      auto st = fs->stat(upload->path);
      auto in = fs->open_read(upload->path);
      if (!st || !in) {
        error = !st ? st.error() : in.error();
        return false;
      }
      attempt.upload_size = st->size;
      upload_stream = std::move(*in);
    }
    return true;
  }

  // The -vv line and the counters for an attempt that ended (storage/detail.h).
  void tell_detail(const HttpAttemptEnd& end) const {
    DetailSink* sink = options->detail;
    if (sink == nullptr) return;
    count(sink->counters().http_requests);
    count(sink->counters().http_bytes, received);
    if (!sink->detail_on(2)) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    std::string line = std::string(method_name()) + " " + url + ": ";
    line += end.completed ? std::to_string(status) : "failed (" + end.error + ")";
    line += ", " + std::to_string(received) + " B, " + std::to_string(ms) + " ms";
    if (attempts > 1) line += " (attempt " + std::to_string(attempts) + ")";
    sink->detail(2, line);
  }

  Next end(const HttpAttemptEnd& end, std::chrono::milliseconds& retry_after) override {
    tell_detail(end);
    upload_stream.reset();
    if (local_error) {
      error = local_error;
      return Next::kDone;
    }
    AttemptOutcome outcome{end.completed,          end.retryable, status,
                           !if_none_match.empty(), attempts,      options->retries};
    switch (judge(outcome)) {
      case Verdict::kRetry:
        retry_after = backoff(options->first_backoff, attempts);
        return Next::kRetry;
      case Verdict::kFail:
        error = end.completed ? status_error(method_name(), url, status, error_body, attempts)
                              : transport_error(method_name(), url, end.error, attempts);
        return Next::kDone;
      case Verdict::kSuccess:
        break;
    }
    if (object) {
      // Verify and install now (one temp file open a running transfer, not one an object).
      if (!writer) {  // an empty object: no body callback ran
        auto w = download->store->begin_object(download->expected);
        if (!w) {
          error = w.error();
          return Next::kDone;
        }
        writer = std::move(*w);
      }
      auto st = writer->finish(download->expected, download->what);
      writer.reset();
      if (!st && st.error().code == ErrorCode::kCorruption && attempts <= options->retries) {
        take_back();  // damaged in flight: fetched again from zero
        retry_after = backoff(options->first_backoff, attempts);
        return Next::kRetry;
      }
      if (!st) {
        error = st.error();
        return Next::kDone;
      }
    }
    if (object || method == HttpMethod::kPut) report(0, 1);
    return Next::kDone;
  }

  void cancel(const Error& why) override {
    upload_stream.reset();
    writer.reset();  // its temp file goes with it
    take_back();
    error = Error{ErrorCode::kCancelled,
                  std::string(method_name()) + " " + url + ": stopped: " + why.message};
  }

  const Error* failure() const override {
    if (!error || (not_found_is_answer && status == 404)) return nullptr;
    return &*error;
  }

  // --- HttpTransferSink: the response as it arrives.
  void on_status(long s) override {
    status = s;
    etag.clear();
  }

  void on_header(std::string_view line) override {
    if (starts_with_nocase(line, "etag:")) etag = trim(line.substr(5));
  }

  bool on_body(const char* data, std::size_t bytes) override {
    received += bytes;
    if (!(status >= 200 && status < 300)) {
      if (error_body.size() < 1000)
        error_body.append(data, std::min<std::size_t>(bytes, 1000 - error_body.size()));
      return true;
    }
    if (!object) {
      if (bytes > max_body - body.size()) {
        local_error =
            Error{ErrorCode::kCorruption, std::string(method_name()) + " " + url +
                                              ": the response is larger than the " +
                                              std::to_string(max_body) + " bytes accepted"};
        return false;  // aborts the transfer; a local error is never retried
      }
      body.append(data, bytes);
      return true;
    }
    if (range_sent && status == 200) {
      // The server ignored the Range: start the object over.
      range_sent = false;
      writer.reset();
      take_back();
    }
    range_sent = range_sent && status == 206;
    if (!writer) {
      auto w = download->store->begin_object(download->expected);
      if (!w) {
        local_error = w.error();
        return false;
      }
      writer = std::move(*w);
      writer->set_limit(download->expected_size);
    }
    auto st = writer->write(data, bytes);
    if (!st) {
      local_error =
          st.error().code == ErrorCode::kCorruption
              ? Error{st.error().code, download->what + ": " + url + ": " + st.error().message}
              : st.error();
      return false;
    }
    report(static_cast<std::int64_t>(bytes), 0);
    return true;
  }

  std::optional<std::size_t> on_read(char* buffer, std::size_t size) override {
    auto got = upload_stream->read(buffer, size);
    if (!got) {
      local_error = got.error();
      return std::nullopt;
    }
    report(static_cast<std::int64_t>(*got), 0);
    return *got;
  }
};

namespace {

CurlTransportOptions curl_options(const HttpOptions& o) {
  CurlTransportOptions out;
  out.ca_file = o.ca_file;
  out.netrc_file = o.netrc_file;
  out.connect_timeout_seconds = o.connect_timeout_seconds;
  out.stall_seconds = o.stall_seconds;
  return out;
}

}  // namespace

HttpClient::HttpClient(FileSystem& fs, HttpOptions options)
    : fs_(fs), options_(std::move(options)) {
  owned_transport_ = make_curl_transport(curl_options(options_));
  transport_ = owned_transport_.get();
}

HttpClient::HttpClient(FileSystem& fs, HttpOptions options, HttpTransport& transport)
    : fs_(fs), options_(std::move(options)), transport_(&transport) {}

HttpClient::~HttpClient() = default;

void HttpClient::run(std::vector<Job>& jobs, const TransferProgress* progress) {
  std::vector<Transfer*> transfers;
  for (auto& job : jobs) {
    job.progress = progress;
    job.options = &options_;
    job.fs = &fs_;
    transfers.push_back(&job);
  }
  run_transfers(*transport_, transfers, options_.max_parallel);
}

Result<HttpResponse> HttpClient::get(const std::string& url, const std::string& if_none_match,
                                     std::uint64_t max_bytes) {
  auto out = get_many({GetRequest{url, if_none_match, max_bytes}});
  return std::move(out[0]);
}

std::vector<Result<HttpResponse>> HttpClient::get_many(const std::vector<GetRequest>& requests) {
  std::vector<Job> jobs(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    jobs[i].method = HttpMethod::kGet;
    jobs[i].url = requests[i].url;
    jobs[i].if_none_match = requests[i].if_none_match;
    jobs[i].max_body = requests[i].max_bytes;
    jobs[i].not_found_is_answer = true;
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

std::vector<Result<long>> HttpClient::head_many(const std::vector<std::string>& urls) {
  std::vector<Job> jobs(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    jobs[i].method = HttpMethod::kHead;
    jobs[i].url = urls[i];
    jobs[i].not_found_is_answer = true;
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
    jobs[i].method = HttpMethod::kGet;
    jobs[i].object = true;
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
    jobs[i].method = HttpMethod::kPut;
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
  jobs[0].method = HttpMethod::kPost;
  jobs[0].url = url;
  jobs[0].post_body = body;
  jobs[0].headers = headers;
  run(jobs);
  if (jobs[0].error) return tl::unexpected(*jobs[0].error);
  return HttpResponse{jobs[0].status, std::move(jobs[0].body), std::move(jobs[0].etag)};
}

}  // namespace reel
