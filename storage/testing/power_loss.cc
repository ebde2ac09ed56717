// DurabilityTracker (power_loss.h): what a simulated power loss keeps and takes away.
#include "reel/storage/power_loss.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace reel {

const char* power_loss_model_name(PowerLossModel model) {
  switch (model) {
    case PowerLossModel::kUnsyncedEntriesLost:
      return "unsynced-entries-lost";
    case PowerLossModel::kMetadataKeptDataLost:
      return "metadata-kept-data-lost";
  }
  return "unknown";
}

std::string durable_key(const fs::path& path) {
  std::error_code ec;
  fs::path abs = path.is_absolute() ? path : fs::absolute(path, ec);
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

namespace {

std::string parent_key(const std::string& key) { return durable_key(fs::path(key).parent_path()); }

bool under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

}  // namespace

DurabilityTracker::DurabilityTracker(FileSystem& base, fs::path stash_dir)
    : base_(base), stash_dir_(std::move(stash_dir)) {
  (void)base_.create_directories(stash_dir_);
}

fs::path DurabilityTracker::next_stash_path() {
  return stash_dir_ / std::to_string(++stash_counter_);
}

Result<fs::path> DurabilityTracker::keep_replaced(const fs::path& path) {
  auto st = base_.stat(path);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return fs::path();
  fs::path stash = next_stash_path();
  if (st->type == FileType::kDirectory) {
    // rename(2) replaces only an empty directory: move it aside (it comes back empty).
    REEL_TRY(base_.rename(path, stash));
  } else {
    REEL_TRY(base_.hard_link(path, stash));
  }
  move_data(durable_key(path), durable_key(stash));
  // A hard link shares the state: keep it under both names until the replacement happens.
  if (auto it = files_.find(durable_key(stash));
      it != files_.end() && st->type != FileType::kDirectory) {
    files_[durable_key(path)] = it->second;
  }
  return stash;
}

void DurabilityTracker::forget_replaced(const fs::path& stash) {
  if (stash.empty()) return;
  files_.erase(durable_key(stash));
  (void)base_.remove(stash);
}

void DurabilityTracker::created(const fs::path& path, bool data, const fs::path& replaced) {
  const std::string key = durable_key(path);
  if (data) {
    auto state = std::make_shared<Data>();
    state->replaced_by_rename = !replaced.empty();
    files_[key] = state;
  }
  log_.push_back(Entry{Entry::kCreated, parent_key(key), key, "",
                       replaced.empty() ? "" : durable_key(replaced)});
}

void DurabilityTracker::linked(const fs::path& from, const fs::path& to) {
  const std::string key = durable_key(to);
  if (auto it = files_.find(durable_key(from)); it != files_.end()) files_[key] = it->second;
  log_.push_back(Entry{Entry::kCreated, parent_key(key), key, "", ""});
}

void DurabilityTracker::renamed(const fs::path& from, const fs::path& to,
                                const fs::path& replaced) {
  const std::string from_key = durable_key(from), to_key = durable_key(to);
  files_.erase(to_key);  // the replaced file's state went to the stash with it
  move_data(from_key, to_key);
  if (!replaced.empty()) {
    if (auto it = files_.find(to_key); it != files_.end()) it->second->replaced_by_rename = true;
  }
  log_.push_back(Entry{Entry::kRenamed, parent_key(to_key), to_key, from_key,
                       replaced.empty() ? "" : durable_key(replaced)});
}

Result<bool> DurabilityTracker::remove(const fs::path& path, bool tree) {
  auto st = base_.stat(path);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return true;
  if (st->type == FileType::kDirectory) {
    if (!tree) {
      auto entries = base_.list_dir(path);
      if (!entries) return tl::unexpected(entries.error());
      if (!entries->empty()) return false;
    }
    // Moving a directory to another parent rewrites its "..": it must be writable.
    if ((st->mode & 0700) != 0700) REEL_TRY(base_.set_mode(path, st->mode | 0700));
  }
  fs::path stash = next_stash_path();
  REEL_TRY(base_.rename(path, stash));
  const std::string key = durable_key(path);
  move_data(key, durable_key(stash));
  log_.push_back(Entry{Entry::kRemoved, parent_key(key), key, "", durable_key(stash)});
  return true;
}

Result<std::vector<fs::path>> DurabilityTracker::missing_directories(const fs::path& path) {
  std::vector<fs::path> missing;
  for (fs::path p = fs::path(durable_key(path)); !p.empty() && p != p.root_path();
       p = p.parent_path()) {
    auto st = base_.stat(p);
    if (!st) return tl::unexpected(st.error());
    if (st->type != FileType::kMissing) break;
    missing.insert(missing.begin(), p);
  }
  return missing;
}

void DurabilityTracker::synced_file(const fs::path& path) {
  auto it = files_.find(durable_key(path));
  if (it == files_.end()) return;
  auto st = base_.stat(path);
  if (st && st->type == FileType::kRegular) it->second->synced = st->size;
}

void DurabilityTracker::synced_directory(const fs::path& path) {
  const std::string key = durable_key(path);
  for (Entry& e : log_) {
    if (e.dir == key) e.durable = true;
  }
}

void DurabilityTracker::synced_everything() {
  for (auto& [path, state] : files_) {
    auto st = base_.stat(path);
    if (st && st->type == FileType::kRegular) state->synced = st->size;
  }
  for (Entry& e : log_) e.durable = true;
}

void DurabilityTracker::move_data(const std::string& from, const std::string& to) {
  std::vector<std::pair<std::string, std::shared_ptr<Data>>> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from || under(it->first, from)) {
      moved.emplace_back(to + it->first.substr(from.size()), it->second);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [path, state] : moved) files_[path] = state;
}

