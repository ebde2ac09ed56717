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

Result<TokenSet> TokenSet::load(FileSystem& fs, const fs::path& file) {
  auto text = fs.read_file(file);
  if (!text) return tl::unexpected(text.error().with_context("token file " + file.string()));
  TokenSet set;
  std::string_view rest = *text;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    set.digests_.push_back(sha256_bytes(line));
  }
  if (set.digests_.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "token file " + file.string() + ": holds no token (one a line)");
  }
  return set;
}

bool TokenSet::contains(std::string_view token) const {
  if (token.empty()) return false;
  const Digest wanted = sha256_bytes(token);
  bool found = false;
  for (const Digest& d : digests_) found |= differ(d, wanted) == 0;
  return found;
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
