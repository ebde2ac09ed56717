#include "toml_util.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"

namespace reel {

namespace {

// toml11's what() is "[error] WHAT\n --> FILE\n   |\n 3 | text\n   | ^--- here". Reshaped to
// "FILE:3: invalid TOML: WHAT" followed by toml11's context lines, so the first line reads like
// every other reel error and still names the line.
std::string describe_toml_error(std::string_view what, std::string_view file) {
  std::string_view first = what.substr(0, what.find('\n'));
  std::string_view context = what.substr(first.size());
  if (first.rfind("[error] ", 0) == 0) first.remove_prefix(8);
  std::string where(file);
  for (std::size_t i = context.find('\n'); i != std::string_view::npos;
       i = context.find('\n', i + 1)) {
    std::size_t j = i + 1;
    while (j < context.size() && context[j] == ' ') ++j;
    std::size_t end = j;
    while (end < context.size() && context[end] >= '0' && context[end] <= '9') ++end;
    if (end > j && context.substr(end, 2) == " |") {
      where += ":" + std::string(context.substr(j, end - j));
      break;
    }
  }
  std::string message = where + ": invalid TOML: " + std::string(first) + std::string(context);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

Result<TomlValue> parse_toml(std::string_view text, std::string_view file,
                             std::uint64_t max_bytes) {
  REEL_TRY(check_toml_input(text, file, max_bytes));
  std::istringstream in{std::string(text)};
  try {
    return toml::parse<toml::discard_comments, std::map, std::vector>(in, std::string(file));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInvalidArgument, describe_toml_error(e.what(), file));
  }
}

Error toml_field_error(const TomlValue& value, std::string_view file, std::string_view field,
                       std::string_view what) {
  std::string where(file);
  auto line = value.location().line();
  if (line > 0) where += ":" + std::to_string(line);
  return Error{ErrorCode::kInvalidArgument,
               where + ": " + std::string(field) + ": " + std::string(what)};
}

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          // Other control characters: TOML's \uXXXX escape (they may come from a parsed escape).
          static const char* hex = "0123456789ABCDEF";
          out += "\\u00";
          out += hex[(c >> 4) & 0xF];
          out += hex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string toml_key(std::string_view s) {
  bool bare = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(s) : toml_quote(s);
}

namespace {

nlohmann::json to_json(const TomlValue& v) {
  switch (v.type()) {
    case toml::value_t::boolean:
      return v.as_boolean();
    case toml::value_t::integer:
      return v.as_integer();
    case toml::value_t::floating:
      return v.as_floating();
    case toml::value_t::string:
      return v.as_string().str;
    case toml::value_t::array: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& x : v.as_array()) a.push_back(to_json(x));
      return a;
    }
    case toml::value_t::table: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& [k, x] : v.as_table()) o[k] = to_json(x);
      return o;
    }
    default: {
      std::ostringstream s;
      s << v;
      return s.str();
    }
  }
}

std::string json_to_toml(const nlohmann::json& j) {
  if (j.is_string()) return toml_quote(j.get<std::string>());
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number_integer()) return std::to_string(j.get<long long>());
  if (j.is_number_unsigned()) return std::to_string(j.get<unsigned long long>());
  if (j.is_number()) {
    // nlohmann prints the shortest text that reads back to the same double.
    double d = j.get<double>();
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    std::string t = j.dump();
    if (t.find_first_of(".eE") == std::string::npos) t += ".0";
    return t;
  }
  if (j.is_array()) {
    std::string s = "[";
    bool first = true;
    for (const auto& x : j) {
      s += (first ? "" : ", ") + json_to_toml(x);
      first = false;
    }
    return s + "]";
  }
  if (j.is_object()) {
    std::string s = "{";
    bool first = true;
    for (const auto& [k, x] : j.items()) {
      s += (first ? " " : ", ") + toml_key(k) + " = " + json_to_toml(x);
      first = false;
    }
    return s + (first ? "}" : " }");
  }
  return "\"\"";
}

}  // namespace

namespace {

// The first floating value of `v` (depth first) that is nan or inf, or nullptr.
const TomlValue* non_finite(const TomlValue& v) {
  if (v.is_floating()) return std::isfinite(v.as_floating()) ? nullptr : &v;
  if (v.is_array()) {
    for (const auto& x : v.as_array())
      if (const TomlValue* bad = non_finite(x)) return bad;
  }
  if (v.is_table()) {
    for (const auto& [k, x] : v.as_table())
      if (const TomlValue* bad = non_finite(x)) return bad;
  }
  return nullptr;
}

}  // namespace

Result<std::string> toml_to_json(const TomlValue& value, std::string_view file,
                                 std::string_view field) {
  if (const TomlValue* bad = non_finite(value))
    return tl::unexpected(toml_field_error(*bad, file, field, "nan and inf have no JSON form"));
  return to_json(value).dump();
}

std::string json_object_to_toml_lines(const std::string& json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_object()) return "";
  std::string out;
  for (const auto& [k, x] : j.items()) out += toml_key(k) + " = " + json_to_toml(x) + "\n";
  return out;
}

}  // namespace reel
