// Shared pieces of the `reel` Python extension (docs/python.md): turning reel::Error into the
// reel.Error subclasses of reel/_errors.py, and the Session that owns one Context (file system,
// clock, cache, reporter) for one Python Workspace or Repo object. No globals: every Python
// object that talks to the disk or the network owns its Session.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "reel/resolver/version.h"
#include "reel/storage/cache.h"
#include "reel/storage/clock.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"
#include "reel/workspace/context.h"

namespace reel::python {

namespace py = pybind11;

// Raises the reel.Error subclass for error.code (NotFoundError, IntegrityError, ...; the table in
// reel/_errors.py) with the message and the hint. Needs the GIL.
[[noreturn]] void raise_error(const Error& error);
// Raises reel.ParseError (a reel.InvalidArgumentError and a ValueError) with the text, the
// 0-based position and the message. Needs the GIL.
[[noreturn]] void raise_parse_error(const ParseError& error);
// Raises reel.ResolutionError (a reel.ConflictError) whose .explanation is `explanation`, the
// text `reel` prints for an unsatisfiable request. Needs the GIL.
[[noreturn]] void raise_unsolvable(const std::string& explanation);

// Raises reel.ClosedError (a reel.Error and a ValueError) with `message`. Needs the GIL.
[[noreturn]] void raise_closed(const std::string& message);

// The value of a Result, or raise_error(). Needs the GIL.
template <class T>
T take(Result<T>&& result) {
  if (!result) raise_error(result.error());
  return std::move(*result);
}
inline void take(Status&& status) {
  if (!status) raise_error(status.error());
}

// A FileSystem that forwards to `base`, until cancel(): from then on every write into the cache
// folder `guarded` (temp files, their writes and commits, atomic writes, renames, links and
// copies whose destination is under it) fails with kCancelled. Sync fetches everything into the
// cache before it changes inputs/ (install.h), so a cancelled sync stops in that phase with
// inputs/ as it was; a sync whose fetching had finished completes. Thread-safe.
class CancellableFileSystem : public FileSystem {
 public:
  CancellableFileSystem(std::unique_ptr<FileSystem> base, fs::path guarded);
  void cancel() { cancelled_ = true; }
  void reset() { cancelled_ = false; }
  bool cancelled() const { return cancelled_; }
  // kCancelled if cancelled and `path` is under the guarded folder.
  Status check(const fs::path& path) const;

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
  // Forwarded, not left to FileSystem's defaults (a whole-file flock, which neither a CLI's
  // transient nor its byte locks exclude: the Python module and `reel sync` on one cache would
  // fetch one package at once).
  Result<std::unique_ptr<FileLock>> lock_exclusive_transient(const fs::path& path) override;
  Result<std::unique_ptr<FileLock>> lock_exclusive_byte(const fs::path& path,
                                                        std::uint64_t offset) override;
  Status sync_file(const fs::path& path) override;
  Status sync_directory(const fs::path& path) override;
  Status sync_filesystem(const fs::path& path) override;

 private:
  class Output;
  std::unique_ptr<FileSystem> base_;
  fs::path guarded_;
  std::atomic<bool> cancelled_{false};
};

// The Reporter of a Session: warnings go to Python's logging (logger "reel", WARNING), steps to
// it at INFO; progress goes to the Python callback of the running call, if any. Thread-safe:
// transfer threads call progress(); it takes the GIL to call Python.
class PyReporter : public Reporter {
 public:
  explicit PyReporter(CancellableFileSystem& fs) : fs_(fs) {}
  void warn(std::string_view message) override;
  void info(std::string_view message) override;
  // Sums the transfers seen since begin() and calls the callback with (done_bytes, total_bytes,
  // done_files, total_files), bytes and files of the transfers started so far, with the GIL
  // held. It also runs Python's signal handlers (on the main thread). If either raises, the
  // exception is kept for end() and the file system is cancelled.
  void progress(const TransferStatus& status) override;

  // Starts a call that reports progress: `callback` (a borrowed reference the caller keeps
  // alive until end(); nullptr or None: none). Resets the file system's cancel flag.
  void begin(PyObject* callback);
  // Ends it, calling the callback once more with `final_*` when nothing was raised. Returns the
  // Python exception raised by the callback or a signal handler, if any. Needs the GIL.
  std::optional<py::error_already_set> end(std::uint64_t final_bytes, std::uint64_t final_files);

 private:
  struct Seen {
    std::uint64_t bytes = 0, bytes_total = 0, files = 0, files_total = 0;
  };
  CancellableFileSystem& fs_;
  std::mutex mutex_;
  PyObject* callback_ = nullptr;
  bool active_ = false;
  std::map<std::string, Seen, std::less<>> seen_;
  std::optional<py::error_already_set> raised_;
};

// One Context and what it refers to, owned by one Python object. Not thread-safe by itself: the
// owner serialises calls (a mutex per Workspace / Repo).
class Session {
 public:
  // cache_dir: the cache folder (else $REEL_CACHE_DIR, $XDG_CACHE_HOME/reel, ~/.cache/reel, as
  // `reel`); token: a bearer token for every HTTP repo opened through this session (https or
  // loopback only, as `reel --token-file`). kInvalidArgument if no cache folder can be chosen.
  static Result<std::unique_ptr<Session>> create(const std::optional<std::string>& cache_dir,
                                                 const std::optional<std::string>& token);
  Context& context() { return *context_; }
  CancellableFileSystem& fs() { return *fs_; }
  PyReporter& reporter() { return *reporter_; }

 private:
  Session() = default;
  std::unique_ptr<CancellableFileSystem> fs_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<PyReporter> reporter_;
  std::unique_ptr<Context> context_;
};

// Registration of each part of the module (one file each).
void register_errors(py::module_& m);
void register_versions(py::module_& m);
void register_repo(py::module_& m);
void register_workspace(py::module_& m);

}  // namespace reel::python
