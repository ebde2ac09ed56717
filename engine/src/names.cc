#include "reel/engine/names.h"

#include <cctype>

#include "reel/storage/utf8.h"

namespace reel {

Status check_package_name(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid package name '" + std::string(name) + "': " + why);
  };
  if (name.empty() || name.size() > 64) return bad("must be 1 to 64 characters");
  if (!std::isalnum(static_cast<unsigned char>(name[0])))
    return bad("must start with a letter or digit");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return bad("only letters, digits, '.', '_' and '-' are allowed");
    }
  }
  return ok();
}

namespace {
// ASCII only, whatever the locale (std::tolower is a call through the locale for every byte).
constexpr char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
}  // namespace

std::string lower_name(std::string_view name) {
  std::string out(name);
  for (auto& c : out) c = lower_ascii(c);
  return out;
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  return true;
}

bool name_less(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(lower_ascii(a[i]));
    const auto y = static_cast<unsigned char>(lower_ascii(b[i]));
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

Status check_text(std::string_view data, std::string_view file) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < data.size();) {
    auto c = static_cast<unsigned char>(data[i]);
    auto fail = [&](const std::string& what) {
      return make_error(ErrorCode::kInvalidArgument, std::string(file) + ":" +
                                                         std::to_string(line) + ": " + what +
                                                         " at byte " + std::to_string(i));
    };
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) return fail("control character");
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    std::size_t len = decode_utf8(data, i, cp);
    if (len == 0) return fail("invalid UTF-8");
    i += len;
  }
  return ok();
}

}  // namespace reel
