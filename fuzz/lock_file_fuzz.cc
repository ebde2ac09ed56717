// fuzz_lock_file: parse_lock_file, reel.lock (DESIGN §2, engine/include/reel/engine/lock_file.h).
// Invariants: parse(serialize(lock)) == lock, field by field; serializing it again gives the same
// text; find() finds every locked package by its name in upper case.
#include <algorithm>
#include <cctype>

#include "fuzz_check.h"
#include "reel/engine/lock_file.h"

using reel::LockFile;
using reel::fuzz::check;

namespace {

// The first field that differs, or "" when the locks are equal.
std::string difference(const LockFile& a, const LockFile& b) {
  if (a.format != b.format) return "version";
  if (a.requirements != b.requirements) return "[requirements]";
  if (a.packages.size() != b.packages.size()) return "[[package]] count";
  for (std::size_t i = 0; i < a.packages.size(); ++i) {
    const auto& x = a.packages[i];
    const auto& y = b.packages[i];
    if (x.name != y.name || !(x.version == y.version) ||
        x.version.to_string() != y.version.to_string() || x.repo != y.repo ||
        x.archive != y.archive || x.dependencies != y.dependencies)
      return "[[package]] " + x.name;
  }
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lock = reel::parse_lock_file(reel::fuzz::as_text(data, size), "reel.lock");
  if (!lock) return 0;
  const std::string text = reel::serialize_lock_file(*lock);
  auto back = reel::parse_lock_file(text, "serialized.lock");
  check(back.has_value(), "serialize_lock_file's text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  const std::string diff = difference(*lock, *back);
  check(diff.empty(), "parse(serialize(lock)) != lock",
        [&] { return diff + "\n--- text:\n" + text; });
  check(reel::serialize_lock_file(*back) == text, "serialize_lock_file is not stable",
        [&] { return text; });
  for (const auto& p : lock->packages) {
    std::string upper = p.name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    check(lock->find(upper) == &p, "find() misses a locked package", [&] { return p.name; });
  }
  return 0;
}
