// UTF-8 validation (RFC 3629 §3-4): the one check every text rule of reel builds on (TOML and JSON
// input before parsing, file names, symlink targets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace reel {

// The byte offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (truncated, overlong, a surrogate, above U+10FFFF, a stray continuation byte), or nullopt when
// all of `text` is valid UTF-8. Linear in the size of `text`.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// Decodes the well-formed UTF-8 sequence starting at `text[i]` into `code_point` and returns its
// length in bytes (1 to 4); returns 0, leaving `code_point` unspecified, if none starts there.
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& code_point);

}  // namespace reel
