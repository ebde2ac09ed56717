// reel::Error -> the Python exceptions of reel/_errors.py.
#include "binding.h"

namespace reel::python {

namespace {

py::module_ errors_module() { return py::module_::import("reel._errors"); }

[[noreturn]] void raise_instance(py::object cls, py::object instance) {
  PyErr_SetObject(cls.ptr(), instance.ptr());
  throw py::error_already_set();
}

}  // namespace

void raise_error(const Error& error) {
  py::module_ m = errors_module();
  py::object instance =
      m.attr("_make")(std::string(error_code_name(error.code)), error.message, error.hint);
  raise_instance(py::type::of(instance), instance);
}

void raise_parse_error(const ParseError& error) {
  py::object cls = errors_module().attr("ParseError");
  raise_instance(cls, cls(error.to_string(), error.text, error.position));
}

void raise_unsolvable(const std::string& explanation) {
  py::object cls = errors_module().attr("ResolutionError");
  raise_instance(cls, cls(explanation));
}

void raise_closed(const std::string& message) {
  py::object cls = errors_module().attr("ClosedError");
  raise_instance(cls, cls(message));
}

void register_errors(py::module_& m) {
  m.def(
      "_raise_for_test",
      [](const std::string& code) {
        static const std::map<std::string, ErrorCode> codes = {
            {"not found", ErrorCode::kNotFound},
            {"invalid argument", ErrorCode::kInvalidArgument},
            {"corruption", ErrorCode::kCorruption},
            {"I/O error", ErrorCode::kIOError},
            {"no space", ErrorCode::kNoSpace},
            {"network", ErrorCode::kNetwork},
            {"conflict", ErrorCode::kConflict},
            {"already exists", ErrorCode::kAlreadyExists},
            {"unsupported", ErrorCode::kUnsupported},
            {"cancelled", ErrorCode::kCancelled}};
        auto it = codes.find(code);
        if (it == codes.end()) throw py::value_error("unknown error code name: " + code);
        raise_error(Error{it->second, "test error", "test hint"});
      },
      py::arg("code"),
      "Raises the exception the extension raises for the C++ ErrorCode named `code` (tests).");
}

}  // namespace reel::python
