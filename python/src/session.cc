// Session, PyReporter and CancellableFileSystem (binding.h).
#include <pybind11/stl.h>

#include <algorithm>

#include "binding.h"
#include "reel/workspace/credentials.h"

extern char** environ;

namespace reel::python {

namespace {

bool is_under(const fs::path& path, const fs::path& root) {
  auto p = path.lexically_normal();
  auto [end, unused] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  (void)unused;
  return end == root.end();
}

}  // namespace

// --- CancellableFileSystem -------------------------------------------------------------------

class CancellableFileSystem::Output : public OutputFile {
 public:
  Output(const CancellableFileSystem& owner, std::unique_ptr<OutputFile> base, fs::path dir)
      : owner_(owner), base_(std::move(base)), dir_(std::move(dir)) {}
  Status write(const void* data, std::size_t size) override {
    REEL_TRY(owner_.check(dir_));
    return base_->write(data, size);
  }
  Status sync() override { return base_->sync(); }
  void start_writeback() override { base_->start_writeback(); }
  Status commit(const fs::path& dest) override {
    if (auto refused = owner_.check(dest); !refused) {
      base_->abort();
      return refused;
    }
    return base_->commit(dest);
  }
  void abort() override { base_->abort(); }
  const fs::path& temp_path() const override { return base_->temp_path(); }

 private:
  const CancellableFileSystem& owner_;
  std::unique_ptr<OutputFile> base_;
  fs::path dir_;
};

CancellableFileSystem::CancellableFileSystem(std::unique_ptr<FileSystem> base, fs::path guarded)
    : base_(std::move(base)), guarded_(guarded.lexically_normal()) {}

Status CancellableFileSystem::check(const fs::path& path) const {
  if (cancelled_ && is_under(path, guarded_))
    return make_error(ErrorCode::kCancelled, "interrupted before writing " + path.string());
  return ok();
}

Result<FileStat> CancellableFileSystem::stat(const fs::path& p) { return base_->stat(p); }
Result<std::string> CancellableFileSystem::read_file(const fs::path& p, std::uint64_t max) {
  return base_->read_file(p, max);
}
Result<std::unique_ptr<InputStream>> CancellableFileSystem::open_read(const fs::path& p) {
  return base_->open_read(p);
}
Result<std::unique_ptr<OutputFile>> CancellableFileSystem::create_temp(const fs::path& dir) {
  REEL_TRY(check(dir));
  auto out = base_->create_temp(dir);
  if (!out) return out;
  return std::unique_ptr<OutputFile>(new Output(*this, std::move(*out), dir));
}
Status CancellableFileSystem::write_file_atomic(const fs::path& p, std::string_view data,
                                                bool sync) {
  REEL_TRY(check(p));
  return base_->write_file_atomic(p, data, sync);
}
Status CancellableFileSystem::rename(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(to));
  return base_->rename(from, to);
}
Status CancellableFileSystem::hard_link(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(to));
  return base_->hard_link(from, to);
}
Status CancellableFileSystem::clone_file(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(to));
  return base_->clone_file(from, to);
}
Status CancellableFileSystem::copy_file(const fs::path& from, const fs::path& to) {
  REEL_TRY(check(to));
  return base_->copy_file(from, to);
}
Status CancellableFileSystem::symlink(const fs::path& target, const fs::path& link) {
  REEL_TRY(check(link));
  return base_->symlink(target, link);
}
Result<fs::path> CancellableFileSystem::read_symlink(const fs::path& l) {
  return base_->read_symlink(l);
}
Status CancellableFileSystem::create_directories(const fs::path& p) {
  return base_->create_directories(p);
}
Result<std::vector<DirEntry>> CancellableFileSystem::list_dir(const fs::path& p) {
  return base_->list_dir(p);
}
Status CancellableFileSystem::remove(const fs::path& p) { return base_->remove(p); }
Status CancellableFileSystem::remove_all(const fs::path& p) { return base_->remove_all(p); }
Status CancellableFileSystem::set_mode(const fs::path& p, std::uint32_t mode) {
  return base_->set_mode(p, mode);
}
Status CancellableFileSystem::set_mtime(const fs::path& p, std::int64_t ns) {
  return base_->set_mtime(p, ns);
}
Result<std::optional<std::string>> CancellableFileSystem::get_xattr(const fs::path& p,
                                                                    const std::string& name) {
  return base_->get_xattr(p, name);
}
Status CancellableFileSystem::set_xattr(const fs::path& p, const std::string& name,
                                        std::string_view value) {
  return base_->set_xattr(p, name, value);
}
Result<std::unique_ptr<FileLock>> CancellableFileSystem::lock_exclusive(const fs::path& p) {
  return base_->lock_exclusive(p);
}
Result<std::unique_ptr<FileLock>> CancellableFileSystem::lock_shared(const fs::path& p) {
  return base_->lock_shared(p);
}
Result<std::unique_ptr<FileLock>> CancellableFileSystem::lock_exclusive_transient(
    const fs::path& p) {
  return base_->lock_exclusive_transient(p);
}
Result<std::unique_ptr<FileLock>> CancellableFileSystem::lock_exclusive_byte(const fs::path& p,
                                                                             std::uint64_t offset) {
  return base_->lock_exclusive_byte(p, offset);
}
Status CancellableFileSystem::sync_file(const fs::path& p) { return base_->sync_file(p); }
Status CancellableFileSystem::sync_directory(const fs::path& p) { return base_->sync_directory(p); }
Status CancellableFileSystem::sync_filesystem(const fs::path& p) {
  return base_->sync_filesystem(p);
}

