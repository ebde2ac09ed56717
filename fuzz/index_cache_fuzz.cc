// fuzz_index_cache: the binary index cache (engine/include/reel/engine/index_cache.h), whose files
// are read back from a cache directory that any bug, crash or user may have damaged.
// Each input is tried three ways:
//   - as a whole cache file (decode_index_cache_file): never crashes; a file it accepts re-encodes
//     to the same bytes;
//   - as a bare payload (decode_index_payload, past the checksum a fuzzer cannot forge): what it
//     accepts re-encodes to the same bytes, and is an index parse_index could have produced:
//     parse(serialize(index)) == index field by field (index_compare.h), versions ascending;
//   - as a whole cache file read as an IndexView (decode_index_cache_view, what the resolver
//     reads): never crashes, and each entry it gives on demand either fails with an error or is
//     the one decode_index_cache_file gives; a file both accept has the same versions;
//   - as index JSON (parse_index): what parses goes through the cache file unchanged, every field
//     of every IndexEntry compared, and through its view too.
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

// Every entry of `view`, decoded on demand, is `whole`'s (when the whole file decoded) or an error.
void check_view(reel::IndexView view, const reel::PackageIndex* whole) {
  if (whole) {
    check(view.name() == whole->name && view.versions().size() == whole->versions.size(),
          "a view and the whole file disagree on the name or the versions");
  }
  for (std::size_t i = 0; i < view.versions().size(); ++i) {
    const reel::VersionSummary s = view.versions()[i];
    auto entry = view.entry(s.version);
    if (!whole) continue;
    check(entry.has_value() && *entry != nullptr, "a view cannot decode an entry the file holds",
          [&] { return entry ? std::string("no entry") : entry.error().message; });
    const std::string diff = reel::fuzz::entry_difference(**entry, whole->versions[i]);
    check(diff.empty(), "a view's entry differs from the whole file's", [&] { return diff; });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = reel::fuzz::as_text(data, size);
  if (auto file = reel::decode_index_cache_file(bytes, "fuzz.idx")) {
    check(reel::encode_index_cache_file(*file) == bytes,
          "an accepted cache file re-encodes differently");
    check_parseable(file->index);
  }
  if (auto view = reel::decode_index_cache_view(std::string(bytes), "fuzz.idx")) {
    auto whole = reel::decode_index_cache_file(bytes, "fuzz.idx");
    check_view(std::move(view->view), whole ? &whole->index : nullptr);
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
    auto view = reel::decode_index_cache_view(file, "fuzz.idx");
    check(view.has_value(), "the cache file of a parsed index does not decode as a view",
          [&] { return view.error().message; });
    check_view(std::move(view->view), &*index);
  }
  return 0;
}
