// Progress of a transfer (downloads into an object store, uploads), for a progress display.
#pragma once

#include <cstdint>
#include <functional>

namespace reel {

// Called with increments as a transfer moves, from any thread (the callee synchronises):
// `bytes` more bytes moved (negative when a transfer restarts from zero and its bytes are taken
// back), `files` more files completed. An empty function reports nothing.
using TransferProgress = std::function<void(std::int64_t bytes, std::uint64_t files)>;

}  // namespace reel