// --- PyReporter ------------------------------------------------------------------------------

void PyReporter::warn(std::string_view message) {
  py::gil_scoped_acquire gil;
  try {
    py::module_::import("logging").attr("getLogger")("reel").attr("warning")(
        py::str(std::string(message)));
  } catch (py::error_already_set&) {
    // A logging failure must not break the operation that warned.
  }
}

void PyReporter::info(std::string_view message) {
  py::gil_scoped_acquire gil;
  try {
    py::module_::import("logging").attr("getLogger")("reel").attr("info")(
        py::str(std::string(message)));
  } catch (py::error_already_set&) {
  }
}

void PyReporter::progress(const TransferStatus& status) {
  std::lock_guard<std::mutex> hold(mutex_);
  if (!active_ || raised_) return;
  auto it = seen_.find(status.what);
  if (it == seen_.end()) it = seen_.emplace(std::string(status.what), Seen{}).first;
  it->second = Seen{status.bytes, status.bytes_total, status.files, status.files_total};
  Seen sum;
  for (const auto& [what, s] : seen_) {
    sum.bytes += s.bytes;
    sum.bytes_total += s.bytes_total;
    sum.files += s.files;
    sum.files_total += s.files_total;
  }
  py::gil_scoped_acquire gil;
  try {
    // Ctrl-C while the GIL was released: Python's handler raises KeyboardInterrupt here (only
    // on the main thread; elsewhere this returns 0).
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (callback_ != nullptr && callback_ != Py_None) {
      py::handle callback(callback_);
      callback(sum.bytes, sum.bytes_total, sum.files, sum.files_total);
    }
  } catch (py::error_already_set& e) {
    raised_ = std::move(e);
    fs_.cancel();
  }
}

void PyReporter::begin(PyObject* callback) {
  std::lock_guard<std::mutex> hold(mutex_);
  callback_ = callback;
  active_ = true;
  seen_.clear();
  raised_.reset();
  fs_.reset();
}

std::optional<py::error_already_set> PyReporter::end(std::uint64_t final_bytes,
                                                     std::uint64_t final_files) {
  std::optional<py::error_already_set> raised;
  PyObject* callback = nullptr;
  {
    std::lock_guard<std::mutex> hold(mutex_);
    raised.swap(raised_);
    callback = callback_;
    callback_ = nullptr;
    active_ = false;
    seen_.clear();
  }
  fs_.reset();
  if (!raised && callback != nullptr && callback != Py_None) {
    try {
      py::handle call(callback);
      call(final_bytes, final_bytes, final_files, final_files);
    } catch (py::error_already_set& e) {
      raised = std::move(e);
    }
  }
  return raised;
}

// --- Session ---------------------------------------------------------------------------------

Result<std::unique_ptr<Session>> Session::create(const std::optional<std::string>& cache_dir,
                                                 const std::optional<std::string>& token) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  fs::path override_dir = cache_dir ? fs::absolute(*cache_dir) : fs::path();
  auto dir = default_cache_dir(env, override_dir);
  if (!dir) return tl::unexpected(dir.error());
  env.erase(std::string(kCommandLineTokenKey));
  if (token) env[std::string(kCommandLineTokenKey)] = *token;
  std::unique_ptr<Session> s(new Session());
  s->fs_ = std::make_unique<CancellableFileSystem>(make_real_file_system(),
                                                   fs::absolute(*dir).lexically_normal());
  s->clock_ = make_system_clock();
  s->cache_ = std::make_unique<Cache>(*s->fs_, *dir);
  s->reporter_ = std::make_unique<PyReporter>(*s->fs_);
  s->context_.reset(new Context{*s->fs_, *s->clock_, *s->cache_, *s->reporter_, std::move(env)});
  return s;
}

}  // namespace reel::python
