// reel._Workspace, wrapped by reel.Workspace in reel/__init__.py: one workspace, its own Session,
// and a mutex that serialises the calls of every Python thread on it. Every call releases the GIL
// before it takes the mutex (so a thread waiting for the mutex never holds the GIL that the
// running call's progress callback needs), and reacquires it to build the Python result.
#include <pybind11/stl.h>

#include <algorithm>

#include "binding.h"
#include "reel/engine/names.h"
#include "reel/workspace/environment.h"
#include "reel/workspace/inspect.h"
#include "reel/workspace/install.h"
#include "reel/workspace/outputs.h"
#include "reel/workspace/process.h"
#include "reel/workspace/steps.h"

namespace reel::python {

namespace {

py::dict lock_dict(const LockFile& lock) {
  py::list reqs, packages;
  for (const auto& [name, range] : lock.requirements) reqs.append(py::make_tuple(name, range));
  for (const auto& p : lock.packages) {
    py::dict d;
    d["name"] = p.name;
    d["version"] = p.version;
    d["repo"] = p.repo;
    d["archive"] = p.archive.prefixed();
    d["dependencies"] = p.dependencies;
    packages.append(d);
  }
  py::dict out;
  out["requirements"] = reqs;
  out["packages"] = packages;
  return out;
}

py::dict report_dict(const SyncReport& r) {
  py::dict d;
  d["installed"] = r.installed;
  d["removed"] = r.removed;
  d["repaired"] = r.repaired;
  d["unchanged"] = r.unchanged;
  d["objects_quarantined"] = r.objects_quarantined;
  d["files"] = r.files;
  d["bytes"] = r.bytes;
  d["objects_fetched"] = r.objects_fetched;
  d["bytes_fetched"] = r.bytes_fetched;
  d["link_mode"] = r.link_mode ? py::object(py::str(std::string(link_mode_name(*r.link_mode))))
                               : py::object(py::none());
  return d;
}

Result<LockFile> require_lock(Workspace& ws) {
  auto lock = ws.read_lock();
  if (!lock) return tl::unexpected(lock.error());
  if (!*lock)
    return make_error(ErrorCode::kNotFound,
                      ws.lock_path().string() + " does not exist (call Workspace.lock())");
  return std::move(**lock);
}

// What a lock-and-sync after a change of requirements ended with.
struct Relocked {
  SyncReport report;
  std::string explanation;  // no solution (workspace.toml and reel.lock restored)
};

// Saves the changed config, locks and syncs; on any failure workspace.toml and reel.lock go back
// as they were (`reel add` / `reel remove`).
Result<Relocked> relock(Workspace& ws, const WorkspaceConfig& before) {
  FileSystem& fs = ws.context().fs;
  auto old_lock = fs.read_file(ws.lock_path());
  auto restore = [&] {
    ws.config() = before;
    (void)ws.save_config();
    if (old_lock)
      (void)fs.write_file_atomic(ws.lock_path(), *old_lock, true);
    else
      (void)fs.remove(ws.lock_path());
  };
  if (auto saved = ws.save_config(); !saved) {
    restore();
    return tl::unexpected(saved.error());
  }
  auto outcome = lock_workspace(ws, LockOptions{});
  if (!outcome || !outcome->lock) {
    restore();
    if (!outcome) return tl::unexpected(outcome.error());
    return Relocked{{}, outcome->explanation};
  }
  auto report = sync_workspace(ws, SyncMode::kFrozen, LockOptions{});
  if (!report) {
    restore();
    return tl::unexpected(report.error());
  }
  return Relocked{std::move(*report), ""};
}

// The lock's spelling of NAME, or kNotFound.
Result<const LockedPackage*> locked(const LockFile& lock, const std::string& name) {
  const LockedPackage* p = lock.find(name);
  if (!p) return make_error(ErrorCode::kNotFound, name + " is not in reel.lock");
  return p;
}

class PyWorkspace {
 public:
  static std::unique_ptr<PyWorkspace> init(
      const std::string& path, const std::vector<std::pair<std::string, std::string>>& repos,
      const std::string& name, const std::string& link_mode, std::optional<std::string> cache_dir,
      std::optional<std::string> token) {
    return make(cache_dir, token, [&](Context& ctx) -> Result<Workspace> {
      InitOptions options;
      options.name = name;
      options.repos = repos;
      auto mode = parse_link_mode(link_mode);
      if (!mode) return tl::unexpected(mode.error());
      options.link_mode = *mode;
      return Workspace::create(ctx, fs::absolute(path).lexically_normal(), options);
    });
  }

