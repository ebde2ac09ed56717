// `reel tree --files NAME`: a locked package's file list with frame sequences collapsed.
#include <cstdio>

#include "reel/workspace/inspect.h"

namespace reel {

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Result<std::vector<FileGroup>> package_files(Workspace& ws, const LockFile& lock,
                                             const std::string& name) {
  const LockedPackage* locked = lock.find(name);
  if (!locked) return make_error(ErrorCode::kNotFound, name + " is not in reel.lock");
  auto package = locked_package(ws, *locked);
  if (!package) {
    return tl::unexpected(
        package.error().with_context("reading " + locked->name + " " + locked->version.to_string()));
  }
  return group_file_sequences(package->files);
}

std::vector<std::string> file_group_lines(const std::vector<FileGroup>& groups) {
  std::vector<std::string> lines;
  lines.reserve(groups.size());
  for (const auto& g : groups) {
    if (const auto* f = std::get_if<FileEntry>(&g)) {
      lines.push_back(f->symlink ? f->path + " -> " + *f->symlink
                                 : f->path + "  (" + human_bytes(f->size) + ")");
      continue;
    }
    const auto& s = std::get<FileSequence>(g);
    lines.push_back(s.display_path() + " [" + frame_range_text(s.frames) + "]  (" +
                    std::to_string(s.file_count()) + " files, " + human_bytes(s.total_size) + ")");
  }
  return lines;
}

}  // namespace reel
