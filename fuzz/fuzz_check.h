// What every fuzz target shares: the input as text, and an invariant check that stops the process
// the way a sanitizer report does (message on stderr, then abort()), so libFuzzer saves the input
// as a crash-* artifact. Header-only; used by fuzz/*_fuzz.cc only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

namespace reel::fuzz {

// The fuzzer's bytes as a string_view (no copy; valid for the call).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Prints "fuzz invariant failed: WHAT" and DETAIL (e.g. the texts that differ), then aborts.
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "\n== fuzz invariant failed: %.*s\n%.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// fail(what, detail()) unless `ok`; `detail` is only called on failure.
template <class Detail>
inline void check(bool ok, std::string_view what, Detail detail) {
  if (!ok) fail(what, detail());
}
inline void check(bool ok, std::string_view what) {
  if (!ok) fail(what);
}

// Splits `text` at its first '\n' into (before, after); after is empty when there is none.
inline std::pair<std::string_view, std::string_view> split_line(std::string_view text) {
  std::size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return {text, {}};
  return {text.substr(0, nl), text.substr(nl + 1)};
}

}  // namespace reel::fuzz
