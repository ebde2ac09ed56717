// The fast path of parse_index (index.h): nlohmann-json's SAX interface straight into a
// PackageIndex, without building the JSON document first (issue 16). Private to the engine (and
// the fuzz target that checks it against the document parse).
#pragma once

#include <optional>
#include <string_view>

#include "reel/engine/index.h"

namespace reel {

// The index `text` holds, exactly as the document parse reads it, or nullopt when the text is
// anything but a well-formed index in the usual shape: malformed JSON or fields, duplicate keys
// the reader cares about. The caller then runs the document parse, which names the problem
// ("versions[2].archive.sha256") or reads the unusual file. `text` must have passed
// check_json_input (size and depth) already.
std::optional<PackageIndex> parse_index_sax(std::string_view text);

// parse_index's document path: nlohmann-json's DOM, then each field read and checked in a fixed
// order, so an error names the first bad field ("FILE: versions[2].archive.sha256: ..."). Same
// precondition. parse_index tries parse_index_sax first and runs this when it gives up.
Result<PackageIndex> parse_index_document(std::string_view text, std::string_view file);

}  // namespace reel
