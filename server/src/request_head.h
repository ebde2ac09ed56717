// A request head as raw bytes, looked at before httplib parses it (docs/http.md "Auth, limits,
// errors"): where it ends, whether it is within the limits, how its body is framed, and its
// method and target for the log. Pure functions over bytes; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reel/storage/error.h"

namespace reel::server {

// Finds the end of a head in bytes that arrive in pieces (RFC 9112 §2.1: a request line, header
// lines, then an empty line; every line ends in LF, the empty one is exactly CRLF, as httplib
// reads it). Each scan() resumes where the last one stopped, so a head costs linear time however
// it is split. Not thread-safe; one per connection, reset() between requests.
class HeadScanner {
 public:
  enum class State {
    kIncomplete,  // no end yet, within the limits
    kComplete,    // length() bytes are the head, its empty line included
    kTooLarge,    // over max_bytes, or more than max_headers header lines (431)
  };

  HeadScanner(std::size_t max_bytes, int max_headers)
      : max_bytes_(max_bytes), max_headers_(max_headers) {}

  // Looks at `bytes`, the bytes received so far from the head's first byte on (each call passes
  // the same bytes and maybe more after them).
  State scan(std::string_view bytes);
  std::size_t length() const { return length_; }
  void reset();

 private:
  std::size_t max_bytes_;
  int max_headers_;
  std::size_t scanned_ = 0;     // bytes looked at
  std::size_t line_start_ = 0;  // where the current line starts
  int lines_ = 0;               // lines ended so far, the request line included
  std::size_t length_ = 0;
};

// How a request's body is delimited (RFC 9112 §6).
struct Framing {
  enum class Body {
    kNone,     // neither Content-Length nor Transfer-Encoding: no body (RFC 9112 §6.3 rule 7)
    kLength,   // Content-Length: `length` bytes
    kChunked,  // Transfer-Encoding: chunked
  };
  Body body = Body::kNone;
  std::uint64_t length = 0;  // kLength only
};

// The framing of a complete head (as HeadScanner found it). kInvalidArgument, with the reason as
// the message (it becomes a 400's one-line body), for: a Content-Length that is not digits
// (spaces around them allowed) or over 19 digits ("malformed Content-Length: …"), two of them,
// one beside Transfer-Encoding, a Transfer-Encoding other than exactly `chunked` or given twice,
// and header lines httplib would misread (whitespace before the colon, a folded line).
Result<Framing> read_framing(std::string_view head);

// The method and target of a request line that may be incomplete: each is "" until the space
// after it has arrived. For the log line of a request refused before httplib saw it.
struct RequestLine {
  std::string method;
  std::string target;
};
RequestLine read_request_line(std::string_view bytes);

}  // namespace reel::server
