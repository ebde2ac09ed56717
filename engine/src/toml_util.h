// toml11 helpers shared by the engine's TOML formats (private). Input is checked with check_text
// before toml11 sees it (DESIGN §8).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <vector>

#include "reel/engine/toml_text.h"
#include "reel/storage/error.h"

namespace reel {

using TomlValue = toml::basic_value<toml::discard_comments, std::map, std::vector>;

// check_toml_input (UTF-8, control characters, at most `max_bytes`, nesting depth) + toml::parse;
// errors name the file and line.
Result<TomlValue> parse_toml(std::string_view text, std::string_view file, std::uint64_t max_bytes);

// "FILE:LINE: [table] key: WHAT" for a value's location.
Error toml_field_error(const TomlValue& value, std::string_view file, std::string_view field,
                       std::string_view what);

// Converts a TOML value to JSON text (for [metadata]). kInvalidArgument naming `file`, the line
// and `field` for a nan or inf anywhere in it (JSON has no such numbers, and they would not read
// back the same).
Result<std::string> toml_to_json(const TomlValue& value, std::string_view file,
                                 std::string_view field);
// Converts JSON text of an object back to TOML table body lines ("key = value").
std::string json_object_to_toml_lines(const std::string& json_text);

}  // namespace reel
