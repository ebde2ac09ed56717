// Building a package from an asset folder: files.json and the package archive (DESIGN §2).
// The archive (tar + zstd) holds `asset.toml` and `files.json`; content bytes go into an object
// store. files.json is `[{path, sha256, size, executable}]` sorted by path; a symlink that stays
// inside the asset is an entry with "symlink": TARGET instead of sha256/size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/engine/manifest.h"
#include "reel/storage/digest.h"
#include "reel/storage/file_system.h"
#include "reel/storage/object_store.h"

namespace reel {

struct FileEntry {
  std::string path;  // '/'-separated, relative to the asset root
  Digest sha256;
  std::uint64_t size = 0;
  bool executable = false;
  std::optional<std::string> symlink;  // target, for symlink entries
};

Result<std::vector<FileEntry>> parse_files_json(std::string_view text, std::string_view file);
std::string serialize_files_json(const std::vector<FileEntry>& files);

// A package ready to publish: its manifest, file list and archive.
struct BuiltPackage {
  AssetManifest manifest;
  std::string manifest_text;  // asset.toml bytes as stored in the archive
  std::vector<FileEntry> files;
  std::string archive_bytes;
  Digest archive_digest;
  std::uint64_t total_size = 0;
};

// Snapshots `asset_dir`: reads and validates asset.toml, walks the files matching [files]
// include/exclude (always excluding .git/ and .reel/ and asset.toml itself), stores each content
// file in `objects`, and builds the archive. Refuses symlinks leaving the asset, special files and
// names that are not valid UTF-8 or contain a newline (kInvalidArgument naming the path).
Result<BuiltPackage> build_package(FileSystem& fs, ObjectStore& objects, const fs::path& asset_dir);

// Reads a package archive's bytes back. kCorruption if members are missing or malformed.
Result<BuiltPackage> read_package(std::string_view archive_bytes, std::string_view what);

// Glob match as in [files]: `*` within a component, `**` across components, `?` one character.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace reel
