// Preview images with OpenImageIO 2.4 (preview_image.h).
#include "preview_image.h"

#include <OpenImageIO/imagebuf.h>
#include <OpenImageIO/imagebufalgo.h>

#include <algorithm>
#include <cctype>

namespace reel {

bool is_image_path(const std::string& path) {
  auto dot = path.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* e :
       {"png", "jpg", "jpeg", "exr", "tif", "tiff", "tga", "bmp", "dpx", "hdr", "webp"}) {
    if (ext == e) return true;
  }
  return false;
}

Status write_preview_png(const fs::path& source, const fs::path& dest, int width, int height,
                         const std::string& what) {
  OIIO::ImageBuf in(source.string());
  if (!in.read(0, 0, true, OIIO::TypeDesc::FLOAT)) {
    return make_error(ErrorCode::kInvalidArgument,
                      what + ": not an image OpenImageIO can read: " + in.geterror());
  }
  const int nc = in.nchannels();
  // RGB: a grey image's one channel three times, an image's first three otherwise.
  std::vector<int> order = nc >= 3 ? std::vector<int>{0, 1, 2} : std::vector<int>{0, 0, 0};
  OIIO::ImageBuf rgb = OIIO::ImageBufAlgo::channels(in, 3, order);
  OIIO::ROI roi(0, width, 0, height, 0, 1, 0, 3);
  OIIO::ImageBuf small = OIIO::ImageBufAlgo::resize(rgb, "", 0.0f, roi);
  if (small.has_error() || rgb.has_error()) {
    return make_error(ErrorCode::kInvalidArgument,
                      what + ": cannot resize: " + small.geterror() + rgb.geterror());
  }
  OIIO::ImageSpec spec(width, height, 3, OIIO::TypeDesc::UINT8);
  OIIO::ImageBuf out(spec);
  if (!OIIO::ImageBufAlgo::copy(out, small, OIIO::TypeDesc::UINT8)) {
    return make_error(ErrorCode::kInvalidArgument, what + ": cannot convert: " + out.geterror());
  }
  out.specmod().extra_attribs.clear();  // no Software/DateTime: the same source, the same bytes
  out.specmod().full_x = out.specmod().x = 0;
  out.specmod().full_y = out.specmod().y = 0;
  if (!out.write(dest.string(), OIIO::TypeDesc::UINT8, "png")) {
    return make_error(ErrorCode::kIOError,
                      dest.string() + ": cannot write preview: " + out.geterror());
  }
  return ok();
}

}  // namespace reel
