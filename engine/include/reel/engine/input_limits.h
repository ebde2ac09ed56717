// Bounds on every text reel parses and every file it reads whole (DESIGN §8: "every read is
// bounded ... nesting depth and size are checked before toml11 or nlohmann-json parse, and parsing
// is linear in the input"). Both parsers recurse once per nesting level (toml11 3.7.1 and
// nlohmann-json's dump() crash near 10,000 levels), so the depth is measured first by a linear
// scan that understands each format's strings and comments, and deeper input is refused with the
// line it reaches the limit on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reel/storage/error.h"

namespace reel {

// Deepest nesting accepted in TOML and JSON input: arrays, inline tables / objects, and for TOML
// the components of table headers and dotted keys, counted together.
inline constexpr std::size_t kMaxNestingDepth = 128;

// Largest files read whole, in bytes.
inline constexpr std::uint64_t kMaxManifestBytes = std::uint64_t{4} << 20;   // asset.toml
inline constexpr std::uint64_t kMaxConfigBytes = std::uint64_t{4} << 20;     // workspace.toml
inline constexpr std::uint64_t kMaxLockBytes = std::uint64_t{64} << 20;      // reel.lock
inline constexpr std::uint64_t kMaxIndexBytes = std::uint64_t{64} << 20;     // index/<name>.json
inline constexpr std::uint64_t kMaxArchiveBytes = std::uint64_t{64} << 20;   // a package archive
inline constexpr std::uint64_t kMaxSmallJsonBytes = std::uint64_t{1} << 20;  // reel-repo.json,
                                                                             // state files
// The most content files one package may list (files.json entries).
inline constexpr std::size_t kMaxPackageFiles = 1000000;

// Checks JSON text before nlohmann-json sees it: at most `max_bytes` bytes and nesting of arrays
// and objects at most kMaxNestingDepth deep (brackets inside strings do not count). Linear.
// kInvalidArgument "FILE: ..." naming the byte offset where the limit was crossed.
Status check_json_input(std::string_view text, std::string_view file, std::uint64_t max_bytes);

// Checks TOML text before toml11 sees it: check_text (valid UTF-8, no control characters), at
// most `max_bytes` bytes, and nesting at most kMaxNestingDepth deep, where the depth of a value
// is the number of components of its table header, plus those of its dotted key, plus the arrays
// and inline tables (with their dotted keys) around it; strings and comments do not count.
// Linear. kInvalidArgument "FILE:LINE: ..." .
Status check_toml_input(std::string_view text, std::string_view file, std::uint64_t max_bytes);

}  // namespace reel
