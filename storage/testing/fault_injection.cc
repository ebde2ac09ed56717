// FaultInjectingFileSystem: pass-through to a base FileSystem, with injected failures, counters,
// write points and durability tracking (power_loss.h).
#include "reel/storage/fault_injection.h"

#include <algorithm>

namespace reel {

std::string_view fs_op_name(FsOp op) {
  switch (op) {
    case FsOp::kStat:
      return "stat";
    case FsOp::kReadFile:
      return "read_file";
    case FsOp::kOpenRead:
      return "open_read";
    case FsOp::kCreateTemp:
      return "create_temp";
    case FsOp::kWrite:
      return "write";
    case FsOp::kSync:
      return "sync";
    case FsOp::kCommit:
      return "commit";
    case FsOp::kWriteFileAtomic:
      return "write_file_atomic";
    case FsOp::kRename:
      return "rename";
    case FsOp::kHardLink:
      return "hard_link";
    case FsOp::kCloneFile:
      return "clone_file";
    case FsOp::kCopyFile:
      return "copy_file";
    case FsOp::kSymlink:
      return "symlink";
    case FsOp::kReadSymlink:
      return "read_symlink";
    case FsOp::kCreateDirectories:
      return "create_directories";
    case FsOp::kListDir:
      return "list_dir";
    case FsOp::kRemove:
      return "remove";
    case FsOp::kRemoveAll:
      return "remove_all";
    case FsOp::kSetMode:
      return "set_mode";
    case FsOp::kSetMtime:
      return "set_mtime";
    case FsOp::kGetXattr:
      return "get_xattr";
    case FsOp::kSetXattr:
      return "set_xattr";
    case FsOp::kLockExclusive:
      return "lock_exclusive";
    case FsOp::kLockShared:
      return "lock_shared";
    case FsOp::kLockExclusiveTransient:
      return "lock_exclusive_transient";
    case FsOp::kLockExclusiveByte:
      return "lock_exclusive_byte";
    case FsOp::kSyncFile:
      return "sync_file";
    case FsOp::kSyncDirectory:
      return "sync_directory";
    case FsOp::kSyncFilesystem:
      return "sync_filesystem";
  }
  return "unknown";
}

// Wraps the base file system's OutputFile, applying the write budget, rename faults, rules,
// write points and durability tracking.
class FaultInjectingFileSystem::Output : public OutputFile {
 public:
  Output(FaultInjectingFileSystem& owner, std::unique_ptr<OutputFile> inner)
      : owner_(owner), inner_(std::move(inner)) {}
  ~Output() override {
    if (!done_) abort();
  }

  Status write(const void* data, std::size_t size) override {
    REEL_TRY(owner_.check(FsOp::kWrite, inner_->temp_path()));
    REEL_TRY(owner_.write_point(FsOp::kWrite, inner_->temp_path()));
    std::size_t allowed = owner_.admit_write(size);
    if (allowed > 0) {
      REEL_TRY(inner_->write(data, allowed));
      owner_.count_written(allowed);
    }
    if (allowed < size) {
      return make_error(ErrorCode::kNoSpace, "write " + inner_->temp_path().string() +
                                                 ": No space left on device (injected)");
    }
    return ok();
  }

  Status sync() override {
    REEL_TRY(owner_.check(FsOp::kSync, inner_->temp_path()));
    REEL_TRY(owner_.write_point(FsOp::kSync, inner_->temp_path()));
    auto tracking = owner_.track();
    REEL_TRY(inner_->sync());
    if (owner_.tracker_) owner_.tracker_->synced_file(inner_->temp_path());
    return ok();
  }

