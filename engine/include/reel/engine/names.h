// Package names (DESIGN §2): 1–64 of [A-Za-z0-9._-], starting alphanumeric; compared
// case-insensitively; files and index keys use the lower-case form.
#pragma once

#include <string>
#include <string_view>

#include "reel/storage/error.h"

namespace reel {

// kInvalidArgument naming the text if `name` is not a valid package name.
Status check_package_name(std::string_view name);
// ASCII lower-case form ("KitchenSet" -> "kitchenset"); other bytes unchanged.
std::string lower_name(std::string_view name);
// Whether `a` and `b` are one name, ASCII case ignored (lower_name(a) == lower_name(b)), without
// allocating.
bool same_name(std::string_view a, std::string_view b);
// Whether lower_name(a) < lower_name(b), without allocating.
bool name_less(std::string_view a, std::string_view b);

// DESIGN §8: TOML input is rejected before parsing if it is not valid UTF-8 or holds control
// characters other than tab, LF and CR (Debian's toml11 3.7.1 overflows a heap buffer on some
// malformed input). kInvalidArgument naming `file`, the line and the byte offset.
Status check_text(std::string_view data, std::string_view file);

}  // namespace reel
