// The POSIX FileSystem: every call retries on EINTR and names the operation and path in errors.
#include "reel/storage/file_system.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace reel {

Error errno_error(int err, std::string_view what) {
  ErrorCode code = ErrorCode::kIOError;
  switch (err) {
    case ENOENT: case ENOTDIR: code = ErrorCode::kNotFound; break;
    case ENOSPC: case EDQUOT: code = ErrorCode::kNoSpace; break;
    case EEXIST: code = ErrorCode::kAlreadyExists; break;
    case EXDEV: case EOPNOTSUPP: case ENOTTY: code = ErrorCode::kUnsupported; break;
    default: break;
  }
  return Error{code, std::string(what) + ": " + std::strerror(err)};
}

namespace {

tl::unexpected<Error> sys_error(std::string_view op, const fs::path& path) {
  return tl::unexpected(errno_error(errno, std::string(op) + " " + path.string()));
}

int retry_open(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do fd = ::open(path, flags | O_CLOEXEC, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
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

std::string random_suffix() {
  thread_local std::mt19937_64 rng(std::random_device{}() ^ static_cast<std::uint64_t>(::getpid()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(12, '0');
  auto v = rng();
  for (auto& c : s) { c = kHex[v & 15]; v >>= 4; }
  return s;
}

class PosixInputStream : public InputStream {
 public:
  PosixInputStream(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~PosixInputStream() override { ::close(fd_); }
  Result<std::size_t> read(void* buffer, std::size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return sys_error("read", path_);
    }
  }

 private:
  int fd_;
  fs::path path_;
};

class PosixOutputFile : public OutputFile {
 public:
  PosixOutputFile(int fd, fs::path temp) : fd_(fd), temp_(std::move(temp)) {}
  ~PosixOutputFile() override { abort(); }
  Status write(const void* data, std::size_t size) override {
    return write_all(fd_, data, size, temp_);
  }
  Status sync() override {
    if (::fsync(fd_) != 0) return sys_error("fsync", temp_);
    return ok();
  }
  Status commit(const fs::path& dest) override {
    if (fd_ < 0) return make_error(ErrorCode::kIOError, "commit of a closed file " + temp_.string());
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) {
      auto e = sys_error("close", temp_);
      ::unlink(temp_.c_str());
      return e;
    }
    if (::rename(temp_.c_str(), dest.c_str()) != 0) {
      auto e = sys_error("rename " + temp_.string() + " to", dest);
      ::unlink(temp_.c_str());
      return e;
    }
    committed_ = true;
    return ok();
  }
  void abort() override {
    if (fd_ >= 0) { ::close(fd_); fd_ = -1; }
    if (!committed_ && !temp_.empty()) { ::unlink(temp_.c_str()); committed_ = true; }
  }
  const fs::path& temp_path() const override { return temp_; }

 private:
  int fd_;
  fs::path temp_;
  bool committed_ = false;
};

class PosixFileLock : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::flock(fd_, LOCK_UN); ::close(fd_); }

 private:
  int fd_;
};

FileType type_of(mode_t mode) {
  if (S_ISREG(mode)) return FileType::kRegular;
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  return FileType::kOther;
}

class PosixFileSystem : public FileSystem {
 public:
  Result<FileStat> stat(const fs::path& path) override {
    struct ::stat st{};
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

  Result<std::string> read_file(const fs::path& path) override {
    int fd = retry_open(path.c_str(), O_RDONLY);
    if (fd < 0) return sys_error("open", path);
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        auto e = sys_error("read", path);
        ::close(fd);
        return e;
      }
      if (n == 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Result<std::unique_ptr<InputStream>> open_read(const fs::path& path) override {
    int fd = retry_open(path.c_str(), O_RDONLY);
    if (fd < 0) return sys_error("open", path);
    return std::unique_ptr<InputStream>(new PosixInputStream(fd, path));
  }

  Result<std::unique_ptr<OutputFile>> create_temp(const fs::path& dest_dir) override {
    for (int attempt = 0; attempt < 16; ++attempt) {
      fs::path temp = dest_dir / (".tmp-" + std::to_string(::getpid()) + "-" + random_suffix());
      int fd = retry_open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
      if (fd >= 0) return std::unique_ptr<OutputFile>(new PosixOutputFile(fd, temp));
      if (errno != EEXIST) return sys_error("create", temp);
    }
    return make_error(ErrorCode::kIOError, "cannot create a temp file in " + dest_dir.string());
  }

  Status write_file_atomic(const fs::path& path, std::string_view data, bool sync) override {
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    auto out = create_temp(dir);
    if (!out) return tl::unexpected(out.error());
    REEL_TRY((*out)->write(data));
    if (sync) REEL_TRY((*out)->sync());
    REEL_TRY((*out)->commit(path));
    if (sync) REEL_TRY(sync_directory(dir));
    return ok();
  }

  Status rename(const fs::path& from, const fs::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return sys_error("rename " + from.string() + " to", to);
    return ok();
  }

  Status hard_link(const fs::path& from, const fs::path& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) return sys_error("link " + from.string() + " to", to);
    return ok();
  }

  Status clone_file(const fs::path& from, const fs::path& to) override {
    int in = retry_open(from.c_str(), O_RDONLY);
    if (in < 0) return sys_error("open", from);
    int out = retry_open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (out < 0) {
      auto e = sys_error("create", to);
      ::close(in);
      return e;
    }
    int rc = ::ioctl(out, FICLONE, in);
    int err = errno;
    ::close(in);
    ::close(out);
    if (rc != 0) {
      ::unlink(to.c_str());
      if (err == EOPNOTSUPP || err == ENOTTY || err == EXDEV || err == EINVAL || err == ENOSYS) {
        return make_error(ErrorCode::kUnsupported, "clone " + from.string() + ": the file system has no FICLONE");
      }
      return tl::unexpected(errno_error(err, "clone " + from.string() + " to " + to.string()));
    }
    return ok();
  }

  Status copy_file(const fs::path& from, const fs::path& to) override {
    int in = retry_open(from.c_str(), O_RDONLY);
    if (in < 0) return sys_error("open", from);
    fs::path dir = to.parent_path().empty() ? fs::path(".") : to.parent_path();
    auto out = create_temp(dir);
    if (!out) {
      ::close(in);
      return tl::unexpected(out.error());
    }
    std::string buf(1 << 20, '\0');
    for (;;) {
      ssize_t n = ::read(in, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        auto e = sys_error("read", from);
        ::close(in);
        return e;
      }
      if (n == 0) break;
      auto st = (*out)->write(buf.data(), static_cast<std::size_t>(n));
      if (!st) {
        ::close(in);
        return st;
      }
    }
    ::close(in);
    return (*out)->commit(to);
  }

  Status symlink(const fs::path& target, const fs::path& link) override {
    if (::symlink(target.c_str(), link.c_str()) != 0) return sys_error("symlink", link);
    return ok();
  }

  Result<fs::path> read_symlink(const fs::path& link) override {
    std::string buf(4096, '\0');
    ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size());
    if (n < 0) return sys_error("readlink", link);
    buf.resize(static_cast<std::size_t>(n));
    return fs::path(buf);
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
      FileType t = FileType::kOther;
      if (fs::is_symlink(st)) t = FileType::kSymlink;
      else if (fs::is_regular_file(st)) t = FileType::kRegular;
      else if (fs::is_directory(st)) t = FileType::kDirectory;
      out.push_back({it->path().filename().string(), t});
    }
    std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return out;
  }

  Status remove(const fs::path& path) override {
    if (::unlink(path.c_str()) == 0) return ok();
    if (errno == ENOENT) return ok();
    if (errno == EISDIR || errno == EPERM) {
      if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return ok();
    }
    return sys_error("remove", path);
  }

  Status remove_all(const fs::path& path) override {
    auto st = stat(path);
    if (!st) return tl::unexpected(st.error());
    if (st->type == FileType::kMissing) return ok();
    if (st->type == FileType::kDirectory) {
      if ((st->mode & 0700) != 0700) ::chmod(path.c_str(), st->mode | 0700);
      auto entries = list_dir(path);
      if (!entries) return tl::unexpected(entries.error());
      for (const auto& e : *entries) REEL_TRY(remove_all(path / e.name));
      if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return sys_error("rmdir", path);
      return ok();
    }
    return remove(path);
  }

  Status set_mode(const fs::path& path, std::uint32_t mode) override {
    if (::chmod(path.c_str(), mode) != 0) return sys_error("chmod", path);
    return ok();
  }

  Result<std::unique_ptr<FileLock>> lock_exclusive(const fs::path& path) override {
    int fd = retry_open(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd < 0) return sys_error("open lock", path);
    int rc;
    do rc = ::flock(fd, LOCK_EX);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      auto e = sys_error("lock", path);
      ::close(fd);
      return e;
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }

  Status sync_directory(const fs::path& path) override {
    int fd = retry_open(path.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return sys_error("open directory", path);
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return sys_error("fsync", path);
    return ok();
  }

  Status sync_filesystem(const fs::path& path) override {
    int fd = retry_open(path.c_str(), O_RDONLY);
    if (fd < 0) return sys_error("open", path);
    int rc = ::syncfs(fd);
    ::close(fd);
    if (rc != 0) return sys_error("syncfs", path);
    return ok();
  }
};

}  // namespace

std::unique_ptr<FileSystem> make_real_file_system() { return std::make_unique<PosixFileSystem>(); }

}  // namespace reel
