// The file-system seam (after LevelDB's Env and ninja's DiskInterface): every touch of the disk
// by reel's libraries goes through FileSystem, so tests can fake it and inject faults (no space,
// a failed rename, a crash before a rename). make_real_file_system() is the POSIX implementation.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/error.h"

namespace reel {

namespace fs = std::filesystem;

enum class FileType { kMissing, kRegular, kDirectory, kSymlink, kOther };

// lstat(2) facts. Times in nanoseconds since the Unix epoch.
struct FileStat {
  FileType type = FileType::kMissing;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
  std::uint32_t mode = 0;  // permission bits (st_mode & 07777)
  std::uint64_t nlink = 0;
};

struct DirEntry {
  std::string name;  // a single path component, never "." or ".."
  FileType type = FileType::kOther;
};

// A readable byte stream. read() returns the number of bytes read, 0 at end of file.
class InputStream {
 public:
  virtual ~InputStream() = default;
  virtual Result<std::size_t> read(void* buffer, std::size_t size) = 0;
};

// A file being written under a temporary name in its destination's directory (same file system,
// so commit() is an atomic rename). If neither commit() nor abort() is called, the destructor
// aborts (removes the temp file).
class OutputFile {
 public:
  virtual ~OutputFile() = default;
  virtual Status write(const void* data, std::size_t size) = 0;
  Status write(std::string_view data) { return write(data.data(), data.size()); }
  // fsync(2)s the data. Call before commit() when durability matters.
  virtual Status sync() = 0;
  // Starts writing the data to disk without waiting (sync_file_range(2) SYNC_FILE_RANGE_WRITE), so
  // that a later fsync of the committed file finds it mostly written: the write-back overlaps
  // the work that follows. Advisory: never fails the write (a no-op where unsupported).
  virtual void start_writeback() = 0;
  // Closes and renames the temp file to `dest`, replacing any file there.
  virtual Status commit(const fs::path& dest) = 0;
  // Closes and removes the temp file.
  virtual void abort() = 0;
  virtual const fs::path& temp_path() const = 0;
};

// An advisory lock held until destroyed (flock(2) on a lock file).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// Every disk operation reel's libraries make. Implementations are thread-safe. Paths are absolute
// or relative to the process's working directory. Errors carry the path in their message and use
// kNotFound (ENOENT), kNoSpace (ENOSPC/EDQUOT), kAlreadyExists (EEXIST), kUnsupported, kIOError.
class FileSystem {
 public:
  // The bound of read_file(path) without an explicit limit: 64 MiB, the largest index file,
  // lock file or package archive reel reads whole.
  static constexpr std::uint64_t kDefaultMaxReadBytes = std::uint64_t{64} << 20;

  virtual ~FileSystem() = default;

