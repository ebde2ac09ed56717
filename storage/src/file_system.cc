// The POSIX FileSystem: every call retries on EINTR and names the operation and path in errors.
#include "reel/storage/file_system.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "posix_io.h"

namespace reel {

Status FileSystem::append_file(const fs::path& path, std::string_view data, bool sync) {
  auto st = stat(path);
  if (!st) return tl::unexpected(st.error());
  std::string text;
  if (st->type != FileType::kMissing) {
    auto old = read_file(path, st->size + 1);
    if (!old) return tl::unexpected(old.error());
    text = std::move(*old);
  }
  text.append(data);
  return write_file_atomic(path, text, sync);
}

namespace {

using posix::close_quietly;
using posix::open_retry;
using posix::sys_error;
using posix::TempFile;

FileType type_of(mode_t mode) {
  if (S_ISREG(mode)) return FileType::kRegular;
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  return FileType::kOther;
}

fs::path dir_of(const fs::path& path) {
  return path.parent_path().empty() ? fs::path(".") : path.parent_path();
}

// Copies the rest of `in` into `out` with read/write through a 1 MiB buffer.
Status copy_by_reading(int in, const fs::path& from, TempFile& out) {
  std::string buffer(1 << 20, '\0');
  for (;;) {
    auto n = posix::read_some(in, buffer.data(), buffer.size(), from);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) return ok();
    REEL_TRY(out.write(buffer.data(), *n));
  }
}

// Copies `in` into `out` in the kernel with copy_file_range(2) (reflinks or server-side copies
// where the file system offers them), falling back to read/write where it is refused (across
// file systems on older kernels, special files). Both offsets advance together, so the fallback
// resumes where the kernel copy stopped.
Status copy_contents(int in, const fs::path& from, TempFile& out) {
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, out.fd(), nullptr, std::size_t{1} << 30, 0);
    if (n > 0) continue;
    if (n == 0) return ok();
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL) {
      return copy_by_reading(in, from, out);
    }
    return sys_error("copy " + from.string() + " to", out.temp_path());
  }
}

