// reel_preview: the Watchtower export's preview images with OpenImageIO 2.4, as a shared module
// that workspace/src/preview_image.cc loads (dlopen) the first time a preview is made. Linking
// OpenImageIO into reel itself made every command load the ~250 libraries it brings (OpenCV,
// GDAL, FFmpeg, GStreamer, ...): about 0.3 s of CPU in the dynamic loader before main, for
// `reel --version` as for `reel run` on a farm node (benchmarks/startup/). The interface is C, so
// no C++ type crosses the module boundary, and the module links nothing of reel.
#include <OpenImageIO/imagebuf.h>
#include <OpenImageIO/imagebufalgo.h>

#include <cstring>
#include <string>
#include <vector>

// The module's one exported symbol (the target builds with hidden visibility).
#define REEL_PREVIEW_EXPORT __attribute__((visibility("default")))

namespace {

int fail(int code, const std::string& text, char* message, size_t message_size) {
  if (message_size > 0) {
    std::strncpy(message, text.c_str(), message_size - 1);
    message[message_size - 1] = '\0';
  }
  return code;
}

}  // namespace

// Reads the image at `source` (any format OpenImageIO reads; its first subimage) and writes it
// resized to exactly width × height pixels (stretched), 8-bit RGB, as a PNG at `dest`
// (overwritten) with no metadata, so the same source always gives the same bytes. Returns 0 on
// success; 1 when the image cannot be read, resized or converted, 2 when the PNG cannot be
// written, with OpenImageIO's reason in `message` (NUL-terminated, truncated to message_size).
// Thread-compatible: OpenImageIO's ImageBuf calls are safe on distinct buffers.
extern "C" REEL_PREVIEW_EXPORT int reel_preview_write_png(const char* source, const char* dest,
                                                          int width, int height, char* message,
                                                          size_t message_size) {
  OIIO::ImageBuf in{std::string(source)};
  if (!in.read(0, 0, true, OIIO::TypeDesc::FLOAT)) {
    return fail(1, "not an image OpenImageIO can read: " + in.geterror(), message, message_size);
  }
  const int nc = in.nchannels();
  // RGB: a grey image's one channel three times, an image's first three otherwise.
  std::vector<int> order = nc >= 3 ? std::vector<int>{0, 1, 2} : std::vector<int>{0, 0, 0};
  OIIO::ImageBuf rgb = OIIO::ImageBufAlgo::channels(in, 3, order);
  OIIO::ROI roi(0, width, 0, height, 0, 1, 0, 3);
  OIIO::ImageBuf small = OIIO::ImageBufAlgo::resize(rgb, "", 0.0f, roi);
  if (small.has_error() || rgb.has_error()) {
    return fail(1, "cannot resize: " + small.geterror() + rgb.geterror(), message, message_size);
  }
  OIIO::ImageSpec spec(width, height, 3, OIIO::TypeDesc::UINT8);
  OIIO::ImageBuf out(spec);
  if (!OIIO::ImageBufAlgo::copy(out, small, OIIO::TypeDesc::UINT8)) {
    return fail(1, "cannot convert: " + out.geterror(), message, message_size);
  }
  out.specmod().extra_attribs.clear();  // no Software/DateTime: the same source, the same bytes
  out.specmod().full_x = out.specmod().x = 0;
  out.specmod().full_y = out.specmod().y = 0;
  if (!out.write(std::string(dest), OIIO::TypeDesc::UINT8, "png")) {
    return fail(2, "cannot write preview: " + out.geterror(), message, message_size);
  }
  return 0;
}
