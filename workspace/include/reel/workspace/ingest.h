// Taking external files into an output (DESIGN §5 `reel ingest`; dvc's `import-url` / `update`):
// a file or folder from a path, or a file from an http(s) URL, is copied into outputs/NAME and
// its source recorded in outputs/NAME/sources.lock (sources_lock.h), so `--check` can tell
// which sources changed upstream and `--update` can take them in again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reel/engine/sources_lock.h"
#include "reel/workspace/workspace.h"

namespace reel {

// The most bytes one URL source may have: the body is held in memory while it is checked
// (DESIGN §8: every read is bounded). Larger files: download them, then ingest the path.
inline constexpr std::uint64_t kMaxIngestUrlBytes = std::uint64_t{256} << 20;

// `reel ingest NAME SRC [--path DEST]`: copies SRC (an absolute path to a file or folder, a
// file:// URL, or an http(s):// URL to a file) to outputs/NAME/DEST (default: SRC's last
// component), and records it in sources.lock. Everything is copied into a staging folder under
// WORKSPACE/.reel/ingest/ first and moved into place only once complete and hashed, then
// sources.lock is rewritten (atomically): on any failure the output is as it was. Folders are
// copied with their symlinks; .git and .reel folders are left out. Errors: kInvalidArgument for
// a DEST the path rules refuse or that reel writes (asset.toml, steps.lock, sources.lock), a
// source inside the output, or no last component to name DEST after; kAlreadyExists for a
// DEST that exists and is not a recorded source; kNotFound for a missing source; the HTTP
// client's (kNetwork, kNotFound for a 404, kCorruption over kMaxIngestUrlBytes).
Result<SourceRecord> ingest_source(Workspace& ws, const std::string& name, const std::string& src,
                                   const std::string& dest);

// One recorded source, compared with what is upstream now.
struct SourceCheck {
  std::string output;  // the output's name
  SourceRecord record;
  bool changed = false;
  std::string detail;  // for a person: "content changed (1234 -> 1300 bytes)", "no longer exists"
};

// `reel ingest --check [NAME]`: every source of outputs/NAME (every output when `name` is
// nullopt). A path source is hashed again (changed when its digest differs, or it is gone); a
// URL source is fetched with If-None-Match when an ETag was recorded (a 304 is unchanged),
// otherwise its body is hashed. A source that no longer exists (404) is changed. Errors:
// malformed sources.lock (naming it), other HTTP errors, the file system's.
Result<std::vector<SourceCheck>> check_sources(Workspace& ws,
                                               const std::optional<std::string>& name);

// `reel ingest --update [NAME]`: ingest_source() again for each source check_sources() finds
// changed, to the same path from the same URL. Returns the new records. ingest_source()'s
// errors (a source gone upstream is kNotFound).
Result<std::vector<SourceRecord>> update_sources(Workspace& ws,
                                                 const std::optional<std::string>& name);

}  // namespace reel
