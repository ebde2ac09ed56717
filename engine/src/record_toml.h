// Field readers shared by steps.lock and sources.lock (private to the engine): each names the
// file, the line and the field in its error, as every TOML reader of reel's does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reel/storage/digest.h"
#include "toml_util.h"

namespace reel::record_toml {

// The `version = 1` every lock file of reel's starts with. kInvalidArgument otherwise.
Status check_format(const TomlValue& root, std::string_view file);

// t[key] as a string; `required`: missing is an error, else "".
Result<std::string> string_field(const TomlValue& t, std::string_view file,
                                 const std::string& where, const char* key, bool required);
// t[key] as a non-negative integer; missing is 0.
Result<std::uint64_t> count_field(const TomlValue& t, std::string_view file,
                                  const std::string& where, const char* key);
// t[key] as 64 hex digits (required).
Result<Digest> digest_field(const TomlValue& t, std::string_view file, const std::string& where,
                            const char* key);
// Every key of table `t` is one of `known` (a space-separated list). kInvalidArgument naming the
// first that is not.
Status known_keys(const TomlValue& t, std::string_view file, const std::string& where,
                  std::string_view known);

}  // namespace reel::record_toml