Status DurabilityTracker::truncate_unsynced(PowerLossModel model) {
  for (const auto& [path, state] : files_) {
    if (model == PowerLossModel::kMetadataKeptDataLost && state->replaced_by_rename) continue;
    struct ::stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (static_cast<std::uint64_t>(st.st_size) <= state->synced) continue;
    const off_t length = static_cast<off_t>(state->synced);
    if (::truncate(path.c_str(), length) != 0) {
      // A read-only file (a cache object): root truncates it anyway, anyone else makes it
      // writable for a moment.
      if (errno != EACCES || ::chmod(path.c_str(), st.st_mode | S_IWUSR) != 0 ||
          ::truncate(path.c_str(), length) != 0 || ::chmod(path.c_str(), st.st_mode) != 0) {
        return make_error(ErrorCode::kIOError,
                          "truncate " + path + " (power loss): " + std::strerror(errno));
      }
    }
  }
  return ok();
}

Status DurabilityTracker::undo(const Entry& e) {
  auto exists = [&](const std::string& p) -> Result<bool> {
    auto st = base_.stat(p);
    if (!st) return tl::unexpected(st.error());
    return st->type != FileType::kMissing;
  };
  auto restore_stash = [&]() -> Status {
    if (e.stash.empty()) return ok();
    auto have = exists(e.stash);
    if (!have) return tl::unexpected(have.error());
    auto parent = exists(parent_key(e.path));
    if (!parent) return tl::unexpected(parent.error());
    if (!*have || !*parent) return ok();  // its folder is gone for good (a durable removal)
    return base_.rename(e.stash, e.path);
  };
  auto here = exists(e.path);
  if (!here) return tl::unexpected(here.error());
  switch (e.kind) {
    case Entry::kCreated:
      if (*here) REEL_TRY(base_.remove_all(e.path));
      return restore_stash();
    case Entry::kRenamed: {
      if (*here) {
        auto source_dir = exists(parent_key(e.from));
        if (!source_dir) return tl::unexpected(source_dir.error());
        if (*source_dir) {
          REEL_TRY(base_.rename(e.path, e.from));
        } else {
          REEL_TRY(base_.remove_all(e.path));
        }
      }
      return restore_stash();
    }
    case Entry::kRemoved:
      return restore_stash();
  }
  return ok();
}

Status DurabilityTracker::power_loss(PowerLossModel model) {
  // Data first, while every tracked path is where the tracker last saw it (stashed files too).
  REEL_TRY(truncate_unsynced(model));
  if (model == PowerLossModel::kUnsyncedEntriesLost) {
    for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
      if (!it->durable) {
        if (auto st = undo(*it); !st) {
          return tl::unexpected(st.error().with_context("undoing an unsynced entry (power loss)"));
        }
      }
    }
  }
  files_.clear();
  log_.clear();
  REEL_TRY(base_.remove_all(stash_dir_));
  return base_.create_directories(stash_dir_);
}

std::size_t DurabilityTracker::unsynced_files() const {
  std::size_t n = 0;
  for (const auto& [path, state] : files_) {
    struct ::stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<std::uint64_t>(st.st_size) > state->synced) {
      ++n;
    }
  }
  return n;
}

std::size_t DurabilityTracker::unsynced_entries() const {
  std::size_t n = 0;
  for (const Entry& e : log_) n += e.durable ? 0 : 1;
  return n;
}

}  // namespace reel