  Status commit(const fs::path& dest) override {
    REEL_TRY(owner_.check(FsOp::kCommit, dest));
    REEL_TRY(owner_.write_point(FsOp::kCommit, dest));
    if (owner_.rename_should_fail()) {
      leave_in_place();
      return make_error(ErrorCode::kIOError, "rename " + inner_->temp_path().string() + " to " +
                                                 dest.string() +
                                                 ": crash before rename (injected)");
    }
    auto tracking = owner_.track();
    auto stash = owner_.keep_replaced(dest);
    if (!stash) return tl::unexpected(stash.error());
    const fs::path temp = inner_->temp_path();
    done_ = true;
    Status st = inner_->commit(dest);
    if (owner_.tracker_) {
      if (st) {
        owner_.tracker_->renamed(temp, dest, *stash);
      } else {
        owner_.tracker_->forget_replaced(*stash);
        owner_.tracker_->synced_file(temp);  // it was removed: nothing to lose
      }
    }
    return st;
  }

  void start_writeback() override { inner_->start_writeback(); }

  // Removes the temp file, unless the process is "dead": then it stays, as after a kill.
  void abort() override {
    if (done_) return;
    done_ = true;
    if (owner_.crashed() || !owner_.write_point(FsOp::kRemove, inner_->temp_path())) {
      leave_in_place();
      return;
    }
    auto tracking = owner_.track();
    if (owner_.tracker_) {
      if (auto moved = owner_.tracker_->remove(inner_->temp_path(), false); !moved) {
        inner_->abort();
      } else {
        leave_in_place();  // the tracker moved it into the stash; the inner file is closed here
      }
      return;
    }
    inner_->abort();
  }

  const fs::path& temp_path() const override { return inner_->temp_path(); }

 private:
  // Closes the file where it is (a rename onto itself does nothing), so that neither abort()
  // nor the destructor of the inner file removes it: what a kill leaves behind.
  void leave_in_place() {
    done_ = true;
    (void)inner_->commit(inner_->temp_path());
  }

  FaultInjectingFileSystem& owner_;
  std::unique_ptr<OutputFile> inner_;
  bool done_ = false;  // committed, aborted or left in place
};

void FaultInjectingFileSystem::fail_writes_after(std::uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  write_limited_ = true;
  write_budget_ = bytes;
}

void FaultInjectingFileSystem::fail_nth_rename(std::uint64_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  renames_until_failure_ = n;
}

void FaultInjectingFileSystem::fail_on(FsOp op, std::string path_substring, ErrorCode code) {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.push_back({op, std::move(path_substring), code});
}

void FaultInjectingFileSystem::clear_faults() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
  hooks_.clear();
  write_limited_ = false;
  renames_until_failure_ = 0;
  crash_at_ = 0;
}

FsCounters FaultInjectingFileSystem::counters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counters_;
}

void FaultInjectingFileSystem::before(FsOp op, std::string path_substring,
                                      std::function<void(const fs::path&)> action) {
  std::lock_guard<std::mutex> lock(mutex_);
  hooks_.push_back(Hook{op, std::move(path_substring), std::move(action)});
}

void FaultInjectingFileSystem::track_durability(const fs::path& stash_dir) {
  std::lock_guard<std::mutex> hold(tracking_mutex_);
  tracker_ = std::make_unique<DurabilityTracker>(base_, stash_dir);
}

void FaultInjectingFileSystem::crash_at_write_point(std::uint64_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  crash_at_ = n == 0 ? 0 : write_points_ + n;
}

std::uint64_t FaultInjectingFileSystem::write_points() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return write_points_;
}

Status FaultInjectingFileSystem::simulate_power_loss(PowerLossModel model) {
  std::lock_guard<std::mutex> hold(tracking_mutex_);
  if (!tracker_) {
    return make_error(ErrorCode::kInvalidArgument,
                      "simulate_power_loss: durability is not tracked (call track_durability)");
  }
  REEL_TRY(tracker_->power_loss(model));
  std::lock_guard<std::mutex> lock(mutex_);
  crash_at_ = 0;
  crashed_ = false;
  return ok();
}

namespace {

tl::unexpected<Error> power_lost(FsOp op, const fs::path& path, std::uint64_t point) {
  return make_error(ErrorCode::kIOError, std::string(fs_op_name(op)) + " " + path.string() +
                                             ": power lost at write point " +
                                             std::to_string(point) + " (injected)");
}

}  // namespace

