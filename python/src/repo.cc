// reel._Repo (a folder or HTTP repo opened by URL, read-only) and reel._resolve, wrapped by
// reel.Repo and reel.resolve in reel/__init__.py.
#include "reel/engine/repo.h"

#include <pybind11/stl.h>

#include <algorithm>

#include "binding.h"
#include "reel/engine/names.h"
#include "reel/engine/package.h"
#include "reel/engine/provider.h"
#include "reel/workspace/credentials.h"
#include "reel/workspace/workspace.h"

namespace reel::python {

namespace {

class PyRepo {
 public:
  static std::unique_ptr<PyRepo> open(const std::string& url, std::optional<std::string> token,
                                      std::optional<std::string> cache_dir) {
    std::unique_ptr<PyRepo> r(new PyRepo());
    Result<std::unique_ptr<Repo>> opened = make_error(ErrorCode::kIOError, "not opened");
    {
      py::gil_scoped_release release;
      auto session = Session::create(cache_dir, token);
      if (session) {
        r->session_ = std::move(*session);
        std::string where = url;
        if (where.find("://") == std::string::npos) where = fs::absolute(where).string();
        Context& ctx = r->session_->context();
        RepoOpenOptions options = repo_open_options(ctx);
        std::set<std::string> shown;
        add_credentials(ctx, where, nullptr, options, shown);
        opened = open_repo(ctx.fs, where, options);
      } else {
        opened = tl::unexpected(session.error());
      }
    }
    r->repo_ = take(std::move(opened));
    r->url_ = url;
    return r;
  }

  // Runs `f(repo)` with the GIL released and the repo's mutex held; raises what it returns.
  template <class F>
  auto call(F&& f) {
    decltype(f(std::declval<Repo&>())) result = make_error(ErrorCode::kIOError, "not run");
    bool closed = false;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> hold(mutex_);
      if (!repo_)
        closed = true;
      else
        result = f(*repo_);
    }
    if (closed) raise_closed("the repo " + url_ + " is closed");
    return take(std::move(result));
  }

  void close() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> hold(mutex_);
    repo_.reset();
  }
  bool closed() const { return !repo_; }
  std::string name() {
    return call([](Repo& r) -> Result<std::string> { return r.name(); });
  }
  std::string url() const { return url_; }
  Repo* get() { return repo_.get(); }
  std::mutex& mutex() { return mutex_; }

 private:
  PyRepo() = default;
  std::unique_ptr<Session> session_;
  std::unique_ptr<Repo> repo_;
  std::string url_;
  std::mutex mutex_;
};

py::dict deps_dict(const std::vector<DependencySpec>& deps) {
  py::dict d;
  for (const auto& dep : deps) d[py::str(dep.name)] = dep.range_text;
  return d;
}

py::dict entry_dict(const IndexEntry& e) {
  py::dict groups;
  for (const auto& [group, deps] : e.groups) groups[py::str(group)] = deps_dict(deps);
  py::dict d;
  d["version"] = e.version;
  d["type"] = e.type;
  d["dependencies"] = deps_dict(e.dependencies);
  d["groups"] = groups;
  d["metadata"] = py::module_::import("json").attr("loads")(e.metadata_json);
  d["published"] = e.published;
  d["source_commit"] = e.source.commit;
  d["source_dirty"] = e.source.dirty;
  d["yanked"] = e.yanked;
  d["unresolved"] = e.unresolved;
  d["file_count"] = e.file_count;
  d["file_size"] = e.file_size;
  d["archive"] = e.archive.sha256.prefixed();
  d["archive_size"] = e.archive.size;
  return d;
}

Result<PackageIndex> require_index(Repo& repo, const std::string& name) {
  auto index = repo.read_index(name);
  if (!index) return tl::unexpected(index.error());
  if (!*index)
    return make_error(ErrorCode::kNotFound,
                      "repo '" + repo.name() + "' has no package named '" + name + "'");
  return std::move(**index);
}

}  // namespace

