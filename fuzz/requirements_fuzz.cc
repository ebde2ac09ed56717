// fuzz_requirements: parse_requirements_export, the requirements export (DESIGN §2,
// workspace/include/reel/workspace/inspect.h), and parse_requirement_spec (`reel add SPEC`,
// config.h) on each line.
// Invariants: export_requirements of a lock holding the parsed pins parses back to the same pins
// (names, versions with build metadata, digests); a spec's parts are a valid name and a range
// text that parses.
#include "fuzz_check.h"
#include "reel/engine/names.h"
#include "reel/workspace/config.h"
#include "reel/workspace/inspect.h"

using reel::fuzz::check;

namespace {

void check_specs(std::string_view text) {
  while (!text.empty()) {
    const auto halves = reel::fuzz::split_line(text);
    const std::string_view line = halves.first;  // a plain variable: clang 14 cannot capture
                                                 // structured bindings in lambdas
    auto spec = reel::parse_requirement_spec(line);
    if (spec) {
      check(reel::check_package_name(spec->first).has_value(), "spec gives a bad name",
            [&] { return std::string(line); });
      check(reel::Range::parse(spec->second).has_value(), "spec gives a range that does not parse",
            [&] { return std::string(line); });
    }
    if (line.size() == text.size()) break;
    text = halves.second;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = reel::fuzz::as_text(data, size);
  check_specs(text);
  auto pins = reel::parse_requirements_export(text, "requirements.txt");
  if (!pins) return 0;
  reel::LockFile lock;
  for (const auto& pin : *pins) {
    lock.packages.push_back(reel::LockedPackage{pin.name, pin.version, "blessed", pin.archive, {}});
  }
  reel::WorkspaceConfig config;
  config.name = "fuzz";
  const std::string exported = reel::export_requirements(config, lock);
  auto back = reel::parse_requirements_export(exported, "exported.txt");
  check(back.has_value(), "export_requirements' text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + exported; });
  bool equal = back->size() == pins->size();
  for (std::size_t i = 0; equal && i < pins->size(); ++i) {
    const auto& a = (*pins)[i];
    const auto& b = (*back)[i];
    equal = a.name == b.name && a.version.to_string() == b.version.to_string() &&
            a.archive == b.archive;
  }
  check(equal, "parse(export(pins)) != pins", [&] { return exported; });
  return 0;
}
