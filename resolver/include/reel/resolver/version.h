// Semantic versions: SemVer 2.0.0 (https://semver.org/spec/v2.0.0.html), with its precedence
// rules (§11: numeric identifiers compare numerically, alphanumeric lexically in ASCII, numeric
// below alphanumeric, a prerelease below its release, build metadata ignored for precedence).
// DESIGN §3: tgzr-style input `1.2.3.rc1` (major.minor.micro.suffix) is accepted and normalised to
// `1.2.3-rc1`. No I/O.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace reel {

// A parse failure: the text, the 0-based byte position where it went wrong, and why.
struct ParseError {
  std::string text;
  std::size_t position = 0;
  std::string message;
  // "invalid version: leading zero in numeric identifier in '01.2.3' at position 0".
  std::string to_string() const;
};

class Version {
 public:
  Version() = default;
  Version(std::uint64_t major, std::uint64_t minor, std::uint64_t patch)
      : major_(major), minor_(minor), patch_(patch) {}

  // Parses a full version. Rejects `1.2`, `01.2.3`, `1.2.3.4.5`, empty identifiers, a leading 'v'
  // is accepted (as node-semver does), surrounding spaces are not.
  static tl::expected<Version, ParseError> parse(std::string_view text);

  std::uint64_t major() const { return major_; }
  std::uint64_t minor() const { return minor_; }
  std::uint64_t patch() const { return patch_; }
  // Dot-separated prerelease identifiers; empty for a release.
  const std::vector<std::string>& prerelease() const { return prerelease_; }
  const std::vector<std::string>& build() const { return build_; }
  bool is_prerelease() const { return !prerelease_.empty(); }

  // Canonical text: "1.2.3", "1.2.3-rc1", "1.2.3-rc.1+build.5".
  std::string to_string() const;

  // SemVer precedence; build metadata is ignored (so 1.0.0+a == 1.0.0+b under <=>).
  std::strong_ordering operator<=>(const Version& other) const;
  bool operator==(const Version& other) const { return (*this <=> other) == 0; }

  // The same version without prerelease and build ("1.2.3-rc1" -> "1.2.3").
  Version release() const { return Version(major_, minor_, patch_); }

  // Replace the prerelease / build identifiers (used by parsers and `reel bump`).
  void set_prerelease(std::vector<std::string> ids) { prerelease_ = std::move(ids); }
  void set_build(std::vector<std::string> ids) { build_ = std::move(ids); }

 private:
  std::uint64_t major_ = 0, minor_ = 0, patch_ = 0;
  std::vector<std::string> prerelease_;
  std::vector<std::string> build_;
};

}  // namespace reel
