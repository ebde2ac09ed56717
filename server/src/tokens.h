// Tokens for `reel serve` (docs/http.md "Auth"): token files, a constant-time lookup, and the
// token of an Authorization header (Bearer or Basic).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/digest.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel::server {

// What a token may do (DESIGN §2 "Credentials"): kRead reads; kPublish reads, uploads objects
// and publishes; kReview reads, approves, rejects, yanks and unyanks; kAdmin does everything
// (and may carry a review record along with a promotion).
enum class TokenRole { kRead, kPublish, kReview, kAdmin };

// "read" | "publish" | "review" | "admin".
std::string_view token_role_name(TokenRole role);

// What a request needs.
enum class Permission { kRead, kPublish, kReview, kAdmin };

// Whether `role` grants `need`.
bool role_allows(TokenRole role, Permission need);

// One token's name and role; the token itself is kept only as a digest.
struct TokenInfo {
  std::string name;  // recorded as the audit log's actor; "token on line N" for a bare token
  TokenRole role = TokenRole::kPublish;
};

// A set of tokens, kept only as their SHA-256 digests, so a lookup compares fixed-size values.
class TokenSet {
 public:
  // Reads a token file: one token a line, as `NAME ROLE TOKEN` (ROLE one of read, publish,
  // review, admin) or a bare `TOKEN` (role `default_role`, named "token on line N"); surrounding
  // spaces trimmed, blank lines and lines starting with '#' skipped. Errors name the file:
  // kNotFound / kIOError when it cannot be read; kInvalidArgument, naming the line, for two
  // words, an unknown role or more than three words; kInvalidArgument when it holds no token.
  static Result<TokenSet> load(FileSystem& fs, const fs::path& file,
                               TokenRole default_role = TokenRole::kPublish);

  // The name and role of `token`, or nullopt. Every stored token is compared, each in constant
  // time (no early exit), so the time taken does not depend on where or whether the token
  // matched, nor on how much of it did.
  std::optional<TokenInfo> find(std::string_view token) const;
  // Whether `token` is in the set (find() has a value).
  bool contains(std::string_view token) const { return find(token).has_value(); }
  bool empty() const { return digests_.empty(); }

 private:
  std::vector<Digest> digests_;
  std::vector<TokenInfo> infos_;  // parallel to digests_
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
