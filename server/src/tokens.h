// Tokens for `reel serve` (docs/http.md "Auth"): token files, a constant-time lookup, and the
// token of an Authorization header (Bearer or Basic).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/digest.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel::server {

// A set of tokens, kept only as their SHA-256 digests, so a lookup compares fixed-size values.
class TokenSet {
 public:
  // Reads a token file: one token a line, surrounding spaces trimmed, blank lines and lines
  // starting with '#' skipped. Errors name the file: kNotFound / kIOError when it cannot be read,
  // kInvalidArgument when it holds no token.
  static Result<TokenSet> load(FileSystem& fs, const fs::path& file);

  // Whether `token` is in the set. Every stored token is compared, each in constant time (no
  // early exit), so the time taken does not depend on where or whether the token matched, nor on
  // how much of it did.
  bool contains(std::string_view token) const;
  bool empty() const { return digests_.empty(); }

 private:
  std::vector<Digest> digests_;
};

// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive), or ""
// when the value is not a bearer credential.
std::string_view bearer_token(std::string_view authorization);

// The token an `Authorization` header value carries: `Bearer <token>`, or `Basic <base64 of
// user:password>` (RFC 7617) whose password is the token and whose user name is not looked at, so
// libcurl's netrc support (`machine HOST login reel password TOKEN`) works. Scheme names are
// case-insensitive; "" when the value is neither, or its base64 is malformed (RFC 4648 §4, padding
// optional) or lacks the ':'.
std::string request_token(std::string_view authorization);

}  // namespace reel::server
