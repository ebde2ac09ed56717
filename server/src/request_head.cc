// Request heads as raw bytes (request_head.h).
#include "request_head.h"

#include <cctype>

namespace reel::server {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// A header value as it may appear in a one-line reason: at most 40 bytes, printable ASCII only.
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (std::size_t i = 0; i < value.size() && i < 40; ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (value.size() > 40) out += "...";
  return out + "'";
}

tl::unexpected<Error> refuse(std::string reason) {
  return make_error(ErrorCode::kInvalidArgument, std::move(reason));
}

// Content-Length's value: 1 to 19 digits (so it fits in 64 bits), nothing else.
Result<std::uint64_t> parse_length(std::string_view raw) {
  std::string_view v = trim(raw);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string_view::npos)
    return refuse("malformed Content-Length: " + quoted(v));
  std::uint64_t n = 0;
  for (char c : v) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n;
}

}  // namespace

HeadScanner::State HeadScanner::scan(std::string_view bytes) {
  if (length_ > 0) return length_ > max_bytes_ ? State::kTooLarge : State::kComplete;
  for (std::size_t i = scanned_; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    const bool empty_line = i == line_start_ + 1 && bytes[line_start_] == '\r';
    if (empty_line && lines_ > 0) {
      length_ = i + 1;
      scanned_ = length_;
      return length_ > max_bytes_ ? State::kTooLarge : State::kComplete;
    }
    ++lines_;
    line_start_ = i + 1;
    if (lines_ - 1 > max_headers_) return State::kTooLarge;
  }
  scanned_ = bytes.size();
  // Not ended within max_bytes: the head, once ended, would be longer.
  return bytes.size() >= max_bytes_ ? State::kTooLarge : State::kIncomplete;
}

void HeadScanner::reset() {
  scanned_ = 0;
  line_start_ = 0;
  lines_ = 0;
  length_ = 0;
}

Result<Framing> read_framing(std::string_view head) {
  Framing framing;
  int lengths = 0;
  int codings = 0;
  std::string_view rest = head.substr(head.find('\n') + 1);  // past the request line
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the head
    if (is_space(line.front())) return refuse("malformed header: a folded line");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // httplib skips it too
    std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos)
      return refuse("malformed header: whitespace before the colon");
    std::string_view value = line.substr(colon + 1);
    if (iequals(name, "Content-Length")) {
      if (++lengths > 1) return refuse("malformed Content-Length: given twice");
      auto n = parse_length(value);
      if (!n) return tl::unexpected(n.error());
      framing.body = Framing::Body::kLength;
      framing.length = *n;
    } else if (iequals(name, "Transfer-Encoding")) {
      if (++codings > 1) return refuse("unsupported Transfer-Encoding: given twice");
      if (!iequals(trim(value), "chunked"))
        return refuse("unsupported Transfer-Encoding: " + quoted(trim(value)) + " (only chunked)");
    }
  }
  if (lengths > 0 && codings > 0)
    return refuse("malformed Content-Length: given with Transfer-Encoding");
  if (codings > 0) framing.body = Framing::Body::kChunked;
  return framing;
}

RequestLine read_request_line(std::string_view bytes) {
  RequestLine line;
  bytes = bytes.substr(0, bytes.find_first_of("\r\n"));
  std::size_t sp1 = bytes.find(' ');
  if (sp1 == std::string_view::npos) return line;
  line.method = std::string(bytes.substr(0, sp1));
  std::size_t sp2 = bytes.find(' ', sp1 + 1);
  if (sp2 != std::string_view::npos)
    line.target = std::string(bytes.substr(sp1 + 1, sp2 - sp1 - 1));
  return line;
}

}  // namespace reel::server