Status FaultInjectingFileSystem::check(FsOp op, const fs::path& path) {
  if (crashed_) {
    std::lock_guard<std::mutex> lock(mutex_);
    return power_lost(op, path, crash_at_);
  }
  const std::string text = path.string();
  std::vector<std::function<void(const fs::path&)>> actions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Hook& hook : hooks_) {
      if (hook.op == op && text.find(hook.path_substring) != std::string::npos)
        actions.push_back(hook.action);
    }
  }
  for (const auto& action : actions) action(path);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Rule& rule : rules_) {
    if (rule.op == op && text.find(rule.path_substring) != std::string::npos) {
      return make_error(rule.code, std::string(fs_op_name(op)) + " " + text + ": injected " +
                                       std::string(error_code_name(rule.code)));
    }
  }
  return ok();
}

Status FaultInjectingFileSystem::write_point(FsOp op, const fs::path& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (crashed_) return power_lost(op, path, crash_at_);
  if (crash_at_ != 0 && write_points_ + 1 == crash_at_) {
    crashed_ = true;
    return power_lost(op, path, crash_at_);
  }
  ++write_points_;
  return ok();
}

std::unique_lock<std::mutex> FaultInjectingFileSystem::track() {
  std::unique_lock<std::mutex> hold(tracking_mutex_, std::defer_lock);
  if (tracker_) hold.lock();
  return hold;
}

Result<fs::path> FaultInjectingFileSystem::keep_replaced(const fs::path& path) {
  if (!tracker_) return fs::path();
  return tracker_->keep_replaced(path);
}

std::size_t FaultInjectingFileSystem::admit_write(std::size_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counters_.writes;
  if (!write_limited_) return size;
  std::size_t allowed = static_cast<std::size_t>(std::min<std::uint64_t>(size, write_budget_));
  write_budget_ -= allowed;
  return allowed;
}

void FaultInjectingFileSystem::count_written(std::size_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  counters_.bytes_written += size;
}

bool FaultInjectingFileSystem::rename_should_fail() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counters_.renames;
  if (renames_until_failure_ == 0) return false;
  return --renames_until_failure_ == 0;
}

Result<FileStat> FaultInjectingFileSystem::stat(const fs::path& path) {
  REEL_TRY(check(FsOp::kStat, path));
  return base_.stat(path);
}

Result<std::string> FaultInjectingFileSystem::read_file(const fs::path& path,
                                                        std::uint64_t max_bytes) {
  REEL_TRY(check(FsOp::kReadFile, path));
  return base_.read_file(path, max_bytes);
}

Result<std::unique_ptr<InputStream>> FaultInjectingFileSystem::open_read(const fs::path& path) {
  REEL_TRY(check(FsOp::kOpenRead, path));
  return base_.open_read(path);
}

Result<std::unique_ptr<OutputFile>> FaultInjectingFileSystem::create_temp(
    const fs::path& dest_dir) {
  REEL_TRY(check(FsOp::kCreateTemp, dest_dir));
  REEL_TRY(write_point(FsOp::kCreateTemp, dest_dir));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.temps;
  }
  auto tracking = track();
  auto inner = base_.create_temp(dest_dir);
  if (!inner) return tl::unexpected(inner.error());
  if (tracker_) tracker_->created((*inner)->temp_path(), true);
  return std::unique_ptr<OutputFile>(new Output(*this, std::move(*inner)));
}

Status FaultInjectingFileSystem::write_file_atomic(const fs::path& path, std::string_view data,
                                                   bool sync) {
  REEL_TRY(check(FsOp::kWriteFileAtomic, path));
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  auto out = create_temp(dir);
  if (!out) return tl::unexpected(out.error());
  REEL_TRY((*out)->write(data));
  if (sync) REEL_TRY((*out)->sync());
  REEL_TRY((*out)->commit(path));
  if (sync) REEL_TRY(sync_directory(dir));
  return ok();
}

