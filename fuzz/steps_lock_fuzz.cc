// fuzz_steps_lock: parse_steps_lock, an asset's steps.lock (DESIGN §2,
// engine/include/reel/engine/steps_lock.h). Invariants: steps come out sorted by name;
// parse(serialize(lock)) == lock, record by record; serializing it again gives the same text;
// find() finds every step by its name.
#include "fuzz_check.h"
#include "reel/engine/steps_lock.h"

using reel::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lock = reel::parse_steps_lock(reel::fuzz::as_text(data, size), "steps.lock");
  if (!lock) return 0;
  for (std::size_t i = 1; i < lock->steps.size(); ++i) {
    check(lock->steps[i - 1].name < lock->steps[i].name, "steps are not sorted by name",
          [&] { return lock->steps[i].name; });
  }
  const std::string text = reel::serialize_steps_lock(*lock);
  auto back = reel::parse_steps_lock(text, "serialized.lock");
  check(back.has_value(), "serialize_steps_lock's text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  check(back->format == lock->format && back->steps == lock->steps,
        "parse(serialize(lock)) != lock", [&] { return text; });
  check(reel::serialize_steps_lock(*back) == text, "serialize_steps_lock is not stable",
        [&] { return text; });
  for (const auto& step : lock->steps) {
    check(lock->find(step.name) == &step, "find() misses a step", [&] { return step.name; });
  }
  return 0;
}
