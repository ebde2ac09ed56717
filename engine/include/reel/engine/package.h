// Building a package from an asset folder: files.json and the package archive (DESIGN §2).
// The archive (tar + zstd) holds `asset.toml` and `files.json`; content bytes go into an object
// store. files.json is `[{path, sha256, size, executable}]` sorted by path; a symlink that stays
// inside the asset is an entry with "symlink": TARGET instead of sha256/size.
#pragma once

#include <cstdint>
#include <functional>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/engine/manifest.h"
#include "reel/storage/digest.h"
#include "reel/storage/file_system.h"
#include "reel/storage/object_store.h"
#include "reel/storage/stat_cache.h"

namespace reel {

struct FileEntry {
  std::string path;  // '/'-separated, relative to the asset root
  Digest sha256;
  std::uint64_t size = 0;
  bool executable = false;
  std::optional<std::string> symlink;  // target, for symlink entries
};

// Parses files.json. kCorruption naming `file` and the entry for malformed JSON (nesting deeper
// than kMaxNestingDepth, over kMaxArchiveBytes or kMaxPackageFiles entries included), entries out
// of order or listed twice, and any file_list_problem.
Result<std::vector<FileEntry>> parse_files_json(std::string_view text, std::string_view file);
std::string serialize_files_json(const std::vector<FileEntry>& files);

// Why a file list breaks the path rules (reel/storage/path_rules.h, tree_problem: unsafe or
// reserved paths such as .git, case-only duplicates, symlinks resolving outside the asset), or
// names "asset.toml" at its root, or nullopt. parse_files_json and build_package both apply it,
// so a package that builds is a package that installs.
std::optional<std::string> file_list_problem(const std::vector<FileEntry>& files);

// What building hashed: files read and hashed, files taken from the stat cache unread.
struct BuildStats {
  std::uint64_t files_hashed = 0;
  std::uint64_t files_unchanged = 0;
  std::uint64_t bytes_hashed = 0;
};

// A package ready to publish: its manifest, file list and archive.
struct BuiltPackage {
  AssetManifest manifest;
  std::string manifest_text;  // asset.toml bytes as stored in the archive
  std::vector<FileEntry> files;
  std::string archive_bytes;
  Digest archive_digest;
  std::uint64_t total_size = 0;
  BuildStats stats;  // filled by build_package only
};

struct BuildOptions {
  // Files whose stat still matches their entry are not read again (their object must still be in
  // `objects`); every hashed file is recorded. nullptr: hash everything.
  StatCache* stat_cache = nullptr;
  // Threads hashing and storing files; 0 = one per core. The result does not depend on it.
  unsigned jobs = 0;
  // Called after each content file is stored (asset path, bytes), from any of the threads.
  std::function<void(const std::string& path, std::uint64_t size)> progress;
  // Paths to leave out besides [files] exclude (asset path, whether it is a folder): for an
  // output, what git ignores and does not track (cargo package and git archive leave those out).
  // Called from the walking thread only. Empty: nothing more is left out.
  std::function<bool(const std::string& path, bool is_dir)> excluded;
};

// Snapshots `asset_dir`: reads and validates asset.toml, walks the files matching [files]
// include/exclude (always excluding .git/ and .reel/ and asset.toml itself), stores each content
// file in `objects` (streaming: each file is read once, hashed with SHA-256 while it is copied,
// constant memory per file, `options.jobs` files at a time), and builds the archive. Refuses
// symlinks leaving the asset, special files and names that are not valid UTF-8 or contain a
// control character (kInvalidArgument naming the path); kConflict naming a file whose size,
// mtime or inode changed while it was read; the object store's errors (kNoSpace, kIOError).
Result<BuiltPackage> build_package(FileSystem& fs, ObjectStore& objects, const fs::path& asset_dir,
                                   const BuildOptions& options = {});

// Reads a package archive's bytes back. kCorruption if members are missing or malformed.
Result<BuiltPackage> read_package(std::string_view archive_bytes, std::string_view what);

// Glob match as in [files]: `*` within a component, `**` across components, `?` one character.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace reel
