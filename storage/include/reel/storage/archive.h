// Package archives: tar (pax) compressed with zstd, written and read with libarchive. A reel
// package archive holds small metadata members only (asset.toml, files.json); content bytes live
// in the object store (DESIGN §2). Archives are built deterministically: members in the given
// order, mtime 0, uid/gid 0, mode 0644, so the same members give the same bytes and digest.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/error.h"

namespace reel {

struct ArchiveMember {
  std::string path;  // relative, '/'-separated, no "..", not absolute
  std::string data;
};

// Builds the archive bytes. kInvalidArgument for an unsafe member path.
Result<std::string> write_archive(const std::vector<ArchiveMember>& members);

// Reads every regular-file member. Refuses (kCorruption, naming the member) paths the path rules
// refuse (path_rules.h: absolute, "..", .git, control characters, ...), a path that appears
// twice, links, devices, and members or totals larger than `max_total_bytes`; kCorruption for
// bytes that are not a valid tar.zst.
Result<std::vector<ArchiveMember>> read_archive(std::string_view bytes,
                                                std::size_t max_total_bytes = 64u << 20);

}  // namespace reel