Status FaultInjectingFileSystem::rename(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(FsOp::kRename, to));
  REEL_TRY(write_point(FsOp::kRename, to));
  if (rename_should_fail()) {
    return make_error(ErrorCode::kIOError, "rename " + from.string() + " to " + to.string() +
                                               ": crash before rename (injected)");
  }
  auto tracking = track();
  if (!tracker_) return base_.rename(from, to);
  // Two names of one inode: rename(2) does nothing, and neither does the tracker.
  auto a = base_.stat(from);
  auto b = base_.stat(to);
  if (a && b && a->type != FileType::kMissing && b->type != FileType::kMissing &&
      a->inode == b->inode && a->device == b->device) {
    return base_.rename(from, to);
  }
  auto stash = tracker_->keep_replaced(to);
  if (!stash) return tl::unexpected(stash.error());
  Status st = base_.rename(from, to);
  if (st) {
    tracker_->renamed(from, to, *stash);
  } else {
    tracker_->forget_replaced(*stash);
  }
  return st;
}

Status FaultInjectingFileSystem::hard_link(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(FsOp::kHardLink, to));
  REEL_TRY(write_point(FsOp::kHardLink, to));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.links;
  }
  auto tracking = track();
  REEL_TRY(base_.hard_link(from, to));
  if (tracker_) tracker_->linked(from, to);
  return ok();
}

Status FaultInjectingFileSystem::clone_file(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(FsOp::kCloneFile, to));
  REEL_TRY(write_point(FsOp::kCloneFile, to));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.clones;
  }
  auto tracking = track();
  auto stash = keep_replaced(to);
  if (!stash) return tl::unexpected(stash.error());
  Status st = base_.clone_file(from, to);
  if (tracker_) {
    if (st) {
      tracker_->created(to, true, *stash);
    } else {
      tracker_->forget_replaced(*stash);
    }
  }
  return st;
}

Status FaultInjectingFileSystem::copy_file(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(FsOp::kCopyFile, to));
  REEL_TRY(write_point(FsOp::kCopyFile, to));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.copies;
  }
  auto tracking = track();
  auto stash = keep_replaced(to);
  if (!stash) return tl::unexpected(stash.error());
  Status st = base_.copy_file(from, to);
  if (tracker_) {
    if (st) {
      tracker_->created(to, true, *stash);
    } else {
      tracker_->forget_replaced(*stash);
    }
  }
  return st;
}

Status FaultInjectingFileSystem::symlink(const fs::path& target, const fs::path& link) {
  REEL_TRY(check(FsOp::kSymlink, link));
  REEL_TRY(write_point(FsOp::kSymlink, link));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.symlinks;
  }
  auto tracking = track();
  REEL_TRY(base_.symlink(target, link));
  if (tracker_) tracker_->created(link, false);
  return ok();
}

Result<fs::path> FaultInjectingFileSystem::read_symlink(const fs::path& link) {
  REEL_TRY(check(FsOp::kReadSymlink, link));
  return base_.read_symlink(link);
}

Status FaultInjectingFileSystem::create_directories(const fs::path& path) {
  REEL_TRY(check(FsOp::kCreateDirectories, path));
  std::lock_guard<std::mutex> one_at_a_time(create_directories_mutex_);
  auto here = base_.stat(path);
  if (!here) return tl::unexpected(here.error());
  if (here->type != FileType::kMissing) return base_.create_directories(path);  // nothing to do
  REEL_TRY(write_point(FsOp::kCreateDirectories, path));
  auto tracking = track();
  if (!tracker_) return base_.create_directories(path);
  auto missing = tracker_->missing_directories(path);
  if (!missing) return tl::unexpected(missing.error());
  REEL_TRY(base_.create_directories(path));
  for (const auto& dir : *missing) tracker_->created(dir, false);
  return ok();
}

Result<std::vector<DirEntry>> FaultInjectingFileSystem::list_dir(const fs::path& path) {
  REEL_TRY(check(FsOp::kListDir, path));
  return base_.list_dir(path);
}

