// Records of installed files (installed_files.h).
#include "installed_files.h"

#include <charconv>
#include <string_view>

namespace reel {
namespace {

constexpr std::string_view kHeader = "reel-installed-files 1\n";

// Reads one space-terminated number of `line` (base 10, or 8 for the mode) into `out`.
template <class T>
bool take(std::string_view& line, T& out, int base = 10) {
  std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(line.data(), line.data() + space, out, base);
  if (ec != std::errc() || end != line.data() + space) return false;
  line.remove_prefix(space + 1);
  return true;
}

}  // namespace

fs::path installed_files_path(const fs::path& workspace_root) {
  return workspace_root / ".reel" / "installed-files-v1";
}

Result<InstalledFiles> InstalledFiles::load(FileSystem& fs, const fs::path& file) {
  InstalledFiles out;
  auto st = fs.stat(file);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular) return out;
  auto text = fs.read_file(file, std::uint64_t{1} << 30);
  if (!text) {
    if (text.error().code == ErrorCode::kInvalidArgument) return out;  // too large: start over
    return tl::unexpected(text.error());
  }
  std::string_view rest = *text;
  if (rest.substr(0, kHeader.size()) != kHeader) return out;
  rest.remove_prefix(kHeader.size());
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return InstalledFiles{};  // torn: start over
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space + 2 >= line.size()) return InstalledFiles{};
    std::string key(line.substr(0, space));
    line.remove_prefix(space + 1);
    Record r;
    if (line[0] != 'f' && line[0] != 'l') return InstalledFiles{};
    r.type = line[0] == 'f' ? FileType::kRegular : FileType::kSymlink;
    line.remove_prefix(2);
    if (!take(line, r.inode) || !take(line, r.size) || !take(line, r.mtime_ns) ||
        !take(line, r.ctime_ns) || !take(line, r.nlink) || !take(line, r.mode, 8) ||
        line.empty()) {
      return InstalledFiles{};
    }
    out.packages_[key][std::string(line)] = r;
  }
  return out;
}

Status InstalledFiles::save(FileSystem& fs, const fs::path& file, bool sync) const {
  std::string text(kHeader);
  for (const auto& [key, files] : packages_) {
    for (const auto& [path, r] : files) {
      char mode[16];
      auto [end, ec] = std::to_chars(mode, mode + sizeof mode, r.mode, 8);
      (void)ec;
      text += key + (r.type == FileType::kSymlink ? " l " : " f ") + std::to_string(r.inode) +
              " " + std::to_string(r.size) + " " + std::to_string(r.mtime_ns) + " " +
              std::to_string(r.ctime_ns) + " " + std::to_string(r.nlink) + " " +
              std::string(mode, end) + " " + path + "\n";
    }
  }
  REEL_TRY(fs.create_directories(file.parent_path()));
  return fs.write_file_atomic(file, text, sync);
}

const std::map<std::string, InstalledFiles::Record>* InstalledFiles::package(
    const std::string& key) const {
  auto it = packages_.find(key);
  return it == packages_.end() ? nullptr : &it->second;
}

void InstalledFiles::set_package(const std::string& key, std::map<std::string, Record> files) {
  packages_[key] = std::move(files);
  changed_ = true;
}

void InstalledFiles::set_file(const std::string& key, const std::string& path,
                              const Record& record) {
  packages_[key][path] = record;
  changed_ = true;
}

void InstalledFiles::forget(const std::string& key) {
  if (packages_.erase(key) > 0) changed_ = true;
}

InstalledFiles::Record InstalledFiles::of(const FileStat& st) {
  Record r;
  r.type = st.type;
  r.inode = st.inode;
  r.size = st.size;
  r.mtime_ns = st.mtime_ns;
  r.ctime_ns = st.ctime_ns;
  r.nlink = st.nlink;
  r.mode = st.mode;
  return r;
}

bool InstalledFiles::matches(const Record& recorded, const FileStat& now) {
  if (now.type != recorded.type || now.inode != recorded.inode || now.size != recorded.size ||
      now.mtime_ns != recorded.mtime_ns || now.mode != recorded.mode) {
    return false;
  }
  // ctime only for a file with an inode of its own: for a hard link into the cache, every link
  // and unlink of the object elsewhere (another package or workspace) moves it.
  return now.nlink > 1 || recorded.nlink > 1 || now.ctime_ns == recorded.ctime_ns;
}

}  // namespace reel
