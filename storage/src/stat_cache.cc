// The stat cache's file format and lookups (stat_cache.h).
#include "reel/storage/stat_cache.h"

#include <charconv>
#include <string_view>

namespace reel {
namespace {

constexpr std::string_view kHeader = "reel-stat-cache 1\n";

// Parses one unsigned or signed decimal field ending at the next space; advances `rest`.
template <typename T>
bool field(std::string_view& rest, T& out) {
  auto space = rest.find(' ');
  if (space == std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + space, out);
  if (ec != std::errc() || end != rest.data() + space) return false;
  rest.remove_prefix(space + 1);
  return true;
}

}  // namespace

Status StatCache::load(FileSystem& fs, const fs::path& file) {
  {
    std::lock_guard<std::mutex> hold(mutex_);
    entries_.clear();
  }
  const Status cache = ok();  // every malformed case leaves the cache empty
  auto st = fs.stat(file);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular) return cache;
  racy_after_ns_ = st->mtime_ns;
  // Reel's own file, a line per content file of the output: bounded well above any real output
  // (1 GiB is some 7 million files); past the bound it is read as empty (everything re-hashed).
  auto text = fs.read_file(file, std::uint64_t{1} << 30);
  if (!text) {
    if (text.error().code == ErrorCode::kInvalidArgument) return cache;
    return tl::unexpected(text.error());
  }
  std::string_view rest = *text;
  if (rest.substr(0, kHeader.size()) != kHeader) return cache;
  rest.remove_prefix(kHeader.size());
  std::map<std::string, Entry> entries;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return cache;  // truncated: start over
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    auto space = line.find(' ');
    if (space == std::string_view::npos) return cache;
    auto digest = Digest::from_hex(line.substr(0, space));
    if (!digest) return cache;
    line.remove_prefix(space + 1);
    Entry e;
    e.digest = *digest;
    if (!field(line, e.size) || !field(line, e.mtime_ns) || !field(line, e.ctime_ns) ||
        !field(line, e.inode) || line.empty()) {
      return cache;
    }
    entries.emplace(std::string(line), e);
  }
  std::lock_guard<std::mutex> hold(mutex_);
  entries_ = std::move(entries);
  return ok();
}

std::optional<Digest> StatCache::lookup(const std::string& path, const FileStat& st) const {
  std::lock_guard<std::mutex> hold(mutex_);
  auto it = entries_.find(path);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  if (e.size != st.size || e.mtime_ns != st.mtime_ns || e.ctime_ns != st.ctime_ns ||
      e.inode != st.inode || st.mtime_ns >= racy_after_ns_ || st.ctime_ns >= racy_after_ns_) {
    return std::nullopt;
  }
  e.used = true;
  return e.digest;
}

void StatCache::record(const std::string& path, const FileStat& st, const Digest& digest) {
  std::lock_guard<std::mutex> hold(mutex_);
  entries_[path] = Entry{digest, st.size, st.mtime_ns, st.ctime_ns, st.inode, true};
}

void StatCache::prune_unused() {
  std::lock_guard<std::mutex> hold(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.used ? std::next(it) : entries_.erase(it);
  }
}

std::size_t StatCache::size() const {
  std::lock_guard<std::mutex> hold(mutex_);
  return entries_.size();
}

Status StatCache::save(FileSystem& fs, const fs::path& file) const {
  std::string text(kHeader);
  {
    std::lock_guard<std::mutex> hold(mutex_);
    for (const auto& [path, e] : entries_) {
      text += e.digest.hex() + ' ' + std::to_string(e.size) + ' ' + std::to_string(e.mtime_ns) +
              ' ' + std::to_string(e.ctime_ns) + ' ' + std::to_string(e.inode) + ' ' + path +
              '\n';
    }
  }
  REEL_TRY(fs.create_directories(file.parent_path()));
  return fs.write_file_atomic(file, text, false);
}

}  // namespace reel
