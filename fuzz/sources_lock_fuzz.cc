// fuzz_sources_lock: parse_sources_lock, an asset's sources.lock (DESIGN §2,
// engine/include/reel/engine/sources_lock.h). Invariants: every accepted path passes the path
// rules (storage/path_rules.h, a trailing '/' aside); parse(serialize(lock)) == lock, record by
// record; serializing it again gives the same text; find() finds every source by its path.
#include "fuzz_check.h"
#include "reel/engine/sources_lock.h"
#include "reel/storage/path_rules.h"

using reel::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lock = reel::parse_sources_lock(reel::fuzz::as_text(data, size), "sources.lock");
  if (!lock) return 0;
  for (const auto& source : lock->sources) {
    std::string path = source.path;
    if (source.is_folder()) path.pop_back();
    check(!reel::path_problem(path), "an unsafe path was accepted", [&] { return source.path; });
  }
  const std::string text = reel::serialize_sources_lock(*lock);
  auto back = reel::parse_sources_lock(text, "serialized.lock");
  check(back.has_value(), "serialize_sources_lock's text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  check(back->format == lock->format && back->sources == lock->sources,
        "parse(serialize(lock)) != lock", [&] { return text; });
  check(reel::serialize_sources_lock(*back) == text, "serialize_sources_lock is not stable",
        [&] { return text; });
  for (const auto& source : lock->sources) {
    check(lock->find(source.path) == &source, "find() misses a source",
          [&] { return source.path; });
  }
  return 0;
}
