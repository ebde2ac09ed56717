// fuzz_version: Version::parse (DESIGN §3, resolver/include/reel/resolver/version.h).
// Invariants: an error's position lies within the text; a parsed version's canonical text parses
// back to the same version (precedence and build metadata) and prints the same; the version is
// never above its release(), and strictly below it when it is a prerelease.
#include "fuzz_check.h"
#include "reel/resolver/version.h"

using reel::Version;
using reel::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = reel::fuzz::as_text(data, size);
  auto v = Version::parse(text);
  if (!v) {
    check(v.error().position <= text.size(), "parse error position beyond the text",
          [&] { return v.error().to_string(); });
    (void)v.error().to_string();
    return 0;
  }
  const std::string canonical = v->to_string();
  auto again = Version::parse(canonical);
  check(again.has_value(), "canonical text does not parse", [&] {
    return "'" + canonical + "': " + again.error().to_string();
  });
  check(*again == *v && again->build() == v->build(), "canonical text parses to another version",
        [&] { return canonical + " -> " + again->to_string(); });
  check(again->to_string() == canonical, "canonical text is not stable",
        [&] { return canonical + " -> " + again->to_string(); });
  check(*v <= v->release(), "a version above its release()", [&] { return canonical; });
  check(!v->is_prerelease() || *v < v->release(), "a prerelease is not below its release",
        [&] { return canonical; });
  return 0;
}
