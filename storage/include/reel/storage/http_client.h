// An HTTP/1.1 client for HTTP repos (docs/http.md), over an HttpTransport (http_transport.h:
// libcurl's unless a test gives a fake).
//
// Every request: TLS verified (against `ca_file` when given, else the system's CAs), connect
// timeout 10 s, a transfer that moves under 1 byte/s for 30 s is dropped, and up to `retries`
// retries with exponential backoff (0.2 s, 0.4 s, ...) on 5xx, 429 and connection errors. A cut
// download into an object store resumes with `Range: bytes=<bytes so far>-` (a 200 reply starts
// the object over). Connections are kept alive in a cache shared by every call on one client;
// the many-URL calls run up to `max_parallel` transfers at once (curl's multi interface). A
// downloaded object is verified as soon as it ends; bytes that do not hash to its name are thrown
// away and fetched again from zero (the same retries), then kCorruption. In a many-URL call the
// first request that fails for good stops the batch: transfers still waiting or running end
// with kCancelled (what was finished stays finished), so a dead server costs one request's
// retries, not every request's.
//
// Redirects are never followed: a 3xx answer is an error, so no credential goes to a Location.
//
// Errors name the method, the URL and the HTTP status or curl's error text, never the token:
// 404 → kNotFound; 401/403 → kInvalidArgument (with a hint about REEL_TOKEN / token-file);
// 409 → kConflict; 5xx, 429 and transport failures (after the retries) → kNetwork; other 4xx →
// kInvalidArgument. The server's one-line reason (error body) is appended when it sent one.
//
// Thread-safe: calls may run concurrently on one client.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/storage/detail.h"
#include "reel/storage/digest.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"
#include "reel/storage/http_transport.h"
#include "reel/storage/object_store.h"
#include "reel/storage/progress.h"

namespace reel {

struct HttpOptions {
  std::string token;  // sent as `Authorization: Bearer <token>` when non-empty
  fs::path netrc_file;  // token empty: libcurl's netrc (optional) from this file; empty: off
  fs::path ca_file;   // PEM bundle of a studio CA; empty: the system's CAs
  long connect_timeout_seconds = 10;
  long stall_seconds = 30;                       // dropped when under 1 byte/s for this long
  int retries = 4;                               // extra attempts after the first
  std::chrono::milliseconds first_backoff{200};  // doubled after every retry
  int max_parallel = 8;                          // transfers at once in the many-URL calls
  DetailSink* detail = nullptr;  // -vv: one line an attempt ("GET URL: 200, 1.2 KiB, 3 ms"),
                                 // and the request and byte counters; null: none. Must outlive
                                 // the client.
};

struct HttpResponse {
  long status = 0;  // 2xx, or 304 for a conditional GET
  std::string body;
  std::string etag;  // the ETag header as sent (quotes included), "" if none
};

// One object to download into `store`: verified by ObjectStore::Writer::finish(expected, what).
// A body longer than `expected_size` is cut off at the bound with kCorruption and not retried.
struct ObjectDownload {
  std::string url;
  ObjectStore* store = nullptr;
  Digest expected;
  std::string what;  // names the object in errors ("repo 'blessed': sha256:...")
  std::uint64_t expected_size = UINT64_MAX;  // bytes, from files.json
};

// One GET into memory for get_many: as get(url, if_none_match, max_bytes).
struct GetRequest {
  std::string url;
  std::string if_none_match;  // sent as If-None-Match when non-empty; 304 is a success
  std::uint64_t max_bytes = std::uint64_t{1} << 20;  // bytes kept (HttpClient::kDefaultMaxBody)
};

// One file to upload with PUT, streamed from disk in constant memory.
struct FileUpload {
  std::string url;
  fs::path path;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  // `fs` (for uploads) must outlive the client. Requests go over libcurl (make_curl_transport
  // with the options' CA file, netrc file and timeouts).
  HttpClient(FileSystem& fs, HttpOptions options);
  // Requests go over `transport` (a test's fake), which must outlive the client; the options'
  // CA file, netrc file and timeouts are the transport's business, not the client's.
  HttpClient(FileSystem& fs, HttpOptions options, HttpTransport& transport);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The most bytes of a response body kept in memory unless a call says otherwise (PUT and POST
  // replies, and GETs without an explicit bound): 1 MiB.
  static constexpr std::uint64_t kDefaultMaxBody = std::uint64_t{1} << 20;

  // GET into memory. With `if_none_match` non-empty it is sent as If-None-Match and a 304 is a
  // success (empty body). Statuses of 400 and above are errors (see the file comment). A body
  // longer than `max_bytes` is cut off at the bound: kCorruption naming the URL, not retried.
  Result<HttpResponse> get(const std::string& url, const std::string& if_none_match = "",
                           std::uint64_t max_bytes = kDefaultMaxBody);
  // GETs in parallel (up to max_parallel at once, over the shared connections), one result a
  // request, in order, each as get() would answer it. A 404 is that request's kNotFound and does
  // not stop the batch (an index file a repo lacks is an answer); any other failure for good stops
  // it as get_objects' do (the rest end as kCancelled).
  std::vector<Result<HttpResponse>> get_many(const std::vector<GetRequest>& requests);
  // HEAD: the status (2xx, or 404 as a value); other statuses are errors.
  Result<long> head(const std::string& url);
  // HEADs in parallel, one result a URL, in order.
  std::vector<Result<long>> head_many(const std::vector<std::string>& urls);
  // Downloads objects in parallel, each streamed into its store and installed only on a digest
  // match (kCorruption otherwise, nothing stored). One status a download, in order; kCancelled
  // for those stopped by another's failure. `progress` hears of every body byte and finished
  // object.
  std::vector<Status> get_objects(const std::vector<ObjectDownload>& downloads,
                                  const TransferProgress& progress = {});
  // PUTs files in parallel (Content-Type: application/octet-stream), one result each, in order
  // (kCancelled as get_objects). `progress` hears of every byte sent and finished file.
  std::vector<Result<HttpResponse>> put_files(const std::vector<FileUpload>& uploads,
                                              const TransferProgress& progress = {});
  // POSTs `body` (Content-Type: application/octet-stream) with extra headers.
  Result<HttpResponse> post(const std::string& url, std::string_view body,
                            const HttpHeaders& headers = {});

  struct Job;  // one request and its state (http_client.cc)

 private:
  void run(std::vector<Job>& jobs, const TransferProgress* progress = nullptr);
  FileSystem& fs_;
  HttpOptions options_;
  std::unique_ptr<HttpTransport> owned_transport_;  // libcurl's, unless one was given
  HttpTransport* transport_ = nullptr;
};

}  // namespace reel
