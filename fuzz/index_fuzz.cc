// fuzz_index: parse_index, a repo's index/<name>.json (DESIGN §2,
// engine/include/reel/engine/index.h). Invariants: versions come out sorted ascending;
// parse(serialize(index)) == index, field by field
// ([metadata] compared as JSON values); serializing it again gives the same text; find() finds
// each version. The SAX fast path (engine/src/index_sax.h) agrees with the document parse: what it
// accepts, the document parse accepts and reads the same, field by field; what the document parse
// refuses, it refuses.
#include "fuzz_check.h"
#include "index_compare.h"
#include "index_sax.h"
#include "reel/engine/index.h"
#include "reel/engine/input_limits.h"

using reel::IndexEntry;
using reel::PackageIndex;
using reel::fuzz::check;
using reel::fuzz::difference;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = reel::fuzz::as_text(data, size);
  auto index = reel::parse_index(input, "index/fuzz.json");
  if (index) {
    auto document = reel::parse_index_document(input, "index/fuzz.json");
    check(document.has_value(), "parse_index accepts what the document parse refuses",
          [&] { return document.error().message; });
    const std::string diff = difference(*document, *index);
    check(diff.empty(), "the SAX parse and the document parse differ", [&] { return diff; });
  } else if (reel::check_json_input(input, "index/fuzz.json", reel::kMaxIndexBytes)) {
    check(!reel::parse_index_sax(input).has_value(),
          "the SAX parse accepts what the document parse refuses",
          [&] { return index.error().message; });
  }
  if (!index) return 0;
  for (std::size_t i = 1; i < index->versions.size(); ++i) {
    check(!(index->versions[i].version < index->versions[i - 1].version),
          "versions are not sorted ascending");
  }
  const std::string text = reel::serialize_index(*index);
  auto back = reel::parse_index(text, "serialized.json");
  check(back.has_value(), "serialize_index's text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  const std::string diff = difference(*index, *back);
  check(diff.empty(), "parse(serialize(index)) != index",
        [&] { return diff + "\n--- text:\n" + text; });
  check(reel::serialize_index(*back) == text, "serialize_index is not stable",
        [&] { return text; });
  for (const auto& e : index->versions) {
    const IndexEntry* found = index->find(e.version);
    check(found != nullptr && found->version == e.version, "find() misses a version",
          [&] { return e.version.to_string(); });
  }
  return 0;
}
