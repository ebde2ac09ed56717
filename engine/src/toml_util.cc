#include "toml_util.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "reel/engine/names.h"

namespace reel {

Result<TomlValue> parse_toml(std::string_view text, std::string_view file) {
  REEL_TRY(check_text(text, file));
  std::istringstream in{std::string(text)};
  try {
    return toml::parse<toml::discard_comments, std::map, std::vector>(in, std::string(file));
  } catch (const std::exception& e) {
    // toml11's message already names the file and line ("[error] ... --> FILE\n  |\n 3 | ...").
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": invalid TOML: " + message);
  }
}

Error toml_field_error(const TomlValue& value, std::string_view file, std::string_view field,
                       std::string_view what) {
  std::string where(file);
  auto line = value.location().line();
  if (line > 0) where += ":" + std::to_string(line);
  return Error{ErrorCode::kInvalidArgument, where + ": " + std::string(field) + ": " + std::string(what)};
}

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

namespace {

nlohmann::json to_json(const TomlValue& v) {
  switch (v.type()) {
    case toml::value_t::boolean: return v.as_boolean();
    case toml::value_t::integer: return v.as_integer();
    case toml::value_t::floating: return v.as_floating();
    case toml::value_t::string: return v.as_string().str;
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
  if (j.is_number()) {
    std::ostringstream s;
    s << j.get<double>();
    std::string t = s.str();
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
      s += (first ? " " : ", ") + toml_quote(k) + " = " + json_to_toml(x);
      first = false;
    }
    return s + (first ? "}" : " }");
  }
  return "\"\"";
}

}  // namespace

std::string toml_to_json(const TomlValue& value) { return to_json(value).dump(); }

std::string json_object_to_toml_lines(const std::string& json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_object()) return "";
  std::string out;
  for (const auto& [k, x] : j.items()) out += toml_quote(k) + " = " + json_to_toml(x) + "\n";
  return out;
}

}  // namespace reel
