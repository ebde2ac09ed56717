// Token files and constant-time token lookup (tokens.h).
#include "tokens.h"

#include <cctype>

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

std::string_view bearer_token(std::string_view authorization) {
  std::string_view v = trim(authorization);
  constexpr std::string_view kScheme = "bearer";
  if (v.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != kScheme[i]) return {};
  }
  if (v[kScheme.size()] != ' ' && v[kScheme.size()] != '\t') return {};
  return trim(v.substr(kScheme.size()));
}

}  // namespace reel::server