  // lstat(2); a missing path is not an error: it returns type kMissing.
  virtual Result<FileStat> stat(const fs::path& path) = 0;
  // Whole-file read of a regular file of at most `max_bytes` bytes, for small files (manifests,
  // indexes, locks, archives): every read is bounded (DESIGN §8). Symlinks are followed; what they
  // lead to must be a regular file. The open never blocks (O_NONBLOCK: a FIFO cannot hang it).
  // kInvalidArgument naming the path for a FIFO, device, socket or folder ("not a regular file")
  // and for a file larger than `max_bytes` (also one that grows past it while being read).
  virtual Result<std::string> read_file(const fs::path& path, std::uint64_t max_bytes) = 0;
  // read_file bounded by kDefaultMaxReadBytes.
  Result<std::string> read_file(const fs::path& path) {
    return read_file(path, kDefaultMaxReadBytes);
  }
  // Opens a regular file for streaming (symlinks followed; never blocks on a FIFO).
  // kInvalidArgument naming the path if it is not a regular file; kNotFound, kIOError.
  virtual Result<std::unique_ptr<InputStream>> open_read(const fs::path& path) = 0;
  // Creates a temp file in `dest_dir` (which must exist), mode 0644 before umask.
  virtual Result<std::unique_ptr<OutputFile>> create_temp(const fs::path& dest_dir) = 0;
  // Temp file + optional fsync + rename + (if sync) fsync of the directory.
  virtual Status write_file_atomic(const fs::path& path, std::string_view data, bool sync) = 0;
  // Appends `data` to `path` (created, mode 0644 before umask, if missing), then, if `sync`,
  // fsyncs the file, and its directory when the file was created. Not atomic: a crash may leave
  // part of `data` at the end (a torn last line of an append-only log, audit_log.h). The default
  // reads the file and rewrites it with write_file_atomic (fakes and wrappers get its write
  // points); the POSIX file system appends with O_APPEND.
  virtual Status append_file(const fs::path& path, std::string_view data, bool sync);
  virtual Status rename(const fs::path& from, const fs::path& to) = 0;
  // link(2). kAlreadyExists if `to` exists.
  virtual Status hard_link(const fs::path& from, const fs::path& to) = 0;
  // ioctl(FICLONE): a copy-on-write clone, made in a temp file beside `to` and renamed over it.
  // kUnsupported where the file system has none (ext4); nothing is left behind on failure.
  virtual Status clone_file(const fs::path& from, const fs::path& to) = 0;
  // A byte copy (copy_file_range, falling back to read/write) into a temp file beside `to`,
  // renamed over it; mode 0644 before umask. Nothing is left behind on failure.
  virtual Status copy_file(const fs::path& from, const fs::path& to) = 0;
  virtual Status symlink(const fs::path& target, const fs::path& link) = 0;
  virtual Result<fs::path> read_symlink(const fs::path& link) = 0;
  // mkdir -p.
  virtual Status create_directories(const fs::path& path) = 0;
  // Entries sorted by name.
  virtual Result<std::vector<DirEntry>> list_dir(const fs::path& path) = 0;
  // Removes a file, symlink or empty directory; a missing path is not an error.
  virtual Status remove(const fs::path& path) = 0;
  // rm -rf (makes read-only directories writable first); a missing path is not an error.
  virtual Status remove_all(const fs::path& path) = 0;
  // chmod(2) with permission bits.
  virtual Status set_mode(const fs::path& path, std::uint32_t mode) = 0;
  // Sets the modification time (nanoseconds since the Unix epoch) of `path` itself
  // (utimensat(2), AT_SYMLINK_NOFOLLOW); the access time is left alone.
  virtual Status set_mtime(const fs::path& path, std::int64_t mtime_ns) = 0;
  // An extended attribute of `path` itself (lgetxattr(2)), or nullopt when it has none of that
  // name. kUnsupported where the file system keeps no extended attributes; kIOError.
  virtual Result<std::optional<std::string>> get_xattr(const fs::path& path,
                                                       const std::string& name) = 0;
  // Sets an extended attribute of `path` itself (lsetxattr(2); "user." names need write access
  // to the file, or to be its owner or root). kUnsupported where the file system keeps none.
  virtual Status set_xattr(const fs::path& path, const std::string& name,
                           std::string_view value) = 0;
  // Blocks until an exclusive flock on `path` (created if missing) is held.
  virtual Result<std::unique_ptr<FileLock>> lock_exclusive(const fs::path& path) = 0;
  // Blocks until a shared flock on `path` (created if missing) is held: many holders at once,
  // none while an exclusive lock is held.
  virtual Result<std::unique_ptr<FileLock>> lock_shared(const fs::path& path) = 0;
  // Like lock_exclusive, for a lock file that should exist only while it is in use (what the
  // per-package fetch locks were, CACHE/locks/fetch-*, before lock_exclusive_byte; the default
  // lock_exclusive_byte still uses it): when the returned lock is destroyed, the file
  // is unlinked while still locked, then unlocked. A waiter that gets the lock next compares its
  // descriptor's inode with the path's (fstat vs stat); when they differ (unlinked, or already
  // a new file) it closes and tries again on what is at `path` now, so holders of one name never
  // overlap (the lock / unlink / re-check-the-inode pattern). The default, for a file system
  // without one of its own, is lock_exclusive (the file stays). Errors as lock_exclusive's.
  virtual Result<std::unique_ptr<FileLock>> lock_exclusive_transient(const fs::path& path) {
    return lock_exclusive(path);
  }
  // Blocks until an exclusive lock on one byte, at `offset` (below 2^62), of the file at `path`
  // (created empty if missing; it stays) is held: an open file description lock (fcntl(2)
  // F_OFD_SETLKW), so holders of different offsets never wait on each other, two threads of one
  // process holding the same offset do, and the lock goes when the returned object is destroyed
  // (or the process dies). One file serves any number of keys (the per-package fetch locks: a
  // cold sync of 658 packages creates no lock files). Holders must take several offsets in one
  // order (no deadlock detection). The default, for a file system without one of its own, is
  // lock_exclusive_transient of its own file per offset, `<path>-<offset>` (the same exclusion;
  // one file a holder). Errors as lock_exclusive's; kInvalidArgument for an offset of 2^62 or
  // more.
  virtual Result<std::unique_ptr<FileLock>> lock_exclusive_byte(const fs::path& path,
                                                                std::uint64_t offset) {
    return lock_exclusive_transient(path.string() + "-" + std::to_string(offset));
  }
  // fsync(2) of an existing file (opened read-only): makes its data and inode durable.
  virtual Status sync_file(const fs::path& path) = 0;
  // fsync(2) of a directory, to make renames and creations in it durable.
  virtual Status sync_directory(const fs::path& path) = 0;
  // syncfs(2) of the file system holding `path`: one batched flush instead of an fsync per file
  // (a publish of thousands of objects flushes once, before its index entry is written).
  virtual Status sync_filesystem(const fs::path& path) = 0;
};

// The POSIX implementation.
std::unique_ptr<FileSystem> make_real_file_system();

// Renders errno `err` for `what` ("open /a/b") into an Error with the matching code.
Error errno_error(int err, std::string_view what);

}  // namespace reel