  static std::unique_ptr<PyWorkspace> open(const std::string& path,
                                           std::optional<std::string> cache_dir,
                                           std::optional<std::string> token) {
    return make(cache_dir, token, [&](Context& ctx) -> Result<Workspace> {
      fs::path dir = fs::absolute(path).lexically_normal();
      auto st = ctx.fs.stat(dir);
      if (!st) return tl::unexpected(st.error());
      if (st->type != FileType::kDirectory)
        return tl::unexpected(Error{ErrorCode::kNotFound,
                                    "no workspace at " + dir.string() + ": not a folder",
                                    "create one with reel.Workspace.init(path, repos=...)"});
      auto toml = ctx.fs.stat(dir / "workspace.toml");
      if (!toml) return tl::unexpected(toml.error());
      if (toml->type != FileType::kRegular)
        return tl::unexpected(Error{ErrorCode::kNotFound,
                                    "no workspace at " + dir.string() + ": no workspace.toml",
                                    "create one with reel.Workspace.init(path, repos=...)"});
      return Workspace::find(ctx, dir);
    });
  }

  // Runs `f(workspace)` with the GIL released and the mutex held, after checking the workspace
  // is open and still on disk. Raises ClosedError, NotFoundError, or what `f` returns.
  template <class F>
  auto call(F&& f) {
    decltype(f(std::declval<Workspace&>())) result = make_error(ErrorCode::kIOError, "not run");
    bool closed = false;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> hold(mutex_);
      if (!ws_) {
        closed = true;
      } else {
        auto st = ws_->context().fs.stat(ws_->config_path());
        if (!st) {
          result = tl::unexpected(st.error());
        } else if (st->type != FileType::kRegular) {
          result =
              make_error(ErrorCode::kNotFound, "the workspace at " + root_ + " was removed: " +
                                                   ws_->config_path().string() + " does not exist");
        } else {
          result = f(*ws_);
        }
      }
    }
    if (closed) raise_closed("the workspace at " + root_ + " is closed");
    return take(std::move(result));
  }

  // As call(), for an operation that reports progress to `callback` (see PyReporter). If the
  // callback or a signal handler raised, that exception is raised (after `on_cancel` ran with
  // the mutex held, if the operation failed).
  template <class F, class C, class Final>
  auto call_with_progress(const py::object& callback, F&& f, C&& on_cancel, Final&& final_counts) {
    decltype(f(std::declval<Workspace&>())) result = make_error(ErrorCode::kIOError, "not run");
    bool closed = false;
    std::optional<py::error_already_set> raised;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> hold(mutex_);
      if (!ws_) {
        closed = true;
      } else if (auto st = ws_->context().fs.stat(ws_->config_path());
                 !st || st->type != FileType::kRegular) {
        result = make_error(ErrorCode::kNotFound,
                            "the workspace at " + root_ +
                                " was removed: " + ws_->config_path().string() + " does not exist");
      } else {
        session_->reporter().begin(callback.ptr());
        result = f(*ws_);
        if (!result && session_->fs().cancelled()) on_cancel(*ws_);
        std::uint64_t bytes = 0, files = 0;
        if (result) final_counts(*result, bytes, files);
        py::gil_scoped_acquire gil;
        raised = session_->reporter().end(bytes, files);
      }
    }
    if (closed) raise_closed("the workspace at " + root_ + " is closed");
    if (raised) {
      raised->restore();
      throw py::error_already_set();
    }
    return take(std::move(result));
  }

  void close() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> hold(mutex_);
    ws_.reset();
    session_.reset();
  }
  bool closed() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> hold(mutex_);
    return !ws_;
  }
  const std::string& root() const { return root_; }

 private:
  template <class Make>
  static std::unique_ptr<PyWorkspace> make(std::optional<std::string> cache_dir,
                                           std::optional<std::string> token, Make&& make_ws) {
    std::unique_ptr<PyWorkspace> w(new PyWorkspace());
    Result<Workspace> made = make_error(ErrorCode::kIOError, "not opened");
    {
      py::gil_scoped_release release;
      auto session = Session::create(cache_dir, token);
      if (!session) {
        made = tl::unexpected(session.error());
      } else {
        w->session_ = std::move(*session);
        made = make_ws(w->session_->context());
      }
    }
    w->ws_.emplace(take(std::move(made)));
    w->root_ = w->ws_->root().string();
    return w;
  }

  PyWorkspace() = default;
  std::unique_ptr<Session> session_;  // before ws_: the workspace refers to its context
  std::optional<Workspace> ws_;
  std::string root_;
  std::mutex mutex_;
};

