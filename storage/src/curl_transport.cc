// The libcurl transport (http_transport.h): one easy handle an attempt, one multi handle a lane;
// every handle shares one connection cache, DNS cache and TLS sessions (CURLSH), so keep-alive
// connections outlive a call and serve every lane.
#include <curl/curl.h>

#include <array>
#include <map>
#include <mutex>

#include "reel/storage/http_transport.h"

namespace reel {

const char* http_method_name(HttpMethod method) {
  switch (method) {
    case HttpMethod::kHead:
      return "HEAD";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kPost:
      return "POST";
    default:
      return "GET";
  }
}

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
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

struct Share {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

  Share() {
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Share::lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Share::unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~Share() { curl_share_cleanup(share); }
  Share(const Share&) = delete;
  Share& operator=(const Share&) = delete;

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Share*>(self)->locks[static_cast<std::size_t>(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Share*>(self)->locks[static_cast<std::size_t>(data)].unlock();
  }
};

// One running attempt's curl state.
struct Easy {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self) {
  auto* sink = static_cast<HttpAttempt*>(self)->sink;
  std::string_view line(data, size * n);
  if (line.size() >= 5 && (line.substr(0, 5) == "HTTP/" || line.substr(0, 5) == "http/")) {
    std::size_t sp = line.find(' ');
    long status =
        sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    sink->on_status(status);
  } else {
    sink->on_header(line);
  }
  return size * n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self) {
  auto* sink = static_cast<HttpAttempt*>(self)->sink;
  return sink->on_body(data, size * n) ? size * n : 0;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* self) {
  auto* sink = static_cast<HttpAttempt*>(self)->sink;
  auto got = sink->on_read(buffer, size * n);
  return got ? *got : CURL_READFUNC_ABORT;
}

class CurlLane : public HttpLane {
 public:
  CurlLane(const CurlTransportOptions& options, Share& share)
      : options_(options), share_(share), multi_(curl_multi_init()) {}
  ~CurlLane() override {
    while (!running_.empty()) abort(*running_.begin()->first);
    curl_multi_cleanup(multi_);
  }

  void start(HttpAttempt& a) override {
    Easy& e = running_[&a];
    CURL* easy = curl_easy_init();
    e.easy = easy;
    curl_easy_setopt(easy, CURLOPT_URL, a.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &a);
    curl_easy_setopt(easy, CURLOPT_SHARE, share_.share);
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
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, e.error);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // credentials never follow a redirect
    if (a.use_netrc && !options_.netrc_file.empty()) {   // Basic auth for the host's machine entry
      curl_easy_setopt(easy, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
      curl_easy_setopt(easy, CURLOPT_NETRC_FILE, options_.netrc_file.c_str());
    }
    curl_slist* list = nullptr;
    for (const auto& h : a.headers) list = curl_slist_append(list, h.c_str());
    if (a.range_from) {
      std::string range = std::to_string(*a.range_from) + "-";
      curl_easy_setopt(easy, CURLOPT_RANGE, range.c_str());  // curl copies the string
    }
    switch (a.method) {
      case HttpMethod::kHead:
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        break;
      case HttpMethod::kPut:
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &on_read);
        curl_easy_setopt(easy, CURLOPT_READDATA, &a);
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(a.upload_size));
        break;
      case HttpMethod::kPost:
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, a.post_body.empty() ? "" : a.post_body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(a.post_body.size()));
        break;
      case HttpMethod::kGet:
        break;
    }
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    e.headers = list;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl_multi_add_handle(multi_, easy);
  }

  void abort(HttpAttempt& a) override {
    auto it = running_.find(&a);
    if (it == running_.end()) return;
    release(it->second);
    running_.erase(it);
  }

  std::vector<HttpAttemptEnd> wait(std::chrono::milliseconds timeout) override {
    std::vector<HttpAttemptEnd> out;
    int still = 0;
    curl_multi_perform(multi_, &still);
    collect(out);
    if (!out.empty()) return out;
    curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeout.count()), nullptr);
    curl_multi_perform(multi_, &still);
    collect(out);
    return out;
  }

  void wake() override { curl_multi_wakeup(multi_); }

 private:
  void collect(std::vector<HttpAttemptEnd>& out) {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      void* p = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
      auto* a = static_cast<HttpAttempt*>(p);
      CURLcode code = msg->data.result;
      auto it = running_.find(a);
      HttpAttemptEnd end;
      end.attempt = a;
      end.completed = code == CURLE_OK;
      if (!end.completed) {
        end.retryable = retryable_curl_code(code);
        end.error = it->second.error[0] ? it->second.error : curl_easy_strerror(code);
        if (code == CURLE_PEER_FAILED_VERIFICATION) {  // the server's certificate is not trusted
          end.error +=
              " (a studio CA? give its PEM file with --ca-file, REEL_CA_FILE or the repo's "
              "ca-file)";
        }
      }
      release(it->second);
      running_.erase(it);
      out.push_back(std::move(end));
    }
  }

  void release(Easy& e) {
    curl_multi_remove_handle(multi_, e.easy);
    curl_easy_cleanup(e.easy);
    curl_slist_free_all(e.headers);
  }

  const CurlTransportOptions& options_;
  Share& share_;
  CURLM* multi_;
  std::map<HttpAttempt*, Easy> running_;
};

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
    global_init();
    share_ = std::make_unique<Share>();
  }
  std::unique_ptr<HttpLane> open_lane() override {
    return std::make_unique<CurlLane>(options_, *share_);
  }

 private:
  CurlTransportOptions options_;
  std::unique_ptr<Share> share_;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(const CurlTransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace reel
