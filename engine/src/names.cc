#include "reel/engine/names.h"

#include <cctype>

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

std::string lower_name(std::string_view name) {
  std::string out(name);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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
    std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > data.size()) return fail("invalid UTF-8");
    std::uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(data[i + k]);
      if ((cc & 0xC0) != 0x80) return fail("invalid UTF-8");
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return fail("invalid UTF-8");
    }
    i += len;
  }
  return ok();
}

}  // namespace reel
