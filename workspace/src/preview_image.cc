// Preview images (preview_image.h): the OpenImageIO work is in the reel_preview module
// (workspace/preview/oiio_preview.cc), loaded here on first use so that commands that make no
// preview never load OpenImageIO and its libraries.
#include "preview_image.h"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <vector>

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

namespace {

using WritePng = int (*)(const char*, const char*, int, int, char*, size_t);

// Where the module may be, in order: beside the object this code is linked into (the reel
// binary, or the Python extension, which installs it beside itself), beside the running
// executable, then where the build put it (REEL_PREVIEW_MODULE, an absolute path). Only these
// fixed places: never a path from the environment or the current directory.
std::vector<std::string> module_candidates() {
  std::vector<std::string> out;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&is_image_path), &info) != 0 && info.dli_fname &&
      std::string(info.dli_fname).find('/') != std::string::npos) {
    out.push_back((fs::path(info.dli_fname).parent_path() / REEL_PREVIEW_MODULE_NAME).string());
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back((exe.parent_path() / REEL_PREVIEW_MODULE_NAME).string());
  out.push_back(REEL_PREVIEW_MODULE);
  return out;
}

// The module's entry point, loaded once per process by the dynamic loader (dlopen counts
// references, so later calls find it loaded; it is never unloaded). kUnsupported naming every
// place tried when no module can be loaded.
Result<WritePng> load_write_png() {
  std::string tried;
  for (const auto& path : module_candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      tried += "\n  " + path + ": no such file";
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      tried += "\n  " + path + ": " + (why ? why : "cannot load");
      continue;
    }
    if (void* fn = dlsym(handle, "reel_preview_write_png")) return reinterpret_cast<WritePng>(fn);
    tried += "\n  " + path + ": no reel_preview_write_png";
  }
  Error error{ErrorCode::kUnsupported, std::string("previews need reel's OpenImageIO module ") +
                                           REEL_PREVIEW_MODULE_NAME +
                                           ", not found or not loadable:" + tried};
  return tl::unexpected(
      error.with_hint("build the reel_preview target, or install it beside the reel binary"));
}

}  // namespace

Status write_preview_png(const fs::path& source, const fs::path& dest, int width, int height,
                         const std::string& what) {
  auto write_png = load_write_png();
  if (!write_png) return tl::unexpected(write_png.error().with_context(what));
  char message[1024] = {};
  const int rc = (*write_png)(source.c_str(), dest.c_str(), width, height, message, sizeof message);
  if (rc == 0) return ok();
  if (rc == 2) return make_error(ErrorCode::kIOError, dest.string() + ": " + message);
  return make_error(ErrorCode::kInvalidArgument, what + ": " + message);
}

}  // namespace reel
