// Studio metadata conventions (DESIGN §2 [metadata]): the keys the studio views (`reel show`,
// `reel export watchtower`) read from a package's [metadata], validated when present:
//   project, sequence, shot, description  strings
//   frame_in, frame_out                   integers, frame_in <= frame_out (frame_out is the
//                                         first frame after the shot: Kitsu's and Watchtower's
//                                         durationSeconds = (frame_out - frame_in) / fps)
//   fps                                   a number > 0
//   thumbnail                             a safe relative path (path_rules.h) of a file the
//                                         package holds
// `type = "shot"` and `type = "sequence"` packages are the shot and sequence records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/engine/package.h"
#include "reel/storage/error.h"

namespace reel {

// The conventional keys of one version's [metadata], as read by the studio views.
struct StudioMetadata {
  std::string project;
  std::string sequence;
  std::string shot;
  std::string description;
  std::string thumbnail;  // path inside the asset, "" if none
  std::optional<std::int64_t> frame_in;
  std::optional<std::int64_t> frame_out;
  std::optional<double> fps;
  std::vector<std::string> tags;  // "tags", as publish copies [asset] tags (decisions.md)
};

// Reads the keys above from [metadata] JSON text (IndexEntry::metadata_json). Tolerant: a key of
// the wrong type reads as absent (a published entry was validated when it was built; entries of
// older reels were not), malformed text reads as no keys.
StudioMetadata read_studio_metadata(std::string_view metadata_json);

// Checks the conventions on [metadata] JSON text: kInvalidArgument naming `file` and the key
// ("outputs/SH010/asset.toml: [metadata] frame_in: 1048 is after frame_out 1001"). The thumbnail
// is checked as a path only (thumbnail_problem checks that the package holds it).
Status check_studio_metadata(std::string_view metadata_json, std::string_view file);

// kInvalidArgument naming `file` when [metadata] thumbnail names no file of `files` (a built
// package's files.json entries). OK when there is no thumbnail.
Status check_thumbnail_in_package(std::string_view metadata_json,
                                  const std::vector<FileEntry>& files, std::string_view file);

}  // namespace reel