void register_repo(py::module_& m) {
  py::class_<PyRepo>(m, "_Repo", "A repo opened by URL (reel.Repo wraps it).")
      .def_static("open", &PyRepo::open, py::arg("url"), py::arg("token") = py::none(),
                  py::arg("cache_dir") = py::none())
      .def_property_readonly("url", &PyRepo::url)
      .def_property_readonly("name", &PyRepo::name)
      .def_property_readonly("closed", &PyRepo::closed)
      .def("close", &PyRepo::close)
      .def("names",
           [](PyRepo& r) { return r.call([](Repo& repo) { return repo.list_packages(); }); })
      .def(
          "versions",
          [](PyRepo& r, const std::string& name) {
            PackageIndex index = r.call([&](Repo& repo) { return require_index(repo, name); });
            py::list out;
            for (const auto& e : index.versions) out.append(entry_dict(e));
            return py::make_tuple(index.name, out);
          },
          py::arg("name"))
      .def(
          "files",
          [](PyRepo& r, const std::string& name, const Version& version) {
            BuiltPackage package = r.call([&](Repo& repo) -> Result<BuiltPackage> {
              auto index = require_index(repo, name);
              if (!index) return tl::unexpected(index.error());
              const IndexEntry* e = index->find(version);
              if (!e)
                return make_error(
                    ErrorCode::kNotFound,
                    "repo '" + repo.name() + "' has no " + index->name + " " + version.to_string());
              auto bytes = repo.read_archive(e->archive);
              if (!bytes) return tl::unexpected(bytes.error());
              return read_package(*bytes, e->archive.path);
            });
            py::list out;
            for (const auto& f : package.files) {
              py::dict d;
              d["path"] = f.path;
              d["sha256"] = f.sha256.prefixed();
              d["size"] = f.size;
              d["executable"] = f.executable;
              d["symlink"] = f.symlink ? py::object(py::str(*f.symlink)) : py::object(py::none());
              out.append(d);
            }
            return out;
          },
          py::arg("name"), py::arg("version"));

  m.def(
      "_resolve",
      [](const std::vector<std::pair<std::string, std::string>>& requirements,
         const std::vector<PyRepo*>& repos) {
        std::vector<Dependency> deps;
        for (const auto& [name, range_text] : requirements) {
          take(check_package_name(name));
          auto range = Range::parse(range_text);
          if (!range) raise_parse_error(range.error());
          deps.push_back(Dependency{name, *range});
        }
        std::vector<PyRepo*> unique = repos;
        std::sort(unique.begin(), unique.end());
        unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
        for (PyRepo* r : unique) {
          if (r->closed()) raise_closed("the repo " + r->url() + " is closed");
        }
        ResolveResult result;
        std::optional<Error> error;
        {
          py::gil_scoped_release release;
          // Every repo's mutex, in address order (no deadlock with another resolve).
          std::vector<std::unique_lock<std::mutex>> holds;
          for (PyRepo* r : unique) holds.emplace_back(r->mutex());
          std::vector<std::pair<std::string, Repo*>> search;
          for (PyRepo* r : repos) search.emplace_back(r->get()->name(), r->get());
          RepoProvider provider(search);
          ResolveRequest request;
          request.root_name = "the request";
          for (const auto& d : deps) {
            auto c = provider.canonical_name(d.name);
            request.requirements.push_back(Dependency{c ? *c : d.name, d.range});
          }
          result = resolve(provider, request);
          if (provider.error()) error = *provider.error();
        }
        if (error) raise_error(*error);
        if (auto* unsolvable = std::get_if<Unsolvable>(&result))
          raise_unsolvable(unsolvable->explanation);
        const Solution& s = std::get<Solution>(result);
        py::dict versions, dependencies;
        for (const auto& [name, v] : s.versions) versions[py::str(name)] = v;
        for (const auto& [name, d] : s.dependencies) dependencies[py::str(name)] = d;
        return py::make_tuple(versions, dependencies);
      },
      py::arg("requirements"), py::arg("repos"));
}

}  // namespace reel::python
