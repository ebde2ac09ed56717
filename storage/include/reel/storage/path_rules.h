// The one owner of reel's path rules (DESIGN §8). Every path that comes from a package, a bundle,
// a repo or a request and is joined under a folder of reel's is checked here: files.json parsing,
// package archive and bundle reading, building a package, `reel edit`, and the server's request
// paths. The rules:
//   - a path is relative, '/'-separated, at most kMaxPathBytes bytes, each component at most
//     kMaxComponentBytes bytes; no empty, "." or ".." component; no leading or trailing '/';
//     valid UTF-8; no control character (U+0000-U+001F, U+007F) and no backslash;
//   - no component is git's or reel's metadata folder in any spelling a file system treats as
//     ".git" or ".reel" (is_reserved_component): a package must never carry a repository
//     configuration (git's core.fsmonitor runs commands) or reel's own state;
//   - in a listing (tree_problem): no two paths that differ only in ASCII case at any component
//     (they would merge on macOS and Windows), no path that is both a file and a folder, no path
//     below a symlink, and every symlink target, resolved component by component through the
//     listing's own symlinks as the kernel would (at most kMaxSymlinkHops links), stays inside the
//     tree and never passes through a file.
// The rules answer with the reason (a value), and callers choose the error code: kCorruption for
// what a repo or bundle sent, kInvalidArgument for what a user asked for.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reel {

inline constexpr std::size_t kMaxPathBytes = 4096;
inline constexpr std::size_t kMaxComponentBytes = 255;
inline constexpr int kMaxSymlinkHops = 40;  // Linux's MAXSYMLINKS (path_resolution(7))

// True if `component` is ".git" or ".reel" as some file system would read it: in any ASCII case,
// with trailing dots or spaces (NTFS drops them), with an NTFS stream suffix (".git::$DATA"), as
// the NTFS short names "git~1" / "reel~1", or with the Unicode code points HFS+ ignores
// (U+200C-U+200F, U+202A-U+202E, U+206A-U+206F, U+FEFF) inside it. Git's verify_path
// (is_ntfs_dotgit, is_hfs_dotgit) is the reference.
bool is_reserved_component(std::string_view component);

// Why `path` is not a safe relative path by the rules above ("has a '..' component", ...), or
// nullopt when it is. Linear in the size of `path`.
std::optional<std::string> path_problem(std::string_view path);

// Why `target` is not an acceptable symlink target text, or nullopt: non-empty, relative (no
// leading '/'), at most kMaxPathBytes bytes, valid UTF-8, no control character (NUL included) or
// backslash, no empty component (a trailing '/' is allowed), no reserved component. "." and ".."
// components are allowed; where they lead is tree_problem's business.
std::optional<std::string> symlink_target_problem(std::string_view target);

// One entry of a listing: a path, and for a symlink its target (nullopt for a file).
struct TreeEntry {
  std::string_view path;
  std::optional<std::string_view> symlink;
};

// The first problem of a whole listing (a package's files), as "'PATH': REASON" (or
// "'PATH' -> 'TARGET': REASON", e.g. "leaves the asset (followed through its links)"),
// or nullopt: each path as path_problem, each target as symlink_target_problem, then the
// listing's rules above. Entries may come in any order. O(n log n) in the number of entries plus
// the work of resolving each link (bounded by kMaxSymlinkHops × kMaxPathBytes).
std::optional<std::string> tree_problem(const std::vector<TreeEntry>& entries);

}  // namespace reel
