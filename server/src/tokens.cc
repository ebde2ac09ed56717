// Token files and constant-time token lookup (tokens.h).
#include "tokens.h"

#include <cctype>
#include <optional>

namespace reel::server {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// 0 when equal; the OR of every byte difference, so no early exit.
unsigned char differ(const Digest& a, const Digest& b) {
  unsigned char acc = 0;
  for (std::size_t i = 0; i < a.bytes.size(); ++i) acc |= a.bytes[i] ^ b.bytes[i];
  return acc;
}

}  // namespace

std::string_view token_role_name(TokenRole role) {
  switch (role) {
    case TokenRole::kRead:
      return "read";
    case TokenRole::kPublish:
      return "publish";
    case TokenRole::kReview:
      return "review";
    case TokenRole::kAdmin:
      return "admin";
  }
  return "read";
}

bool role_allows(TokenRole role, Permission need) {
  switch (role) {
    case TokenRole::kAdmin:
      return true;
    case TokenRole::kPublish:
      return need == Permission::kRead || need == Permission::kPublish;
    case TokenRole::kReview:
      return need == Permission::kRead || need == Permission::kReview;
    case TokenRole::kRead:
      return need == Permission::kRead;
  }
  return false;
}

Result<TokenSet> TokenSet::load(FileSystem& fs, const fs::path& file, TokenRole default_role) {
  auto text = fs.read_file(file);
  if (!text) return tl::unexpected(text.error().with_context("token file " + file.string()));
  TokenSet set;
  std::string_view rest = *text;
  std::size_t line_no = 0;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> words;
    while (!line.empty()) {
      std::size_t end = 0;
      while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
      words.push_back(line.substr(0, end));
      line = trim(line.substr(end));
    }
    const std::string where = "token file " + file.string() + ":" + std::to_string(line_no);
    TokenInfo info{"token on line " + std::to_string(line_no), default_role};
    if (words.size() == 3) {
      static const std::pair<const char*, TokenRole> kRoles[] = {{"read", TokenRole::kRead},
                                                                 {"publish", TokenRole::kPublish},
                                                                 {"review", TokenRole::kReview},
                                                                 {"admin", TokenRole::kAdmin}};
      bool known = false;
      for (const auto& [role_name, role] : kRoles) {
        if (words[1] == role_name) {
          info.role = role;
          known = true;
        }
      }
      if (!known) {
        return make_error(ErrorCode::kInvalidArgument, where + ": unknown role '" +
                                                           std::string(words[1]) +
                                                           "' (read, publish, review or admin)");
      }
      info.name = std::string(words[0]);
    } else if (words.size() != 1) {
      // Never echo the line: it holds a token.
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": expected `NAME ROLE TOKEN` or a bare token, got " +
                            std::to_string(words.size()) + " words");
    }
    set.digests_.push_back(sha256_bytes(words.back()));
    set.infos_.push_back(std::move(info));
  }
  if (set.digests_.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "token file " + file.string() + ": holds no token (one a line)");
  }
  return set;
}

std::optional<TokenInfo> TokenSet::find(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const Digest wanted = sha256_bytes(token);
  std::size_t found = digests_.size();
  for (std::size_t i = 0; i < digests_.size(); ++i) {
    const bool match = differ(digests_[i], wanted) == 0;
    found = match ? i : found;
  }
  if (found == digests_.size()) return std::nullopt;
  return infos_[found];
}

namespace {

// The value after `scheme` and whitespace, or nullopt when `v` does not start with the scheme
// (case-insensitive) followed by whitespace.
std::optional<std::string_view> after_scheme(std::string_view v, std::string_view scheme) {
  if (v.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != scheme[i]) return std::nullopt;
  }
  if (v[scheme.size()] != ' ' && v[scheme.size()] != '\t') return std::nullopt;
  return trim(v.substr(scheme.size()));
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// RFC 4648 §4 base64; '=' padding optional, nothing after it. nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::string request_token(std::string_view authorization) {
  const std::string_view v = trim(authorization);
  if (std::string_view bearer = bearer_token(v); !bearer.empty()) return std::string(bearer);
  auto basic = after_scheme(v, "basic");
  if (!basic) return {};
  auto decoded = base64_decode(*basic);
  if (!decoded) return {};
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return {};
  return decoded->substr(colon + 1);
}

std::string_view bearer_token(std::string_view authorization) {
  return after_scheme(trim(authorization), "bearer").value_or(std::string_view());
}

}  // namespace reel::server
