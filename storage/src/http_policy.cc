// HttpClient's retry and status rules (http_policy.h).
#include "http_policy.h"

#include <cctype>

namespace reel {
namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

bool success_status(long status, bool conditional) {
  return (status >= 200 && status < 300) || (status == 304 && conditional);
}

Verdict judge(const AttemptOutcome& o) {
  if (o.completed && success_status(o.status, o.conditional)) return Verdict::kSuccess;
  bool retry = o.completed ? o.status >= 500 || o.status == 429 : o.retryable;
  return retry && o.attempt <= o.retries ? Verdict::kRetry : Verdict::kFail;
}

std::chrono::milliseconds backoff(std::chrono::milliseconds first, int attempt) {
  int doublings = attempt < 1 ? 0 : attempt - 1;
  if (doublings > 20) doublings = 20;  // never overflows, whatever a caller configures
  return first * (1LL << doublings);
}

Error status_error(std::string_view method, const std::string& url, long status,
                   std::string_view error_body, int attempts) {
  std::string message = std::string(method) + " " + url + ": HTTP " + std::to_string(status);
  std::string reason = trim(error_body.substr(0, error_body.find('\n')));
  if (!reason.empty() && reason.find('<') == std::string::npos) message += ": " + reason;
  ErrorCode code = ErrorCode::kInvalidArgument;
  if (status == 404) {
    code = ErrorCode::kNotFound;
  } else if (status == 401) {
    message +=
        " (give a token: --token-file, REEL_TOKEN with REEL_TOKEN_URL, a token-file "
        "under ~/.config/reel/ or ~/.netrc; docs/http.md)";
  } else if (status == 403) {
    // A token was taken but may not do this (reel serve's roles: read, publish, review, admin).
    message +=
        " (the server refuses this request with the token given: a token of another role "
        "is needed; docs/http.md \"Auth, limits, errors\")";
  } else if (status == 409) {
    code = ErrorCode::kConflict;
  } else if (status >= 500 || status == 429) {
    code = ErrorCode::kNetwork;
    message += " (after " + std::to_string(attempts) + " attempts)";
  }
  return Error{code, message};
}

Error transport_error(std::string_view method, const std::string& url, const std::string& why,
                      int attempts) {
  return Error{ErrorCode::kNetwork, std::string(method) + " " + url + ": " + why + " (after " +
                                        std::to_string(attempts) + " attempts)"};
}

}  // namespace reel
