// toml11 helpers shared by the engine's TOML formats (private). Input is checked with check_text
// before toml11 sees it (DESIGN §8).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <vector>

#include "reel/storage/error.h"

namespace reel {

using TomlValue = toml::basic_value<toml::discard_comments, std::map, std::vector>;

// check_toml_input (UTF-8, control characters, at most `max_bytes`, nesting depth) + toml::parse;
// errors name the file and line.
Result<TomlValue> parse_toml(std::string_view text, std::string_view file, std::uint64_t max_bytes);

// "FILE:LINE: [table] key: WHAT" for a value's location.
Error toml_field_error(const TomlValue& value, std::string_view file, std::string_view field,
                       std::string_view what);

// A TOML basic string literal with escapes.
std::string toml_quote(std::string_view s);
// A TOML key: bare when it is only [A-Za-z0-9_-] (as DESIGN §2 writes names), else quoted.
std::string toml_key(std::string_view s);

// Converts a TOML value to JSON text (for [metadata]).
std::string toml_to_json(const TomlValue& value);
// Converts JSON text of an object back to TOML table body lines ("key = value").
std::string json_object_to_toml_lines(const std::string& json_text);

}  // namespace reel
