// The `reel._reel` extension module (docs/python.md). reel/__init__.py is the public face.
#include "binding.h"

PYBIND11_MODULE(_reel, m) {
  m.doc() = "reel's C++ libraries (resolver, engine, workspace) for Python; use `import reel`.";
  reel::python::register_errors(m);
  reel::python::register_versions(m);
  reel::python::register_repo(m);
  reel::python::register_workspace(m);
}
