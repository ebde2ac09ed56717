// Writing TOML text (TOML 1.0, https://toml.io/en/v1.0.0): strings and keys as every reel file
// that is written as TOML spells them (asset.toml, reel.lock, workspace.toml), so what reel
// writes always passes its own input checks (check_toml_input) and reads back the same.
#pragma once

#include <string>
#include <string_view>

namespace reel {

// A TOML basic string literal: `"` and `\` escaped, \n \t \r, and every other control
// character as \uXXXX (they may come from a parsed escape, and raw they would be refused).
std::string toml_quote(std::string_view s);
// A TOML key: bare when it is only [A-Za-z0-9_-] (as DESIGN §2 writes names), else quoted.
std::string toml_key(std::string_view s);

}  // namespace reel
