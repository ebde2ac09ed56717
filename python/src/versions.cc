// reel.Version and reel.Range (DESIGN §3) over reel::Version / reel::Range.
#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include "binding.h"
#include "reel/resolver/range.h"

namespace reel::python {

namespace {

Version parse_version(const std::string& text) {
  auto v = Version::parse(text);
  if (!v) raise_parse_error(v.error());
  return *v;
}

Range parse_range(const std::string& text) {
  auto r = Range::parse(text);
  if (!r) raise_parse_error(r.error());
  return *r;
}

// Accepts a Version or version text where a version is expected.
Version to_version(const py::handle& value, const char* where) {
  if (py::isinstance<Version>(value)) return value.cast<Version>();
  if (py::isinstance<py::str>(value)) return parse_version(value.cast<std::string>());
  throw py::type_error(std::string(where) + ": expected reel.Version or str, not " +
                       py::str(py::type::of(value).attr("__name__")).cast<std::string>());
}

}  // namespace

void register_versions(py::module_& m) {
  py::class_<Version>(m, "Version", R"doc(A SemVer 2.0.0 version, immutable and hashable.

Version("1.2.3"), Version("1.2.3-rc.1+build.5"); tgzr-style "1.2.3.rc1" is normalised to
"1.2.3-rc1", a leading "v" is accepted. Comparison follows SemVer precedence (build metadata
ignored, so Version("1.0.0+a") == Version("1.0.0+b")).

Raises:
    reel.ParseError: the text is not a version ("1.2", "01.2.3", "1.2.3.4.5"); its .position is
        the 0-based offset where parsing failed.
    TypeError: the argument is not a str.)doc")
      .def(py::init(&parse_version), py::arg("text"))
      .def_static("parse", &parse_version, py::arg("text"),
                  "Version.parse(text) -> Version; same as Version(text).")
      .def_property_readonly("major", &Version::major, "MAJOR, an int >= 0.")
      .def_property_readonly("minor", &Version::minor, "MINOR, an int >= 0.")
      .def_property_readonly("patch", &Version::patch, "PATCH, an int >= 0.")
      .def_property_readonly(
          "prerelease",
          [](const Version& v) {
            py::tuple t(v.prerelease().size());
            for (std::size_t i = 0; i < v.prerelease().size(); ++i) t[i] = v.prerelease()[i];
            return t;
          },
          "Prerelease identifiers as a tuple of str (() for a release).")
      .def_property_readonly(
          "build",
          [](const Version& v) {
            py::tuple t(v.build().size());
            for (std::size_t i = 0; i < v.build().size(); ++i) t[i] = v.build()[i];
            return t;
          },
          "Build metadata identifiers as a tuple of str.")
      .def_property_readonly("is_prerelease", &Version::is_prerelease,
                             "True when the version has prerelease identifiers.")
      .def("release", &Version::release, "The same version without prerelease and build.")
      .def("__str__", &Version::to_string)
      .def("__repr__", [](const Version& v) { return "Version('" + v.to_string() + "')"; })
      .def("__hash__",
           [](const Version& v) {
             py::tuple pre(v.prerelease().size());
             for (std::size_t i = 0; i < v.prerelease().size(); ++i) pre[i] = v.prerelease()[i];
             return py::hash(py::make_tuple(v.major(), v.minor(), v.patch(), pre));
           })
      .def(py::self == py::self)
      .def(py::self != py::self)
      .def(py::self < py::self)
      .def(py::self <= py::self)
      .def(py::self > py::self)
      .def(py::self >= py::self)
      .def("__eq__", [](const Version&, const py::object&) { return false; })
      .def("__ne__", [](const Version&, const py::object&) { return true; })
      .def(py::pickle([](const Version& v) { return v.to_string(); },
                      [](const std::string& s) { return parse_version(s); }));

  py::class_<Range>(m, "Range", R"doc(A set of versions: a node-semver range with reel's additions.

Range(">=1.2.3,<2.0"), Range("^1.2"), Range("1.2.x || 2.*"), Range("~=1.2") (PEP 440), Range("*").
A range admits a prerelease only if one of its comparators names a prerelease of the same
MAJOR.MINOR.PATCH (node-semver's rule). str() is the simplest equivalent text; == is set equality.

Raises:
    reel.ParseError: the text is not a range (">=", ">=1..2", "abc", "1.2.3 -"), with .position.
    TypeError: the argument is not a str.)doc")
      .def(py::init(&parse_range), py::arg("text"))
      .def_static("parse", &parse_range, py::arg("text"),
                  "Range.parse(text) -> Range; same as Range(text).")
      .def_static("any", &Range::any, "Range.any() -> Range: every release (\"*\").")
      .def_static(
          "exactly",
          [](const py::handle& v) { return Range::exactly(to_version(v, "Range.exactly")); },
          py::arg("version"), "Range.exactly(version) -> Range admitting only that version.")
      .def(
          "admits",
          [](const Range& r, const py::handle& v) {
            return r.contains(to_version(v, "Range.admits"));
          },
          py::arg("version"),
          "admits(version: Version | str) -> bool: whether the range holds the version.\n\n"
          "Raises reel.ParseError for version text that does not parse, TypeError otherwise.")
      .def("__contains__",
           [](const Range& r, const py::handle& v) { return r.contains(to_version(v, "in")); })
      .def_property_readonly("is_empty", &Range::is_empty, "True when no version satisfies it.")
      .def_property_readonly("is_any", &Range::is_any,
                             "True when it admits every release (an abstract dependency).")
      .def_property_readonly("single_version", &Range::single_version,
                             "The one version it admits (\"==1.2.3\"), else None.")
      .def_property_readonly("source_text", &Range::source_text,
                             "The text it was parsed from (\"\" for computed ranges).")
      .def("intersect", &Range::intersect, py::arg("other"), "The versions in both.")
      .def("union", &Range::union_with, py::arg("other"), "The versions in either.")
      .def("complement", &Range::complement, "Every version (prereleases too) not in it.")
      .def("is_subset_of", &Range::is_subset_of, py::arg("other"))
      .def("is_disjoint_from", &Range::is_disjoint_from, py::arg("other"))
      .def("__and__", &Range::intersect)
      .def("__or__", &Range::union_with)
      .def("__str__", &Range::to_string)
      .def("__repr__", [](const Range& r) { return "Range('" + r.to_string() + "')"; })
      .def("__hash__", [](const Range& r) { return py::hash(py::str(r.to_string())); })
      .def(py::self == py::self)
      .def(py::self != py::self)
      .def("__eq__", [](const Range&, const py::object&) { return false; })
      .def("__ne__", [](const Range&, const py::object&) { return true; });
}

}  // namespace reel::python
