// Frame sequences in a package's file list: `renders/frame.0001.exr` … `frame.0500.exr` shown as
// one entry, `renders/frame.####.exr [1-500]` (issue 4). Pure logic over files.json entries; no
// file system access.
//
// The rules follow the tools artists already read (fileseq, `lsseq`, OpenImageIO's
// `Filesystem::scan_for_matching_filenames`):
// - The frame number is the LAST run of decimal digits in the file name (not the directory), so
//   `shot010_v002.0001.exr` is frame 1 of `shot010_v002.####.exr`.
// - Files are one sequence when they share directory, prefix (name before the run), suffix (name
//   after it) and padding width, and there are at least 2 of them; a lone numbered file stays a
//   plain file.
// - Padding (fileseq's convention, one `#` per digit): a run with a leading zero (`0001`, `00`)
//   is padded to its length. A run without one (`1`, `10`, `1000`) fits any width up to its own
//   length: it joins the padded group of exactly its length in the same (directory, prefix,
//   suffix) if there is one (`0999` and `1000` are one `####` sequence), otherwise the
//   *unpadded* group, width 1, printed `frame.#.exr` (fileseq's `#` with pad 1: numbers printed
//   as they are, `frame.#.exr [1-10]` is frame.1.exr … frame.10.exr). So frame.0001.exr and
//   frame.1.exr are never one sequence.
// - A digit run whose value does not fit in 64 bits, and any symlink entry, is a plain file.
// - Frame ranges print in fileseq's frame-range syntax without steps: `1-3,5,7-10`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "reel/engine/package.h"

namespace reel {

// Files of one directory that differ only in their frame number. Value type, no invariants
// enforced beyond what group_file_sequences() produces.
struct FileSequence {
  std::string directory;  // '/'-separated, relative to the asset root; "" for the root itself
  std::string prefix;     // file name before the frame number ("frame.")
  std::string suffix;     // file name after the frame number (".exr")
  int padding = 1;        // digits of zero-padding, >= 1; 1 means unpadded
  std::vector<std::uint64_t> frames;  // ascending, no duplicates, >= 2 of them
  std::uint64_t total_size = 0;       // bytes, summed over the files

  // Number of files (= frames.size()).
  std::size_t file_count() const { return frames.size(); }
  // The name with one `#` per padding digit: "frame.####.exr", "frame.#.exr" (unpadded).
  std::string pattern() const;
  // directory + "/" + pattern(), or just pattern() at the root.
  std::string display_path() const;
  // The path of one frame's file: "renders/frame.0042.exr" (zero-filled to `padding` digits).
  std::string file_path(std::uint64_t frame) const;
};

// One entry of a grouped file list: a single file as in files.json, or a sequence.
using FileGroup = std::variant<FileEntry, FileSequence>;

// Groups `files` (paths '/'-separated and unique, as in files.json; any order) into sequences and
// single files by the rules above. The result is sorted by directory, then by display name (the
// file name of a single file, pattern() of a sequence), byte-wise; ties put files first. Never
// fails: anything that is not a sequence stays a plain file. Linear-logarithmic in files.size().
std::vector<FileGroup> group_file_sequences(const std::vector<FileEntry>& files);

// Contiguous runs of `frames` (ascending, unique) as inclusive [first, last] pairs:
// {1,2,3,5,7,8} -> {{1,3},{5,5},{7,8}}. Empty input gives an empty result.
std::vector<std::pair<std::uint64_t, std::uint64_t>> frame_ranges(
    const std::vector<std::uint64_t>& frames);

// fileseq's frame-range text for `frames` (ascending, unique), without brackets and without step
// syntax: "1-500", "1-3,5,7-10"; a run of two is "7-8". Empty input gives "".
std::string frame_range_text(const std::vector<std::uint64_t>& frames);

}  // namespace reel
