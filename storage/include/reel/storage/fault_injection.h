// A FileSystem wrapper that injects faults, for the tests of every library (after LevelDB's
// db/fault_injection_test.cc): running out of space part-way through a write, a crash just before
// a rename (the temp file stays where it is, as after a kill), and failures of any operation on
// matching paths. It also counts what went through it. Not for production use.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/file_system.h"

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
  // Removes every fault and every `before` action; counters are kept.
  void clear_faults();
  FsCounters counters() const;

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
  Status set_xattr(const fs::path& path, const std::string& name,
                   std::string_view value) override;
  Result<std::unique_ptr<FileLock>> lock_exclusive(const fs::path& path) override;
  Result<std::unique_ptr<FileLock>> lock_shared(const fs::path& path) override;
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

  // Runs matching `before` actions, then returns an injected error if a fail_on rule matches.
  Status check(FsOp op, const fs::path& path);
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
};

}  // namespace reel
