// steps.lock (DESIGN §2; dvc's dvc.lock): beside an asset's asset.toml, what each [[step]] last
// ran and the SHA-256 of everything it read and wrote, so `reel build` re-runs only the steps
// whose inputs changed, and a consumer of the published package can see how a file was made.
// TOML written in a stable order (steps by name, files by path as the step lists them):
//
//   version = 1
//
//   [[step]]
//   name = "preview"
//   cmd = "ffmpeg -y ... preview.mp4"
//   deps = [
//     { path = "frames/", sha256 = "…", size = 1234567, files = 48 },
//     { path = "pkg:Table", sha256 = "…", version = "3.2.1" },
//   ]
//   outs = [
//     { path = "preview.mp4", sha256 = "…", size = 81234 },
//   ]
//
// A file's sha256 is of its bytes; a folder's (a path ending in '/') is folder_digest() of its
// files; a pkg: dep's is the package archive's digest in reel.lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/storage/digest.h"
#include "reel/storage/error.h"

namespace reel {

// One dep or out as recorded: the path as the step writes it, its digest, and its size in bytes
// (summed for a folder), the number of files (folders only) and the version (pkg: deps only).
struct StepFile {
  std::string path;
  Digest sha256;
  std::uint64_t size = 0;
  std::uint64_t files = 0;
  std::string version;

  bool operator==(const StepFile&) const = default;
};

struct StepRecord {
  std::string name;
  std::string cmd;
  std::vector<StepFile> deps;
  std::vector<StepFile> outs;

  bool operator==(const StepRecord&) const = default;
};

struct StepsLock {
  int format = 1;
  std::vector<StepRecord> steps;  // sorted by name

  // The record of step `name`, or nullptr.
  const StepRecord* find(std::string_view name) const;
  // Replaces (or adds) the record of `record.name`, keeping the order.
  void put(StepRecord record);
};

// Parses steps.lock. kInvalidArgument naming `file` and the field for malformed input (size
// and nesting checked first, as every TOML input).
Result<StepsLock> parse_steps_lock(std::string_view text, std::string_view file);
// The stable text (a header comment, then as above).
std::string serialize_steps_lock(const StepsLock& lock);

// The digest of a folder's content as steps.lock records it (dvc's .dir hash): SHA-256 of one
// line per file, "PATH\0HEX\n" with PATH relative to the folder and HEX its SHA-256, in sorted
// path order. `files` must be sorted by path.
Digest folder_digest(const std::vector<std::pair<std::string, Digest>>& files);

}  // namespace reel