Status FaultInjectingFileSystem::remove(const fs::path& path) {
  REEL_TRY(check(FsOp::kRemove, path));
  auto here = base_.stat(path);
  if (!here) return tl::unexpected(here.error());
  if (here->type == FileType::kMissing) return ok();
  REEL_TRY(write_point(FsOp::kRemove, path));
  auto tracking = track();
  if (!tracker_) return base_.remove(path);
  auto moved = tracker_->remove(path, false);
  if (!moved) return tl::unexpected(moved.error());
  if (!*moved) return base_.remove(path);  // a non-empty directory: the base refuses it
  return ok();
}

Status FaultInjectingFileSystem::remove_all(const fs::path& path) {
  REEL_TRY(check(FsOp::kRemoveAll, path));
  auto here = base_.stat(path);
  if (!here) return tl::unexpected(here.error());
  if (here->type == FileType::kMissing) return ok();
  REEL_TRY(write_point(FsOp::kRemoveAll, path));
  auto tracking = track();
  if (!tracker_) return base_.remove_all(path);
  auto moved = tracker_->remove(path, true);
  if (!moved) return tl::unexpected(moved.error());
  return ok();
}

Status FaultInjectingFileSystem::set_mode(const fs::path& path, std::uint32_t mode) {
  REEL_TRY(check(FsOp::kSetMode, path));
  return base_.set_mode(path, mode);
}

Status FaultInjectingFileSystem::set_mtime(const fs::path& path, std::int64_t mtime_ns) {
  REEL_TRY(check(FsOp::kSetMtime, path));
  return base_.set_mtime(path, mtime_ns);
}

Result<std::optional<std::string>> FaultInjectingFileSystem::get_xattr(const fs::path& path,
                                                                       const std::string& name) {
  REEL_TRY(check(FsOp::kGetXattr, path));
  return base_.get_xattr(path, name);
}

Status FaultInjectingFileSystem::set_xattr(const fs::path& path, const std::string& name,
                                           std::string_view value) {
  REEL_TRY(check(FsOp::kSetXattr, path));
  return base_.set_xattr(path, name, value);
}

Result<std::unique_ptr<FileLock>> FaultInjectingFileSystem::lock_exclusive(const fs::path& path) {
  REEL_TRY(check(FsOp::kLockExclusive, path));
  return base_.lock_exclusive(path);
}

Result<std::unique_ptr<FileLock>> FaultInjectingFileSystem::lock_shared(const fs::path& path) {
  REEL_TRY(check(FsOp::kLockShared, path));
  return base_.lock_shared(path);
}

Result<std::unique_ptr<FileLock>> FaultInjectingFileSystem::lock_exclusive_transient(
    const fs::path& path) {
  REEL_TRY(check(FsOp::kLockExclusiveTransient, path));
  return base_.lock_exclusive_transient(path);
}

Result<std::unique_ptr<FileLock>> FaultInjectingFileSystem::lock_exclusive_byte(
    const fs::path& path, std::uint64_t offset) {
  REEL_TRY(check(FsOp::kLockExclusiveByte, path));
  return base_.lock_exclusive_byte(path, offset);
}

Status FaultInjectingFileSystem::sync_file(const fs::path& path) {
  REEL_TRY(check(FsOp::kSyncFile, path));
  REEL_TRY(write_point(FsOp::kSyncFile, path));
  auto tracking = track();
  REEL_TRY(base_.sync_file(path));
  if (tracker_) tracker_->synced_file(path);
  return ok();
}

Status FaultInjectingFileSystem::sync_directory(const fs::path& path) {
  REEL_TRY(check(FsOp::kSyncDirectory, path));
  REEL_TRY(write_point(FsOp::kSyncDirectory, path));
  auto tracking = track();
  REEL_TRY(base_.sync_directory(path));
  if (tracker_) tracker_->synced_directory(path);
  return ok();
}

Status FaultInjectingFileSystem::sync_filesystem(const fs::path& path) {
  REEL_TRY(check(FsOp::kSyncFilesystem, path));
  REEL_TRY(write_point(FsOp::kSyncFilesystem, path));
  auto tracking = track();
  REEL_TRY(base_.sync_filesystem(path));
  if (tracker_) tracker_->synced_everything();
  return ok();
}

}  // namespace reel
