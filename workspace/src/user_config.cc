// The user config file (user_config.h).
#include "reel/workspace/user_config.h"

#include <sstream>
#include <toml.hpp>

#include "reel/engine/input_limits.h"
#include "reel/workspace/credentials.h"

namespace reel {
namespace {

using Value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

Error key_error(const Value& v, std::string_view file, const std::string& key,
                const std::string& what) {
  std::string where(file);
  if (v.location().line() > 0) where += ":" + std::to_string(v.location().line());
  return Error{ErrorCode::kInvalidArgument, where + ": " + key + ": " + what};
}

Result<RepoConfig> parse_repo(const Value& r, std::string_view file) {
  if (!r.is_table()) return tl::unexpected(key_error(r, file, "[[repo]]", "expected a table"));
  RepoConfig rc;
  for (const auto& [key, value] : r.as_table()) {
    std::string field = "[[repo]] " + key;
    if (key == "name" || key == "url") {
      if (!value.is_string())
        return tl::unexpected(key_error(value, file, field, "expected a string"));
      (key == "name" ? rc.name : rc.url) = value.as_string().str;
    } else if (key == "blessed" || key == "default") {
      if (!value.is_boolean())
        return tl::unexpected(key_error(value, file, field, "expected true or false"));
      (key == "blessed" ? rc.blessed : rc.is_default) = value.as_boolean();
    } else {
      return tl::unexpected(
          key_error(value, file, field, "unknown key (expected name, url, blessed or default)"));
    }
  }
  if (rc.name.empty() || rc.url.empty())
    return tl::unexpected(key_error(r, file, "[[repo]]", "needs a name and a url"));
  if (rc.url.find("://") == std::string::npos && !fs::path(rc.url).is_absolute()) {
    return tl::unexpected(key_error(r, file, "[[repo]] url",
                                    "'" + rc.url + "' is relative (write an absolute path)"));
  }
  return rc;
}

}  // namespace

Result<UserConfig> parse_user_config(std::string_view text, std::string_view file) {
  REEL_TRY(check_toml_input(text, file, kMaxConfigBytes));
  std::istringstream in{std::string(text)};
  Value root;
  try {
    root = toml::parse<toml::discard_comments, std::map, std::vector>(in, std::string(file));
  } catch (const std::exception& e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(file) + ": invalid TOML: " + message);
  }
  UserConfig config;
  config.file = fs::path(file);
  for (const auto& [key, value] : root.as_table()) {
    if (key == "cache-dir" || key == "link-mode" || key == "color") {
      if (!value.is_string())
        return tl::unexpected(key_error(value, file, key, "expected a string"));
      const std::string& text_value = value.as_string().str;
      if (key == "cache-dir") {
        if (!fs::path(text_value).is_absolute())
          return tl::unexpected(key_error(value, file, key, "expected an absolute path"));
        config.cache_dir = text_value;
      } else if (key == "link-mode") {
        auto mode = parse_link_mode(text_value);
        if (!mode) return tl::unexpected(key_error(value, file, key, mode.error().message));
        config.link_mode = *mode;
      } else {
        if (text_value != "auto" && text_value != "always" && text_value != "never")
          return tl::unexpected(key_error(value, file, key, "expected auto, always or never"));
        config.color = text_value;
      }
    } else if (key == "parallel-transfers") {
      if (!value.is_integer() || value.as_integer() < 1 || value.as_integer() > 64)
        return tl::unexpected(key_error(value, file, key, "expected a whole number 1-64"));
      config.parallel_transfers = static_cast<int>(value.as_integer());
    } else if (key == "repo") {
      if (!value.is_array())
        return tl::unexpected(key_error(value, file, "[[repo]]", "expected an array of tables"));
      for (const auto& r : value.as_array()) {
        auto rc = parse_repo(r, file);
        if (!rc) return tl::unexpected(rc.error());
        for (const auto& other : config.repos) {
          if (other.name == rc->name)
            return tl::unexpected(
                key_error(r, file, "[[repo]] name", "'" + rc->name + "' is defined twice"));
        }
        config.repos.push_back(std::move(*rc));
      }
    } else {
      return tl::unexpected(key_error(value, file, key,
                                      "unknown key (expected cache-dir, link-mode, color, "
                                      "parallel-transfers or [[repo]])"));
    }
  }
  return config;
}

fs::path user_config_path(const std::map<std::string, std::string>& environment) {
  fs::path dir = credential_config_dir(environment);
  return dir.empty() ? fs::path() : dir / "config.toml";
}

Result<UserConfig> load_user_config(FileSystem& fs,
                                    const std::map<std::string, std::string>& environment) {
  fs::path file = user_config_path(environment);
  if (file.empty()) return UserConfig{};
  auto st = fs.stat(file);
  // A folder this user cannot search (another user's $HOME under sudo or setpriv) holds no
  // config for this user: as if absent. A file that is there and cannot be read is an error.
  if (!st || st->type == FileType::kMissing) return UserConfig{};
  auto text = fs.read_file(file, kMaxConfigBytes);
  if (!text) return tl::unexpected(text.error().with_context(file.string()));
  return parse_user_config(*text, file.string());
}

}  // namespace reel
