// Path rules shared by building packages and reading their file lists (private to the engine).
#pragma once

#include <string_view>

namespace reel {

// True for a '/'-separated relative path with no empty, "." or ".." component and no control
// character: safe to join under an asset root.
bool is_safe_relative_path(std::string_view path);

// True when a symlink at `link_path` (relative to the asset root) with target `target` resolves,
// lexically from the link's folder, to a place inside the asset: the target is relative and never
// climbs above the root (DESIGN §8, "links leaving the tree").
bool symlink_stays_inside(std::string_view link_path, std::string_view target);

}  // namespace reel