BumpPart parse_part(const std::string& part) {
  if (part == "major") return BumpPart::kMajor;
  if (part == "minor") return BumpPart::kMinor;
  if (part == "patch") return BumpPart::kPatch;
  if (part == "pre") return BumpPart::kPre;
  raise_error(Error{ErrorCode::kInvalidArgument,
                    "bump: part must be 'major', 'minor', 'patch' or 'pre', not '" + part + "'"});
}

// The spelling of NAME in outputs/ (`edit("chair")` makes outputs/Chair).
std::string output_name(Workspace& ws, const std::string& name) {
  auto all = list_outputs(ws);
  if (all) {
    for (const auto& n : *all)
      if (lower_name(n) == lower_name(name)) return n;
  }
  return name;
}

}  // namespace

void register_workspace(py::module_& m) {
  py::class_<PyWorkspace>(m, "_Workspace", "One workspace (reel.Workspace wraps it).")
      .def_static("init", &PyWorkspace::init, py::arg("path"), py::arg("repos"),
                  py::arg("name") = "", py::arg("link_mode") = "auto",
                  py::arg("cache_dir") = py::none(), py::arg("token") = py::none())
      .def_static("open", &PyWorkspace::open, py::arg("path"), py::arg("cache_dir") = py::none(),
                  py::arg("token") = py::none())
      .def_property_readonly("root", &PyWorkspace::root)
      .def_property_readonly("closed", &PyWorkspace::closed)
      .def("close", &PyWorkspace::close)
      .def("config",
           [](PyWorkspace& w) {
             auto c = w.call([](Workspace& ws) -> Result<WorkspaceConfig> { return ws.config(); });
             py::list repos;
             for (const auto& r : c.repos) {
               py::dict d;
               d["name"] = r.name;
               d["url"] = r.url;
               d["blessed"] = r.blessed;
               d["default"] = r.is_default;
               repos.append(d);
             }
             py::dict d;
             d["name"] = c.name;
             d["repos"] = repos;
             d["requirements"] = c.requirements;
             return d;
           })
      .def(
          "add",
          [](PyWorkspace& w, const std::vector<std::string>& specs) {
            auto done = w.call([&](Workspace& ws) -> Result<Relocked> {
              if (specs.empty())
                return make_error(ErrorCode::kInvalidArgument, "add: nothing to add");
              WorkspaceConfig before = ws.config();
              auto& reqs = ws.config().requirements;
              for (const auto& spec : specs) {
                auto parsed = parse_requirement_spec(spec);
                if (!parsed) return tl::unexpected(parsed.error());
                auto& [name, range] = *parsed;
                auto it = std::find_if(reqs.begin(), reqs.end(), [&](const auto& r) {
                  return lower_name(r.first) == lower_name(name);
                });
                if (it != reqs.end())
                  it->second = range;
                else
                  reqs.emplace_back(name, range);
              }
              std::sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) {
                return lower_name(a.first) < lower_name(b.first);
              });
              return relock(ws, before);
            });
            if (!done.explanation.empty()) raise_unsolvable(done.explanation);
            return report_dict(done.report);
          },
          py::arg("specs"))
      .def(
          "remove",
          [](PyWorkspace& w, const std::vector<std::string>& names) {
            auto done = w.call([&](Workspace& ws) -> Result<Relocked> {
              if (names.empty())
                return make_error(ErrorCode::kInvalidArgument, "remove: nothing to remove");
              WorkspaceConfig before = ws.config();
              auto& reqs = ws.config().requirements;
              for (const auto& name : names) {
                auto it = std::find_if(reqs.begin(), reqs.end(), [&](const auto& r) {
                  return lower_name(r.first) == lower_name(name);
                });
                if (it == reqs.end())
                  return make_error(ErrorCode::kNotFound,
                                    "'" + name + "' is not a requirement of the workspace");
                reqs.erase(it);
                std::erase_if(ws.config().sources, [&](const auto& s) {
                  return lower_name(s.first) == lower_name(name);
                });
              }
              return relock(ws, before);
            });
            if (!done.explanation.empty()) raise_unsolvable(done.explanation);
            return report_dict(done.report);
          },
          py::arg("names"))
      .def(
          "lock",
          [](PyWorkspace& w, bool upgrade, const std::vector<std::string>& upgrade_packages) {
            auto outcome = w.call([&](Workspace& ws) {
              LockOptions o;
              o.upgrade_all = upgrade;
              o.upgrade.insert(upgrade_packages.begin(), upgrade_packages.end());
              return lock_workspace(ws, o);
            });
            if (!outcome.lock) raise_unsolvable(outcome.explanation);
            return lock_dict(*outcome.lock);
          },
          py::arg("upgrade") = false, py::arg("upgrade_packages") = std::vector<std::string>{})
      .def("read_lock",
           [](PyWorkspace& w) -> py::object {
             auto lock = w.call([](Workspace& ws) { return ws.read_lock(); });
             if (!lock) return py::none();
             return lock_dict(*lock);
           })
      .def(
          "sync",
          [](PyWorkspace& w, bool frozen, const py::object& progress) {
            std::optional<std::string> old_lock;
            auto report = w.call_with_progress(
                progress,
                [&](Workspace& ws) {
                  auto text = ws.context().fs.read_file(ws.lock_path());
                  if (text) old_lock = *text;
                  return sync_workspace(ws, frozen ? SyncMode::kFrozen : SyncMode::kResolveIfNeeded,
                                        LockOptions{});
                },
                [&](Workspace& ws) {
                  // Interrupted while fetching: inputs/ is untouched; reel.lock goes back too.
                  FileSystem& fs = ws.context().fs;
                  if (old_lock)
                    (void)fs.write_file_atomic(ws.lock_path(), *old_lock, true);
                  else
                    (void)fs.remove(ws.lock_path());
                },
                [](const SyncReport& r, std::uint64_t& bytes, std::uint64_t& files) {
                  bytes = r.bytes_fetched;
                  files = r.objects_fetched;
                });
            if (!report.explanation.empty()) raise_unsolvable(report.explanation);
            return report_dict(report);
          },
          py::arg("frozen") = false, py::arg("progress") = py::none())
      .def("tree",
           [](PyWorkspace& w) {
             auto [lock, roots] =
                 w.call([](Workspace& ws) -> Result<std::pair<LockFile, std::vector<std::string>>> {
                   auto lock = require_lock(ws);
                   if (!lock) return tl::unexpected(lock.error());
                   auto reqs = workspace_requirements(ws, LockOptions{});
                   if (!reqs) return tl::unexpected(reqs.error());
                   std::vector<std::string> roots;
                   for (const auto& d : *reqs) {
                     const LockedPackage* p = lock->find(d.name);
                     if (p && std::find(roots.begin(), roots.end(), p->name) == roots.end())
                       roots.push_back(p->name);
                   }
                   return std::make_pair(std::move(*lock), std::move(roots));
                 });
             return py::make_tuple(lock_dict(lock), roots);
           })
      .def(
          "why",
          [](PyWorkspace& w, const std::string& name) {
            return w.call([&](Workspace& ws) -> Result<std::vector<RequirementChain>> {
              auto lock = require_lock(ws);
              if (!lock) return tl::unexpected(lock.error());
              return why(ws, *lock, name);
            });
          },
          py::arg("name"))
      .def("env",
           [](PyWorkspace& w) {
             auto vars = w.call([](Workspace& ws) -> Result<WorkspaceEnvironment> {
               auto lock = require_lock(ws);
               if (!lock) return tl::unexpected(lock.error());
               auto env = workspace_environment(ws, &*lock);
               if (!env) return env;
               for (const auto& warning : env->warnings) ws.context().reporter.warn(warning);
               return env;
             });
             py::list out;
             for (const auto& n : vars.touched) {
               auto it = vars.variables.find(n);
               out.append(py::make_tuple(n, it == vars.variables.end()
                                                ? py::object(py::none())
                                                : py::object(py::str(it->second))));
             }
             return out;
           })
      .def(
          "inputs_path",
          [](PyWorkspace& w, const std::string& name) {
            return w.call([&](Workspace& ws) -> Result<std::string> {
              auto lock = require_lock(ws);
              if (!lock) return tl::unexpected(lock.error());
              auto p = locked(*lock, name);
              if (!p) return tl::unexpected(p.error());
              fs::path dir = ws.inputs_dir() / (*p)->name;
              auto st = ws.context().fs.stat(dir);
              if (!st) return tl::unexpected(st.error());
              if (st->type != FileType::kDirectory)
                return tl::unexpected(Error{
                    ErrorCode::kNotFound,
                    (*p)->name + " is locked but not installed in " + ws.inputs_dir().string(),
                    "call Workspace.sync()"});
              return dir.string();
            });
          },
          py::arg("name"))
      .def("verify",
           [](PyWorkspace& w) {
             return w.call([](Workspace& ws) -> Result<std::vector<std::string>> {
               auto lock = require_lock(ws);
               if (!lock) return tl::unexpected(lock.error());
               return verify_inputs(ws, *lock);
             });
           })
      .def(
          "new",
          [](PyWorkspace& w, const std::string& name, const std::string& type,
             const Version& version) {
            return w.call([&](Workspace& ws) -> Result<std::string> {
              REEL_TRY(new_output(ws, name, NewOutputOptions{type, version}));
              return (ws.outputs_dir() / name).string();
            });
          },
          py::arg("name"), py::arg("type"), py::arg("version"))
      .def(
          "edit",
          [](PyWorkspace& w, const std::string& name, const std::optional<Version>& version) {
            return w.call([&](Workspace& ws) -> Result<std::pair<std::string, Version>> {
              auto taken = edit_output(ws, name, version, std::nullopt);
              if (!taken) return tl::unexpected(taken.error());
              return std::make_pair((ws.outputs_dir() / output_name(ws, name)).string(), *taken);
            });
          },
          py::arg("name"), py::arg("version") = py::none())
      .def(
          "bump",
          [](PyWorkspace& w, const std::string& name, const std::string& part) {
            BumpPart p = parse_part(part);
            return w.call([&](Workspace& ws) { return bump_output(ws, output_name(ws, name), p); });
          },
          py::arg("name"), py::arg("part"))
      .def(
          "build",
          [](PyWorkspace& w, const std::string& name) {
            auto [built, ran] = w.call(
                [&](Workspace& ws) -> Result<std::pair<BuiltPackage, std::vector<std::string>>> {
                  std::string n = output_name(ws, name);
                  auto runner = make_process_runner();
                  auto steps = run_steps(ws, n, *runner);
                  if (!steps) return tl::unexpected(steps.error());
                  auto built = build_output(ws, n);
                  if (!built) return tl::unexpected(built.error());
                  std::vector<std::string> ran;
                  for (const auto& r : steps->ran) ran.push_back(r.name);
                  return std::make_pair(std::move(*built), std::move(ran));
                });
            py::dict d;
            d["name"] = built.manifest.name;
            d["version"] = built.manifest.version;
            d["archive"] = built.archive_digest.prefixed();
            d["file_count"] = built.files.size();
            d["total_size"] = built.total_size;
            d["steps_ran"] = ran;
            return d;
          },
          py::arg("name"))
      .def(
          "publish",
          [](PyWorkspace& w, const std::string& name, const std::optional<std::string>& repo,
             bool allow_dirty, const py::object& progress) {
            auto r = w.call_with_progress(
                progress,
                [&](Workspace& ws) {
                  PublishOptions o;
                  o.repo = repo;
                  o.allow_dirty = allow_dirty;
                  return publish_output(ws, output_name(ws, name), o);
                },
                [](Workspace&) {},
                [](const PublishResult& r, std::uint64_t& bytes, std::uint64_t& files) {
                  bytes = r.total_size;
                  files = r.file_count;
                });
            py::dict d;
            d["name"] = r.name;
            d["version"] = r.version;
            d["repo"] = r.repo;
            d["archive"] = r.archive.prefixed();
            d["already_published"] = r.already_published;
            d["file_count"] = r.file_count;
            d["total_size"] = r.total_size;
            return d;
          },
          py::arg("name"), py::arg("repo") = py::none(), py::arg("allow_dirty") = false,
          py::arg("progress") = py::none());
}

}  // namespace reel::python
