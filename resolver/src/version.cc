// SemVer 2.0.0 parsing and precedence (https://semver.org/spec/v2.0.0.html §2, §9–§11), with
// DESIGN §3's tgzr input form `1.2.3.rc1` -> `1.2.3-rc1`.
#include "reel/resolver/version.h"

#include <cctype>

#include "version_parse.h"

namespace reel {

std::string ParseError::to_string() const {
  return message + " in '" + text + "' at position " + std::to_string(position);
}

namespace detail {

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-'; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Parses dot-separated identifiers starting at `pos` (after '-' or '+'); stops at `stop` chars.
bool parse_identifiers(std::string_view text, std::size_t& pos, bool prerelease,
                       std::vector<std::string>& out, ParseFailure& failure) {
  for (;;) {
    std::size_t start = pos;
    while (pos < text.size() && is_ident_char(text[pos])) ++pos;
    std::string_view ident = text.substr(start, pos - start);
    if (ident.empty()) {
      failure = {start, prerelease ? "empty prerelease identifier" : "empty build identifier"};
      return false;
    }
    if (prerelease && all_digits(ident) && ident.size() > 1 && ident[0] == '0') {
      failure = {start, "leading zero in numeric prerelease identifier"};
      return false;
    }
    out.emplace_back(ident);
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      continue;
    }
    return true;
  }
}

bool parse_number(std::string_view text, std::size_t& pos, std::uint64_t& value,
                  ParseFailure& failure) {
  std::size_t start = pos;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos == start) {
    failure = {start, "expected a number"};
    return false;
  }
  if (pos - start > 1 && text[start] == '0') {
    failure = {start, "leading zero in numeric identifier"};
    return false;
  }
  if (pos - start > 18) {
    failure = {start, "number too large"};
    return false;
  }
  value = std::stoull(std::string(text.substr(start, pos - start)));
  return true;
}

bool parse_version_at(std::string_view text, std::size_t& pos, Version& out,
                      ParseFailure& failure) {
  std::uint64_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != '.') {
        failure = {pos, "expected MAJOR.MINOR.PATCH"};
        return false;
      }
      ++pos;
    }
    if (!parse_number(text, pos, parts[i], failure)) return false;
  }
  std::vector<std::string> pre, build;
  if (pos < text.size() && text[pos] == '.') {
    // tgzr style: major.minor.micro.suffix, the suffix starting with a letter.
    std::size_t start = pos + 1;
    if (start < text.size() && std::isalpha(static_cast<unsigned char>(text[start]))) {
      pos = start;
      if (!parse_identifiers(text, pos, true, pre, failure)) return false;
    } else {
      failure = {pos, "too many version components"};
      return false;
    }
  } else if (pos < text.size() && text[pos] == '-') {
    ++pos;
    if (!parse_identifiers(text, pos, true, pre, failure)) return false;
  }
  if (pos < text.size() && text[pos] == '+') {
    ++pos;
    if (!parse_identifiers(text, pos, false, build, failure)) return false;
  }
  out = Version(parts[0], parts[1], parts[2]);
  out.set_prerelease(std::move(pre));
  out.set_build(std::move(build));
  return true;
}

}  // namespace detail

tl::expected<Version, ParseError> Version::parse(std::string_view text) {
  std::size_t pos = 0;
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) pos = 1;
  Version v;
  detail::ParseFailure failure;
  if (text.empty()) return tl::unexpected(ParseError{std::string(text), 0, "empty version"});
  if (!detail::parse_version_at(text, pos, v, failure)) {
    return tl::unexpected(
        ParseError{std::string(text), failure.position, "invalid version: " + failure.message});
  }
  if (pos != text.size()) {
    return tl::unexpected(
        ParseError{std::string(text), pos, "invalid version: unexpected character"});
  }
  return v;
}

std::string Version::to_string() const {
  std::string s =
      std::to_string(major_) + "." + std::to_string(minor_) + "." + std::to_string(patch_);
  for (std::size_t i = 0; i < prerelease_.size(); ++i) s += (i == 0 ? "-" : ".") + prerelease_[i];
  for (std::size_t i = 0; i < build_.size(); ++i) s += (i == 0 ? "+" : ".") + build_[i];
  return s;
}

namespace {

std::strong_ordering compare_identifier(const std::string& a, const std::string& b) {
  bool an = detail::all_digits(a), bn = detail::all_digits(b);
  if (an && bn) {
    if (a.size() != b.size()) return a.size() <=> b.size();
    return a.compare(b) <=> 0;
  }
  if (an) return std::strong_ordering::less;  // numeric identifiers sort first
  if (bn) return std::strong_ordering::greater;
  return a.compare(b) <=> 0;
}

}  // namespace

std::strong_ordering Version::operator<=>(const Version& other) const {
  if (auto c = major_ <=> other.major_; c != 0) return c;
  if (auto c = minor_ <=> other.minor_; c != 0) return c;
  if (auto c = patch_ <=> other.patch_; c != 0) return c;
  if (prerelease_.empty() || other.prerelease_.empty()) {
    return other.prerelease_.size() <=>
           prerelease_.size();  // a release sorts above its prereleases
  }
  std::size_t n = std::min(prerelease_.size(), other.prerelease_.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (auto c = compare_identifier(prerelease_[i], other.prerelease_[i]); c != 0) return c;
  }
  return prerelease_.size() <=> other.prerelease_.size();
}

}  // namespace reel
