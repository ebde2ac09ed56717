// fuzz_index_cache: the binary index cache (engine/include/reel/engine/index_cache.h), whose files
// are read back from a cache directory that any bug, crash or user may have damaged.
// Each input is tried three ways:
//   - as a whole cache file (decode_index_cache_file): never crashes; a file it accepts re-encodes
//     to the same bytes;
//   - as a bare payload (decode_index_payload, past the checksum a fuzzer cannot forge): what it
//     accepts re-encodes to the same bytes, and is an index parse_index could have produced:
//     parse(serialize(index)) == index field by field (index_compare.h), versions ascending;
//   - as index JSON (parse_index): what parses goes through the cache file unchanged, every field
//     of every IndexEntry compared.
#include "fuzz_check.h"
#include "index_compare.h"
#include "reel/engine/index.h"
#include "reel/engine/index_cache.h"

using reel::PackageIndex;
using reel::fuzz::check;
using reel::fuzz::difference;

namespace {

// The payload's index is one parse_index accepts and gives back unchanged.
void check_parseable(const PackageIndex& index) {
  for (std::size_t i = 1; i < index.versions.size(); ++i) {
    check(!(index.versions[i].version < index.versions[i - 1].version),
          "decoded versions are not sorted ascending");
  }
  const std::string text = reel::serialize_index(index);
  auto back = reel::parse_index(text, "serialized.json");
  check(back.has_value(), "a decoded index serializes to text parse_index refuses",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  const std::string diff = difference(index, *back);
  check(diff.empty(), "parse(serialize(decoded)) != decoded",
        [&] { return diff + "\n--- text:\n" + text; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = reel::fuzz::as_text(data, size);
  if (auto file = reel::decode_index_cache_file(bytes, "fuzz.idx")) {
    check(reel::encode_index_cache_file(*file) == bytes,
          "an accepted cache file re-encodes differently");
    check_parseable(file->index);
  }
  if (auto payload = reel::decode_index_payload(bytes, "fuzz payload")) {
    check(reel::encode_index_payload(*payload) == bytes,
          "an accepted payload re-encodes differently");
    check_parseable(*payload);
  }
  if (auto index = reel::parse_index(bytes, "index/fuzz.json")) {
    reel::IndexCacheRecord record{"stat 1 2 3 4 5", reel::sha256_bytes(bytes), *index};
    const std::string file = reel::encode_index_cache_file(record);
    auto back = reel::decode_index_cache_file(file, "fuzz.idx");
    check(back.has_value(), "the cache file of a parsed index does not decode",
          [&] { return back.error().message; });
    const std::string diff = difference(*index, back->index);
    check(diff.empty(), "decode(encode(parse_index(json))) != parse_index(json)",
          [&] { return diff; });
    check(back->validator == record.validator && back->source == record.source,
          "the cache file's validator or source digest changed");
  }
  return 0;
}
