// The HTTP transport seam (STYLE "Seams"): what HttpClient's scheduler needs from the network, so
// that the scheduler, its retries and its request setup can be tested over a fake (as FileSystem
// is for the disk). The real one is libcurl's multi interface (make_curl_transport); no curl type
// appears here.
//
// Shape: a transport opens lanes; a lane runs attempts at once on one thread (curl: a multi
// handle) and reports each attempt's end. An attempt is one try of one request; the response's
// status, headers and body go to the attempt's sink as they arrive, and the sink gives upload
// bytes. Retries, backoff, bounds and status rules are the caller's (http_client.cc), not the
// transport's.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reel {

enum class HttpMethod { kGet, kHead, kPut, kPost };

// "GET", "HEAD", "PUT", "POST".
const char* http_method_name(HttpMethod method);

// Receives one attempt's response and gives its upload bytes; called on the lane's thread while
// the attempt runs (never after the lane reported its end or it was aborted).
class HttpTransferSink {
 public:
  virtual ~HttpTransferSink() = default;
  // A response head began with this status (an interim 1xx may come first: a later call replaces
  // it, and the headers heard so far are forgotten).
  virtual void on_status(long status) = 0;
  // One header line of the response as sent ("ETag: \"abc\"\r\n" included its CRLF).
  virtual void on_header(std::string_view line) = 0;
  // Body bytes as they arrive; false aborts the attempt (the sink keeps why).
  virtual bool on_body(const char* data, std::size_t size) = 0;
  // Up to `size` bytes of a PUT's body into `buffer`: the count, 0 at its end, nullopt to abort.
  virtual std::optional<std::size_t> on_read(char* buffer, std::size_t size) = 0;
};

// One attempt of one request. The caller owns it and keeps it alive and unchanged from
// HttpLane::start until the lane reports its end or the caller aborts it.
struct HttpAttempt {
  HttpMethod method = HttpMethod::kGet;
  std::string url;
  std::vector<std::string> headers;         // "Name: value" lines, sent as given
  std::optional<std::uint64_t> range_from;  // `Range: bytes=N-` (a resumed download)
  std::string_view post_body;               // kPost: the body
  std::uint64_t upload_size = 0;            // kPut: the bytes on_read gives, in all
  bool use_netrc = false;                   // Basic credentials from the transport's netrc file
  HttpTransferSink* sink = nullptr;
};

// How an attempt ended at the transport level (a response of any status is `completed`).
struct HttpAttemptEnd {
  HttpAttempt* attempt = nullptr;
  bool completed = false;  // a whole response arrived (its status went to the sink)
  bool retryable = false;  // not completed, worth another try: connect, stall, cut, reset
  std::string error;       // not completed: what went wrong, for a person ("Connection refused")
};

// Attempts running at once on one thread.
class HttpLane {
 public:
  virtual ~HttpLane() = default;
  // Starts an attempt (it makes progress inside wait()).
  virtual void start(HttpAttempt& attempt) = 0;
  // Stops a started attempt that has not been reported as ended; it is not reported.
  virtual void abort(HttpAttempt& attempt) = 0;
  // Moves the running attempts on, waiting up to `timeout` for one to progress or for wake();
  // returns the attempts that ended meanwhile (each exactly once).
  virtual std::vector<HttpAttemptEnd> wait(std::chrono::milliseconds timeout) = 0;
  // Makes a wait() in progress on another thread return soon. Thread-safe.
  virtual void wake() = 0;
};

// Opens lanes; thread-safe. Connections may be shared between a transport's lanes.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual std::unique_ptr<HttpLane> open_lane() = 0;
};

// What the libcurl transport does on every attempt.
struct CurlTransportOptions {
  std::filesystem::path ca_file;     // PEM bundle of a studio CA; empty: the system's CAs
  std::filesystem::path netrc_file;  // read for attempts with use_netrc (optional entries)
  long connect_timeout_seconds = 10;
  long stall_seconds = 30;  // an attempt moving under 1 byte/s this long ends, retryable
};

// The libcurl transport: HTTP/1.1, TLS verified (chain and host name), redirects never followed
// (a 3xx is a completed response), keep-alive connections, DNS and TLS sessions shared by every
// lane, 256 KiB reads, no `Expect: 100-continue`. A lane is a curl multi handle.
std::unique_ptr<HttpTransport> make_curl_transport(const CurlTransportOptions& options);

}  // namespace reel
