#include "reel/storage/cache.h"

namespace reel {

Result<fs::path> default_cache_dir(const std::map<std::string, std::string>& env,
                                   const fs::path& override_dir) {
  auto get = [&](const char* key) -> std::string {
    auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  fs::path dir;
  if (!override_dir.empty())
    dir = override_dir;
  else if (auto v = get("REEL_CACHE_DIR"); !v.empty())
    dir = v;
  else if (auto x = get("XDG_CACHE_HOME"); !x.empty())
    dir = fs::path(x) / "reel";
  else if (auto h = get("HOME"); !h.empty())
    dir = fs::path(h) / ".cache" / "reel";
  else {
    return make_error(ErrorCode::kInvalidArgument,
                      "no cache directory: set REEL_CACHE_DIR or HOME, or pass --cache-dir");
  }
  std::error_code ec;
  return fs::absolute(dir, ec).lexically_normal();
}

Cache::Cache(FileSystem& fs, fs::path root)
    : root_(std::move(root)),
      objects_(fs, root_ / "objects-v1"),
      archives_(fs, root_ / "archives-v1") {}

}  // namespace reel
