// Private building blocks of the POSIX FileSystem (file_system.cc): EINTR-safe open/read/write,
// errors that name the operation and the path, and the stream, temp-file and lock classes.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "reel/storage/file_system.h"

namespace reel::posix {

// errno_error(errno, "OP PATH") as an unexpected value, e.g. "open /a/b: No such file or
// directory".
tl::unexpected<Error> sys_error(std::string_view op, const fs::path& path);

// open(2) with O_CLOEXEC, retried on EINTR. Returns -1 with errno set on failure.
int open_retry(const fs::path& path, int flags, mode_t mode = 0);

// close(2) that ignores EINTR (Linux always releases the descriptor).
void close_quietly(int fd);

// write(2) until every byte is written, retrying on EINTR and short writes.
Status write_all(int fd, const void* data, std::size_t size, const fs::path& path);

// read(2), retried on EINTR; returns the byte count (0 at end of file).
Result<std::size_t> read_some(int fd, void* buffer, std::size_t size, const fs::path& path);

// A read-only file descriptor as an InputStream; owns and closes `fd`.
class InputFile : public InputStream {
 public:
  InputFile(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~InputFile() override { close_quietly(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  Result<std::size_t> read(void* buffer, std::size_t size) override {
    return read_some(fd_, buffer, size, path_);
  }

 private:
  int fd_;
  fs::path path_;
};

// A temp file DIR/.tmp-<pid>-<random hex> opened O_CREAT|O_EXCL (see OutputFile). The destructor
// aborts unless the file was committed.
class TempFile : public OutputFile {
 public:
  // Creates the temp file in `dir`, mode 0644 before umask.
  static Result<std::unique_ptr<TempFile>> create(const fs::path& dir);
  ~TempFile() override { abort(); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  using OutputFile::write;
  Status write(const void* data, std::size_t size) override;
  Status sync() override;
  void start_writeback() override;
  Status commit(const fs::path& dest) override;
  void abort() override;
  const fs::path& temp_path() const override { return temp_; }
  // The open descriptor (for copy_file_range and FICLONE); -1 once closed.
  int fd() const { return fd_; }

 private:
  TempFile(int fd, fs::path temp) : fd_(fd), temp_(std::move(temp)) {}
  int fd_;
  fs::path temp_;
  bool done_ = false;  // committed or removed
};

// An flock(2)ed descriptor, unlocked and closed on destruction.
class FlockedFile : public FileLock {
 public:
  explicit FlockedFile(int fd) : fd_(fd) {}
  ~FlockedFile() override;
  FlockedFile(const FlockedFile&) = delete;
  FlockedFile& operator=(const FlockedFile&) = delete;

 private:
  int fd_;
};

// A descriptor holding open file description locks (FileSystem::lock_exclusive_byte): closed on
// destruction, which releases them.
class ClosedFile : public FileLock {
 public:
  explicit ClosedFile(int fd) : fd_(fd) {}
  ~ClosedFile() override;
  ClosedFile(const ClosedFile&) = delete;
  ClosedFile& operator=(const ClosedFile&) = delete;

 private:
  int fd_;
};

// FileSystem::lock_exclusive_transient's lock: on destruction `path` is unlinked while still
// locked (if it is still this descriptor's file), then the descriptor is unlocked and closed.
class TransientLock : public FileLock {
 public:
  TransientLock(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~TransientLock() override;
  TransientLock(const TransientLock&) = delete;
  TransientLock& operator=(const TransientLock&) = delete;

 private:
  int fd_;
  fs::path path_;
};

}  // namespace reel::posix
