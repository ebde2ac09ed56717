// Request heads as raw bytes (request_head.h), and the token of an Authorization header
// (tokens.h): tables, no sockets.
#include "request_head.h"

#include <gtest/gtest.h>

#include <vector>

#include "tokens.h"

namespace reel::server {
namespace {

using State = HeadScanner::State;

TEST(HeadScanner, FindsTheEndWhicheverWayTheBytesArrive) {
  const std::string head = "GET /x HTTP/1.1\r\nHost: a\r\nX-Y: z\r\n\r\n";
  const std::string next = "GET /y HTTP/1.1\r\n\r\n";
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, head.size()}) {
    HeadScanner scanner(1024, 10);
    const std::string bytes = head + next;
    State state = State::kIncomplete;
    std::size_t have = 0;
    while (state == State::kIncomplete && have < bytes.size()) {
      have = std::min(bytes.size(), have + piece);
      state = scanner.scan(std::string_view(bytes).substr(0, have));
    }
    ASSERT_EQ(state, State::kComplete) << piece;
    EXPECT_EQ(scanner.length(), head.size()) << piece;
  }
}

TEST(HeadScanner, Limits) {
  struct Case {
    std::string bytes;
    std::size_t max_bytes;
    int max_headers;
    State want;
  };
  const std::string two = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n";  // 30 bytes, 2 headers
  for (const Case& k : std::vector<Case>{
           {two, 30, 2, State::kComplete},
           {two, 29, 2, State::kTooLarge},
           {two, 30, 1, State::kTooLarge},
           {"GET / HTTP/1.1\r\nA: 1\r\n", 100, 2, State::kIncomplete},
           {"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC:", 100, 2, State::kIncomplete},
           {"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n", 100, 2, State::kTooLarge},
           {"GET / HTTP/1.1\r\n" + std::string(200, 'x'), 100, 2, State::kTooLarge},
           // Bare LF lines are lines (httplib skips them); only CRLF alone ends the head.
           {"GET / HTTP/1.1\r\nA: 1\n\n\r\n", 100, 5, State::kComplete},
           {"GET / HTTP/1.1\n\n", 100, 5, State::kIncomplete},
       }) {
    HeadScanner scanner(k.max_bytes, k.max_headers);
    EXPECT_EQ(scanner.scan(k.bytes), k.want) << k.bytes;
  }
}

std::string head_with(const std::string& headers) {
  return "PUT /x HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n";
}

TEST(ReadFraming, ContentLengthAndTransferEncoding) {
  struct Case {
    std::string headers;
    Framing::Body body;
    std::uint64_t length;
  };
  for (const Case& k : std::vector<Case>{
           {"", Framing::Body::kNone, 0},
           {"Content-Length: 0\r\n", Framing::Body::kLength, 0},
           {"Content-Length: 12\r\n", Framing::Body::kLength, 12},
           {"content-length:\t 007 \r\n", Framing::Body::kLength, 7},
           {"Content-Length: 9999999999999999999\r\n", Framing::Body::kLength,
            9999999999999999999ull},
           {"Transfer-Encoding: chunked\r\n", Framing::Body::kChunked, 0},
           {"transfer-encoding: Chunked\r\n", Framing::Body::kChunked, 0},
           {"X-Content-Length: 1e9\r\nNo colon here\r\n", Framing::Body::kNone, 0},
       }) {
    auto f = read_framing(head_with(k.headers));
    ASSERT_TRUE(f) << k.headers << f.error().message;
    EXPECT_EQ(f->body, k.body) << k.headers;
    EXPECT_EQ(f->length, k.length) << k.headers;
  }
  struct Bad {
    std::string headers;
    std::string reason;
  };
  for (const Bad& k : std::vector<Bad>{
           {"Content-Length: 1e9\r\n", "malformed Content-Length: '1e9'"},
           {"Content-Length: -1\r\n", "malformed Content-Length: '-1'"},
           {"Content-Length: +1\r\n", "malformed Content-Length"},
           {"Content-Length: 1 1\r\n", "malformed Content-Length"},
           {"Content-Length: 1,1\r\n", "malformed Content-Length"},
           {"Content-Length:\r\n", "malformed Content-Length: ''"},
           {"Content-Length: 99999999999999999999\r\n", "malformed Content-Length"},
           {"Content-Length: 1\r\nContent-Length: 1\r\n", "malformed Content-Length: given twice"},
           {"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n",
            "malformed Content-Length: given with Transfer-Encoding"},
           {"Transfer-Encoding: gzip\r\n", "unsupported Transfer-Encoding: 'gzip' (only chunked)"},
           {"Transfer-Encoding: gzip, chunked\r\n", "unsupported Transfer-Encoding"},
           {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            "unsupported Transfer-Encoding: given twice"},
           {"Content-Length : 5\r\n", "malformed header: whitespace before the colon"},
           {"X-A: 1\r\n 2\r\n", "malformed header: a folded line"},
           {"Content-Length: \x01\r\n", "malformed Content-Length: '?'"},
       }) {
    auto f = read_framing(head_with(k.headers));
    ASSERT_FALSE(f) << k.headers;
    EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(f.error().message.rfind(k.reason, 0), 0u) << k.headers << " → " << f.error().message;
  }
}

TEST(ReadRequestLine, PartialLines) {
  EXPECT_EQ(read_request_line("GET /a HTTP/1.1\r\nHost: x").method, "GET");
  EXPECT_EQ(read_request_line("GET /a HTTP/1.1\r\nHost: x").target, "/a");
  EXPECT_EQ(read_request_line("GET /a ").target, "/a");
  EXPECT_EQ(read_request_line("GET /a").target, "");
  EXPECT_EQ(read_request_line("GET /a").method, "GET");
  EXPECT_EQ(read_request_line("GE").method, "");
  EXPECT_EQ(read_request_line("").method, "");
}

TEST(RequestToken, BearerAndBasic) {
  struct Case {
    std::string header;
    std::string token;
  };
  for (const Case& k : std::vector<Case>{
           {"Bearer abc", "abc"},
           {"bearer   abc ", "abc"},
           {"Basic cmVlbDp0b2s=", "tok"},       // reel:tok
           {"basic cmVlbDp0b2s", "tok"},        // padding optional
           {"Basic YW55b25lOnQ6b2s=", "t:ok"},  // anyone:t:ok: the password holds a ':'
           {"Basic OnRvaw==", "tok"},           // :tok
           {"Basic dG9r", ""},                  // tok: no ':'
           {"Basic cmVlbDo=", ""},              // reel: an empty password
           {"Basic cmVlbDp0b2s=!", ""},         // not base64
           {"Basic cmVlbDp0b2s=cmVl", ""},      // data after the padding
           {"Basic", ""},
           {"Digest abc", ""},
           {"", ""},
       }) {
    EXPECT_EQ(request_token(k.header), k.token) << k.header;
  }
}

}  // namespace
}  // namespace reel::server
