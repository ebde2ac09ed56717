// Field readers shared by steps.lock and sources.lock (record_toml.h).
#include "record_toml.h"

namespace reel::record_toml {

Status check_format(const TomlValue& root, std::string_view file) {
  if (!root.contains("version") || !root.at("version").is_integer() ||
      root.at("version").as_integer() != 1) {
    return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": version: expected 1");
  }
  return ok();
}

Result<std::string> string_field(const TomlValue& t, std::string_view file,
                                 const std::string& where, const char* key, bool required) {
  if (!t.contains(key)) {
    if (!required) return std::string();
    return tl::unexpected(toml_field_error(t, file, where + " " + key, "missing"));
  }
  const auto& v = t.at(key);
  if (!v.is_string())
    return tl::unexpected(toml_field_error(v, file, where + " " + key, "expected a string"));
  return v.as_string().str;
}

Result<std::uint64_t> count_field(const TomlValue& t, std::string_view file,
                                  const std::string& where, const char* key) {
  if (!t.contains(key)) return std::uint64_t{0};
  const auto& v = t.at(key);
  if (!v.is_integer() || v.as_integer() < 0)
    return tl::unexpected(
        toml_field_error(v, file, where + " " + key, "expected a non-negative integer"));
  return static_cast<std::uint64_t>(v.as_integer());
}

Result<Digest> digest_field(const TomlValue& t, std::string_view file, const std::string& where,
                            const char* key) {
  auto s = string_field(t, file, where, key, true);
  if (!s) return tl::unexpected(s.error());
  auto d = Digest::from_hex(*s);
  if (!d)
    return tl::unexpected(toml_field_error(t.at(key), file, where + " " + key, d.error().message));
  return *d;
}

Status known_keys(const TomlValue& t, std::string_view file, const std::string& where,
                  std::string_view known) {
  for (const auto& [key, value] : t.as_table()) {
    std::string padded = " " + std::string(known) + " ";
    if (padded.find(" " + key + " ") == std::string::npos) {
      return tl::unexpected(toml_field_error(value, file, where + " " + key,
                                             "unknown key (expected " + std::string(known) + ")"));
    }
  }
  return ok();
}

}  // namespace reel::record_toml
