// A FileSystem wrapper that injects faults, for the tests of every library (after LevelDB's
// db/fault_injection_test.cc): running out of space part-way through a write, a crash just before
// a rename (the temp file stays where it is, as after a kill), failures of any operation on
// matching paths, and power loss: the process stops at its Nth write point and what it had not
// made durable is taken away (power_loss.h has the model). It also counts what went through it.
// Test support: it lives in the reel_storage_testing library, which reel itself never links.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/file_system.h"
#include "reel/storage/power_loss.h"

namespace reel {

// The operations of FileSystem and OutputFile, for FaultInjectingFileSystem::fail_on.
enum class FsOp {
  kStat,
  kReadFile,
  kOpenRead,
  kCreateTemp,
  kWrite,   // OutputFile::write; the path is the temp file's
  kSync,    // OutputFile::sync; the path is the temp file's
  kCommit,  // OutputFile::commit; the path is the destination
  kWriteFileAtomic,
  kRename,     // the path is the destination
  kHardLink,   // the path is the new link
  kCloneFile,  // the path is the destination
  kCopyFile,   // the path is the destination
  kSymlink,    // the path is the link
  kReadSymlink,
  kCreateDirectories,
  kListDir,
  kRemove,
  kRemoveAll,
  kSetMode,
  kSetMtime,
  kGetXattr,
  kSetXattr,
  kLockExclusive,
  kLockShared,
  kLockExclusiveTransient,
  kLockExclusiveByte,
  kSyncFile,
  kSyncDirectory,
  kSyncFilesystem,
};

// The snake_case name of an operation ("hard_link"), used in injected error messages.
std::string_view fs_op_name(FsOp op);

// Calls made through the wrapper that no fail_on rule refused (a write that runs out of space
// and a rename that "crashes" are counted).
struct FsCounters {
  std::uint64_t writes = 0;         // OutputFile::write calls
  std::uint64_t bytes_written = 0;  // bytes actually written by them
  std::uint64_t renames = 0;        // rename + OutputFile::commit (+ write_file_atomic's commit)
  std::uint64_t links = 0;          // hard_link
  std::uint64_t clones = 0;         // clone_file
  std::uint64_t copies = 0;         // copy_file
  std::uint64_t symlinks = 0;       // symlink
  std::uint64_t temps = 0;          // create_temp (+ write_file_atomic's temp)
};

// Wraps `base` (which must outlive it, as must the wrapper outlive the OutputFiles it returns).
// Operations pass through to `base` unless a fault fires. write_file_atomic is built from this
// wrapper's own create_temp/write/sync/commit, so every knob applies to it. Thread-safe.
class FaultInjectingFileSystem : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem& base) : base_(base) {}

  // After `bytes` more bytes have been written through OutputFile::write (in total, across every
  // file), writes fail with kNoSpace, as on a full disk: the write that crosses the limit writes
  // the part that fits, then fails.
  void fail_writes_after(std::uint64_t bytes);
  // The `n`th rename or commit from now (1 = the next one) fails with kIOError without renaming,
  // as if the process died just before it: a committed temp file stays where it is. Once only.
  void fail_nth_rename(std::uint64_t n);
  // Every `op` on a path containing `path_substring` ("" matches every path) fails with `code`.
  void fail_on(FsOp op, std::string path_substring, ErrorCode code = ErrorCode::kIOError);
  // Runs `action(path)` just before every `op` on a path containing `path_substring`, outside the
  // wrapper's lock: a concurrent writer changing a file between two operations, deterministically
  // (e.g. appending to a file as it is opened for hashing).
  void before(FsOp op, std::string path_substring, std::function<void(const fs::path&)> action);
  // Removes every fault and every `before` action, and disarms crash_at_write_point; counters
  // and durability tracking are kept.
  void clear_faults();
  FsCounters counters() const;

  // Power loss (issue 11). A write point is every call that may change the disk: create_temp,
  // OutputFile::write/sync/commit/abort, rename, hard_link, clone_file, copy_file, symlink,
  // sync_file, sync_directory, sync_filesystem, and create_directories, remove and remove_all
  // when they have something to do (write_file_atomic is its temp file's points). chmod, mtime,
  // xattr and lock calls are not write points.
  //
  // Starts tracking durability (power_loss.h): from now on the wrapper records which file data
  // and which directory entries are not yet durable; whatever is on disk now counts as durable.
  // `stash_dir`: an empty folder on the same file system, outside every folder the code under
  // test lists (it keeps replaced and removed files until a power loss needs them back). While
  // tracking, the wrapper's changing calls run one at a time.
  void track_durability(const fs::path& stash_dir);
  // The `n`th write point from now (1 = the next one) does not happen: the process "dies" just
  // before it. That call and every later call of any kind fail with kIOError ("power lost …
  // (injected)") without touching the disk, and temp files stay where they are (a dead process
  // removes nothing). The code under test unwinds through its error paths, which then do nothing.
  void crash_at_write_point(std::uint64_t n);
  // Write points passed so far (whether or not a crash was armed; the refused one not included).
  std::uint64_t write_points() const;
  // True once the armed write point was reached.
  bool crashed() const { return crashed_.load(); }
  // Takes away what was not durable, per `model`, once the code under test has stopped (no call
  // may be running). Needs track_durability. Afterwards the wrapper works again, with nothing
  // armed, and everything on disk is durable. Errors: kInvalidArgument without tracking; the
  // base file system's.
  Status simulate_power_loss(PowerLossModel model);
  // The tracker's view (tests of the model itself); nullptr without tracking.
  const DurabilityTracker* durability() const { return tracker_.get(); }

  Result<FileStat> stat(const fs::path& path) override;
  using FileSystem::read_file;
  Result<std::string> read_file(const fs::path& path, std::uint64_t max_bytes) override;
  Result<std::unique_ptr<InputStream>> open_read(const fs::path& path) override;
  Result<std::unique_ptr<OutputFile>> create_temp(const fs::path& dest_dir) override;
  Status write_file_atomic(const fs::path& path, std::string_view data, bool sync) override;
  Status rename(const fs::path& from, const fs::path& to) override;
  Status hard_link(const fs::path& from, const fs::path& to) override;
  Status clone_file(const fs::path& from, const fs::path& to) override;
  Status copy_file(const fs::path& from, const fs::path& to) override;
  Status symlink(const fs::path& target, const fs::path& link) override;
  Result<fs::path> read_symlink(const fs::path& link) override;
  Status create_directories(const fs::path& path) override;
  Result<std::vector<DirEntry>> list_dir(const fs::path& path) override;
  Status remove(const fs::path& path) override;
  Status remove_all(const fs::path& path) override;
  Status set_mode(const fs::path& path, std::uint32_t mode) override;
  Status set_mtime(const fs::path& path, std::int64_t mtime_ns) override;
  Result<std::optional<std::string>> get_xattr(const fs::path& path,
                                               const std::string& name) override;
  Status set_xattr(const fs::path& path, const std::string& name, std::string_view value) override;
  Result<std::unique_ptr<FileLock>> lock_exclusive(const fs::path& path) override;
  Result<std::unique_ptr<FileLock>> lock_shared(const fs::path& path) override;
  Result<std::unique_ptr<FileLock>> lock_exclusive_transient(const fs::path& path) override;
  Result<std::unique_ptr<FileLock>> lock_exclusive_byte(const fs::path& path,
                                                        std::uint64_t offset) override;
  Status sync_file(const fs::path& path) override;
  Status sync_directory(const fs::path& path) override;
  Status sync_filesystem(const fs::path& path) override;

 private:
  class Output;  // the OutputFile wrapper
  struct Rule {
    FsOp op;
    std::string path_substring;
    ErrorCode code;
  };
  struct Hook {
    FsOp op;
    std::string path_substring;
    std::function<void(const fs::path&)> action;
  };

  // Runs matching `before` actions, then returns an injected error if a fail_on rule matches,
  // or the power-lost error once crashed.
  Status check(FsOp op, const fs::path& path);
  // Counts a write point; the power-lost error (and crashed() from now on) if it is the armed one.
  Status write_point(FsOp op, const fs::path& path);
  // Holds the tracking lock while tracking (changing calls run one at a time then).
  std::unique_lock<std::mutex> track();
  // A stash path for `path` if it exists and an operation is about to replace it (tracking only).
  Result<fs::path> keep_replaced(const fs::path& path);
  // Counts a write of `size` bytes and returns how many may be written before the disk is "full".
  std::size_t admit_write(std::size_t size);
  void count_written(std::size_t size);
  // Counts a rename; true if it is the one to fail.
  bool rename_should_fail();

  FileSystem& base_;
  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::vector<Hook> hooks_;
  bool write_limited_ = false;
  std::uint64_t write_budget_ = 0;           // bytes still allowed when write_limited_
  std::uint64_t renames_until_failure_ = 0;  // 0: no rename fault armed
  FsCounters counters_;
  std::uint64_t write_points_ = 0;
  std::uint64_t crash_at_ = 0;  // write point that crashes; 0: none armed
  std::atomic<bool> crashed_{false};
  std::mutex tracking_mutex_;
  std::unique_ptr<DurabilityTracker> tracker_;
  // Serialises create_directories' look-then-create, so that threads racing to make one folder
  // count one write point between them (the sweep's count of points stays deterministic).
  std::mutex create_directories_mutex_;
};

}  // namespace reel
