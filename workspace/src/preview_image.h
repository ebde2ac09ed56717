// Preview images for the Watchtower export (private): OpenImageIO stays behind this header, in
// the reel_preview module (workspace/preview/), loaded on the first write_preview_png.
#pragma once

#include <string>

#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

// Whether OpenImageIO can probably read `path` by its extension (png, jpg, jpeg, exr, tif,
// tiff, tga, bmp, dpx, hdr, webp; any case): a package's first such file is its preview source.
bool is_image_path(const std::string& path);

// Reads the image at `source` (any format OpenImageIO reads; its first subimage) and writes it
// resized to exactly width × height pixels (stretched: the Watchtower grid needs that exact size),
// 8-bit RGB, as a PNG at `dest` (overwritten), with no metadata, so the same source always gives
// the same bytes. kInvalidArgument naming `what` when the image cannot be read, kIOError when
// the PNG cannot be written, kUnsupported (naming the places tried) when the reel_preview module
// cannot be loaded. Thread-safe for distinct `dest`s.
Status write_preview_png(const fs::path& source, const fs::path& dest, int width, int height,
                         const std::string& what);

}  // namespace reel