// Opens `path` read-only without blocking (O_NONBLOCK: opening a FIFO does not wait for a writer)
// and checks with fstat(2) that it is a regular file. Returns the descriptor and the size.
Result<std::pair<int, std::uint64_t>> open_regular(const fs::path& path) {
  int fd = open_retry(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return sys_error("open", path);
  struct ::stat st {};
  if (::fstat(fd, &st) != 0) {
    auto e = sys_error("fstat", path);
    close_quietly(fd);
    return e;
  }
  if (!S_ISREG(st.st_mode)) {
    close_quietly(fd);
    return make_error(ErrorCode::kInvalidArgument,
                      path.string() + ": not a regular file (a FIFO, device, socket or folder)");
  }
  // Regular files ignore O_NONBLOCK; clear it all the same so reads behave as always.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return std::make_pair(fd, static_cast<std::uint64_t>(st.st_size));
}

tl::unexpected<Error> too_large(const fs::path& path, std::uint64_t max_bytes) {
  return make_error(ErrorCode::kInvalidArgument, path.string() + ": larger than " +
                                                     std::to_string(max_bytes) +
                                                     " bytes, the most reel reads of it");
}

class PosixFileSystem : public FileSystem {
 public:
  Result<FileStat> stat(const fs::path& path) override {
    struct ::stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return FileStat{};
      return sys_error("stat", path);
    }
    FileStat out;
    out.type = type_of(st.st_mode);
    out.size = static_cast<std::uint64_t>(st.st_size);
    out.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    out.ctime_ns = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
    out.inode = st.st_ino;
    out.device = st.st_dev;
    out.mode = st.st_mode & 07777;
    out.nlink = st.st_nlink;
    return out;
  }

  using FileSystem::read_file;
  Result<std::string> read_file(const fs::path& path, std::uint64_t max_bytes) override {
    auto opened = open_regular(path);
    if (!opened) return tl::unexpected(opened.error());
    auto [fd, size] = *opened;
    posix::InputFile in(fd, path);
    if (size > max_bytes) return too_large(path, max_bytes);
    // Straight into the string: room for the size fstat gave plus one byte, so a file that grew
    // since is noticed; reads go on until end of file.
    std::string out(static_cast<std::size_t>(size) + 1, '\0');
    std::size_t got = 0;
    for (;;) {
      if (got == out.size()) {
        if (got > max_bytes) return too_large(path, max_bytes);  // it grew
        out.resize(std::min<std::uint64_t>(std::uint64_t{got} * 2, max_bytes) + 1);
      }
      auto n = in.read(out.data() + got, out.size() - got);
      if (!n) return tl::unexpected(n.error());
      if (*n == 0) break;
      got += *n;
    }
    if (got > max_bytes) return too_large(path, max_bytes);
    out.resize(got);
    return out;
  }

  Result<std::unique_ptr<InputStream>> open_read(const fs::path& path) override {
    auto opened = open_regular(path);
    if (!opened) return tl::unexpected(opened.error());
    return std::unique_ptr<InputStream>(new posix::InputFile(opened->first, path));
  }

  Result<std::unique_ptr<OutputFile>> create_temp(const fs::path& dest_dir) override {
    auto temp = TempFile::create(dest_dir);
    if (!temp) return tl::unexpected(temp.error());
    return std::unique_ptr<OutputFile>(std::move(*temp));
  }

  Status write_file_atomic(const fs::path& path, std::string_view data, bool sync) override {
    fs::path dir = dir_of(path);
    auto out = TempFile::create(dir);
    if (!out) return tl::unexpected(out.error());
    REEL_TRY((*out)->write(data));
    if (sync) REEL_TRY((*out)->sync());
    REEL_TRY((*out)->commit(path));
    if (sync) REEL_TRY(sync_directory(dir));
    return ok();
  }

  Status append_file(const fs::path& path, std::string_view data, bool sync) override {
    struct stat before;
    const bool existed = ::lstat(path.c_str(), &before) == 0;
    int fd = open_retry(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0644);
    if (fd < 0) return sys_error("open for appending", path);
    Status written = posix::write_all(fd, data.data(), data.size(), path);
    if (written && sync) {
      int rc;
      do {
        rc = ::fsync(fd);
      } while (rc != 0 && errno == EINTR);
      if (rc != 0) written = sys_error("fsync", path);
    }
    close_quietly(fd);
    if (!written) return written;
    if (sync && !existed) REEL_TRY(sync_directory(dir_of(path)));
    return ok();
  }

  Status rename(const fs::path& from, const fs::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return sys_error("rename " + from.string() + " to", to);
    }
    return ok();
  }

  Status hard_link(const fs::path& from, const fs::path& to) override {
    if (::link(from.c_str(), to.c_str()) != 0)
      return sys_error("link " + from.string() + " to", to);
    return ok();
  }

  // Clones into a temp file beside `to`, then renames it over `to`: nothing is left behind when
  // the file system has no FICLONE (ext4) or the clone fails.
  Status clone_file(const fs::path& from, const fs::path& to) override {
    auto opened = open_regular(from);
    if (!opened) return tl::unexpected(opened.error());
    const int in = opened->first;
    posix::InputFile input(in, from);
    auto out = TempFile::create(dir_of(to));
    if (!out) return tl::unexpected(out.error());
    if (::ioctl((*out)->fd(), FICLONE, in) != 0) {
      int err = errno;
      (*out)->abort();
      if (err == EOPNOTSUPP || err == ENOTTY || err == EXDEV || err == EINVAL || err == ENOSYS) {
        return make_error(ErrorCode::kUnsupported,
                          "clone " + from.string() + " to " + to.string() +
                              ": the file system does not support FICLONE");
      }
      return tl::unexpected(errno_error(err, "clone " + from.string() + " to " + to.string()));
    }
    return (*out)->commit(to);
  }

  Status copy_file(const fs::path& from, const fs::path& to) override {
    auto opened = open_regular(from);
    if (!opened) return tl::unexpected(opened.error());
    const int in = opened->first;
    posix::InputFile input(in, from);
    auto out = TempFile::create(dir_of(to));
    if (!out) return tl::unexpected(out.error());
    REEL_TRY(copy_contents(in, from, **out));
    return (*out)->commit(to);
  }

  Status symlink(const fs::path& target, const fs::path& link) override {
    if (::symlink(target.c_str(), link.c_str()) != 0) {
      return sys_error("symlink " + target.string() + " at", link);
    }
    return ok();
  }

  Result<fs::path> read_symlink(const fs::path& link) override {
    for (std::size_t size = 256;; size *= 4) {
      std::string buffer(size, '\0');
      ssize_t n = ::readlink(link.c_str(), buffer.data(), buffer.size());
      if (n < 0) return sys_error("readlink", link);
      if (static_cast<std::size_t>(n) < size) {
        buffer.resize(static_cast<std::size_t>(n));
        return fs::path(buffer);
      }
    }
  }

  Status create_directories(const fs::path& path) override {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return tl::unexpected(errno_error(ec.value(), "mkdir " + path.string()));
    return ok();
  }

  Result<std::vector<DirEntry>> list_dir(const fs::path& path) override {
    std::vector<DirEntry> out;
    std::error_code ec;
    fs::directory_iterator it(path, ec), end;
    if (ec) return tl::unexpected(errno_error(ec.value(), "list " + path.string()));
    for (; it != end; it.increment(ec)) {
      if (ec) return tl::unexpected(errno_error(ec.value(), "list " + path.string()));
      auto st = it->symlink_status(ec);
      FileType type = FileType::kOther;
      if (ec)
        type = FileType::kMissing;  // removed while listing
      else if (fs::is_symlink(st))
        type = FileType::kSymlink;
      else if (fs::is_regular_file(st))
        type = FileType::kRegular;
      else if (fs::is_directory(st))
        type = FileType::kDirectory;
      out.push_back({it->path().filename().string(), type});
    }
    if (ec) return tl::unexpected(errno_error(ec.value(), "list " + path.string()));
    std::sort(out.begin(), out.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return out;
  }

  Status remove(const fs::path& path) override {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return ok();
    if (errno == EISDIR || errno == EPERM) {
      if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return ok();
    }
    return sys_error("remove", path);
  }

  Status remove_all(const fs::path& path) override {
    auto st = stat(path);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kMissing) return ok();
    if (st->type != FileType::kDirectory) return remove(path);
    // Entries of a read-only directory cannot be unlinked: make it writable (and searchable).
    if ((st->mode & 0700) != 0700 && ::chmod(path.c_str(), st->mode | 0700) != 0) {
      return sys_error("chmod", path);
    }
    auto entries = list_dir(path);
    if (!entries) return tl::unexpected(entries.error());
    for (const auto& e : *entries) REEL_TRY(remove_all(path / e.name));
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return sys_error("rmdir", path);
    return ok();
  }

  Status set_mode(const fs::path& path, std::uint32_t mode) override {
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) return sys_error("chmod", path);
    return ok();
  }

  Status set_mtime(const fs::path& path, std::int64_t mtime_ns) override {
    struct timespec times[2];
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = static_cast<time_t>(mtime_ns / 1000000000);
    times[1].tv_nsec = static_cast<long>(mtime_ns % 1000000000);
    if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      return sys_error("set the mtime of", path);
    return ok();
  }

  Result<std::optional<std::string>> get_xattr(const fs::path& path,
                                               const std::string& name) override {
    char buffer[256];
    ssize_t n = ::lgetxattr(path.c_str(), name.c_str(), buffer, sizeof buffer);
    if (n >= 0) return std::optional<std::string>(std::string(buffer, static_cast<std::size_t>(n)));
    if (errno == ENODATA || errno == ERANGE) return std::optional<std::string>();  // ERANGE: not ours
    if (errno == ENOTSUP) {
      return make_error(ErrorCode::kUnsupported,
                        path.string() + ": the file system keeps no extended attributes");
    }
    return sys_error("read the extended attribute " + name + " of", path);
  }

  Status set_xattr(const fs::path& path, const std::string& name,
                   std::string_view value) override {
    if (::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) == 0) return ok();
    if (errno == ENOTSUP) {
      return make_error(ErrorCode::kUnsupported,
                        path.string() + ": the file system keeps no extended attributes");
    }
    return sys_error("set the extended attribute " + name + " of", path);
  }

  Result<std::unique_ptr<FileLock>> lock_exclusive(const fs::path& path) override {
    return lock(path, LOCK_EX);
  }

  Result<std::unique_ptr<FileLock>> lock_shared(const fs::path& path) override {
    return lock(path, LOCK_SH);
  }

  Result<std::unique_ptr<FileLock>> lock_exclusive_transient(const fs::path& path) override {
    for (;;) {
      int fd = open_retry(path, O_RDWR | O_CREAT, 0644);
      if (fd < 0) return sys_error("open lock file", path);
      int rc;
      do {
        rc = ::flock(fd, LOCK_EX);
      } while (rc != 0 && errno == EINTR);
      struct ::stat held {}, now {};
      if (rc != 0 || ::fstat(fd, &held) != 0) {
        auto e = sys_error(rc != 0 ? "flock" : "fstat", path);
        close_quietly(fd);
        return e;
      }
      if (::stat(path.c_str(), &now) == 0 && now.st_ino == held.st_ino &&
          now.st_dev == held.st_dev) {
        return std::unique_ptr<FileLock>(new posix::TransientLock(fd, path));
      }
      // The holder before us unlinked this file as it finished: the lock is the file at `path`
      // now (or a new one).
      close_quietly(fd);
    }
  }

  Result<std::unique_ptr<FileLock>> lock_exclusive_byte(const fs::path& path,
                                                        std::uint64_t offset) override {
    if (offset >= (std::uint64_t{1} << 62))
      return make_error(ErrorCode::kInvalidArgument,
                        path.string() + ": lock offset " + std::to_string(offset) + " too large");
    int fd = open_retry(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) return sys_error("open lock file", path);
    struct ::flock range {};
    range.l_type = F_WRLCK;
    range.l_whence = SEEK_SET;
    range.l_start = static_cast<off_t>(offset);
    range.l_len = 1;
    range.l_pid = 0;  // required for F_OFD_* (fcntl(2))
    int rc;
    do {
      rc = ::fcntl(fd, F_OFD_SETLKW, &range);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      auto e = sys_error("fcntl F_OFD_SETLKW", path);
      close_quietly(fd);
      return e;
    }
    // Closing the descriptor (its only one) releases the lock.
    return std::unique_ptr<FileLock>(new posix::ClosedFile(fd));
  }

  static Result<std::unique_ptr<FileLock>> lock(const fs::path& path, int operation) {
    int fd = open_retry(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) return sys_error("open lock file", path);
    int rc;
    do {
      rc = ::flock(fd, operation);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      auto e = sys_error("flock", path);
      close_quietly(fd);
      return e;
    }
    return std::unique_ptr<FileLock>(new posix::FlockedFile(fd));
  }

  Status sync_file(const fs::path& path) override {
    int fd = open_retry(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) return sys_error("open", path);
    int rc;
    do {
      rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      auto e = sys_error("fsync", path);
      close_quietly(fd);
      return e;
    }
    close_quietly(fd);
    return ok();
  }

  Status sync_directory(const fs::path& path) override {
    int fd = open_retry(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return sys_error("open directory", path);
    if (::fsync(fd) != 0) {
      auto e = sys_error("fsync", path);
      close_quietly(fd);
      return e;
    }
    close_quietly(fd);
    return ok();
  }

  Status sync_filesystem(const fs::path& path) override {
    int fd = open_retry(path, O_RDONLY);
    if (fd < 0) return sys_error("open", path);
    if (::syncfs(fd) != 0) {
      auto e = sys_error("syncfs", path);
      close_quietly(fd);
      return e;
    }
    close_quietly(fd);
    return ok();
  }
};

}  // namespace

std::unique_ptr<FileSystem> make_real_file_system() { return std::make_unique<PosixFileSystem>(); }

}  // namespace reel
