// EINTR-safe POSIX I/O helpers, errno mapping and the temp-file and lock classes.
#include "posix_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace reel {

Error errno_error(int err, std::string_view what) {
  ErrorCode code = ErrorCode::kIOError;
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      code = ErrorCode::kNotFound;
      break;
    case ENOSPC:
    case EDQUOT:
      code = ErrorCode::kNoSpace;
      break;
    case EEXIST:
      code = ErrorCode::kAlreadyExists;
      break;
    case EXDEV:
    case EOPNOTSUPP:
    case ENOTTY:
      code = ErrorCode::kUnsupported;
      break;
    default:
      break;
  }
  return Error{code, std::string(what) + ": " + std::strerror(err)};
}

namespace posix {
namespace {

// 16 random hex digits. The generator is per thread; a forked child repeats its parent's
// sequence, which is harmless because the pid is part of every temp name.
std::string random_hex() {
  thread_local std::mt19937_64 rng((static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                                   std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  std::uint64_t v = rng();
  for (auto& c : s) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return s;
}

}  // namespace

tl::unexpected<Error> sys_error(std::string_view op, const fs::path& path) {
  int err = errno;
  return tl::unexpected(errno_error(err, std::string(op) + " " + path.string()));
}

int open_retry(const fs::path& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

void close_quietly(int fd) {
  if (fd >= 0) ::close(fd);
}

Status write_all(int fd, const void* data, std::size_t size, const fs::path& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write", path);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok();
}

Result<std::size_t> read_some(int fd, void* buffer, std::size_t size, const fs::path& path) {
  for (;;) {
    ssize_t n = ::read(fd, buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return sys_error("read", path);
  }
}

Result<std::unique_ptr<TempFile>> TempFile::create(const fs::path& dir) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path temp = dir / (".tmp-" + std::to_string(::getpid()) + "-" + random_hex());
    int fd = open_retry(temp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) return std::unique_ptr<TempFile>(new TempFile(fd, std::move(temp)));
    if (errno != EEXIST) return sys_error("create", temp);
  }
  return make_error(ErrorCode::kIOError,
                    "create a temp file in " + dir.string() + ": 16 random names were all taken");
}

Status TempFile::write(const void* data, std::size_t size) {
  if (fd_ < 0)
    return make_error(ErrorCode::kIOError, "write " + temp_.string() + ": file is closed");
  return write_all(fd_, data, size, temp_);
}

Status TempFile::sync() {
  if (fd_ < 0)
    return make_error(ErrorCode::kIOError, "fsync " + temp_.string() + ": file is closed");
  int rc;
  do {
    rc = ::fsync(fd_);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return sys_error("fsync", temp_);
  return ok();
}

void TempFile::start_writeback() {
  if (fd_ >= 0) (void)::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
}

Status TempFile::commit(const fs::path& dest) {
  if (fd_ < 0 || done_) {
    return make_error(ErrorCode::kIOError, "commit " + temp_.string() + ": file is closed");
  }
  // close(2) reports delayed write errors (NFS, quota): a failed close is a failed write.
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0 && errno != EINTR) {
    auto e = sys_error("close", temp_);
    abort();
    return e;
  }
  if (::rename(temp_.c_str(), dest.c_str()) != 0) {
    auto e = sys_error("rename " + temp_.string() + " to", dest);
    abort();
    return e;
  }
  done_ = true;
  return ok();
}

void TempFile::abort() {
  close_quietly(fd_);
  fd_ = -1;
  if (!done_) {
    ::unlink(temp_.c_str());
    done_ = true;
  }
}

FlockedFile::~FlockedFile() {
  ::flock(fd_, LOCK_UN);
  close_quietly(fd_);
}

ClosedFile::~ClosedFile() { close_quietly(fd_); }

TransientLock::~TransientLock() {
  struct ::stat held {}, now {};
  if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &now) == 0 &&
      held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
    ::unlink(path_.c_str());  // waiters holding this inode see it unlinked and try again
  }
  ::flock(fd_, LOCK_UN);
  close_quietly(fd_);
}

}  // namespace posix
}  // namespace reel
