// What a power loss would take away, for FaultInjectingFileSystem (test support, never linked
// into reel itself). The model is LevelDB's db/fault_injection_test.cc (FaultInjectionTestEnv:
// per file, the data since its last fsync; per directory, the files created since its last
// fsync), extended to renames, hard links and removals.
//
// Modelled (every path as seen through the wrapper, made absolute and lexically normal):
//  - File data. Per file (one state shared by its hard links), the length its last fsync made
//    durable: OutputFile::sync, FileSystem::sync_file, sync_filesystem (every file). reel writes
//    files append-only through OutputFile, so losing what was not synced is truncating the file
//    to that length. Files made by copy_file or clone_file have no durable data yet.
//  - Directory entries. Every entry created (create_temp, create_directories, hard_link, symlink,
//    copy_file, clone_file), renamed (rename, OutputFile::commit) or removed (remove, remove_all,
//    OutputFile::abort) since the last fsync of its directory (sync_directory; sync_filesystem
//    syncs every directory). A rename is its destination directory's: once that directory is
//    synced, the whole rename is durable (ext4 journals a rename as one operation). A file that
//    a rename or copy replaced, and a removed file or tree, wait in the stash folder, so that
//    undoing the operation can bring them back.
//  - Two outcomes of a power loss (PowerLossModel): every unsynced entry undone (the strict,
//    POSIX reading), or every entry kept with unsynced data lost (ext4's worst case for data).
//
// Not modelled: inode attributes (mode, mtime, extended attributes) stay as they are; lock files
// (their existence holds no state); anything written around the wrapper; a rename between two
// names of one inode (it does nothing); files on disk before tracking started, which are durable.
// A crash of an interrupted journal transaction (ext4 keeping some but not all unsynced entries)
// lies between the two outcomes and is not produced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "reel/storage/file_system.h"

namespace reel {

// What survives a simulated power loss.
enum class PowerLossModel {
  // Strict (POSIX's promise, LevelDB's model extended): unsynced file data is lost (each file
  // truncated to its synced length) and every directory entry created, renamed or removed since
  // its directory's last fsync is undone, newest first: a created entry disappears with whatever
  // is below it, a renamed one goes back to its old name and the file it replaced comes back, a
  // removed one comes back.
  kUnsyncedEntriesLost,
  // ext4 data=ordered with delayed allocation, in its worst case for data: the journal committed
  // every directory operation just before the crash, so every entry stays, but files keep only
  // their synced length (the zero-length files of ext4's early days), except a file that
  // replaced another by rename, whose data ext4 writes before the rename commits (auto_da_alloc).
  kMetadataKeptDataLost,
};

// "unsynced-entries-lost" / "metadata-kept-data-lost", for test names and messages.
const char* power_loss_model_name(PowerLossModel model);

// The record of what is durable, kept by FaultInjectingFileSystem while it tracks durability.
// Calls take the base file system's view of the disk; the caller serialises them (one at a
// time) and makes every change it reports through `base`. Errors are the base file system's.
class DurabilityTracker {
 public:
  // `stash_dir`: an empty folder on the same file system as the tracked files (renames into it
  // must work), outside every folder the code under test lists; created if missing.
  DurabilityTracker(FileSystem& base, fs::path stash_dir);

  // Before an operation that replaces `path` if it exists (rename, commit, copy_file,
  // clone_file): a hard link to the file there is kept in the stash (an empty directory there is
  // moved into it), so undoing the operation can bring it back. Returns the stash path, or an
  // empty path when nothing is there.
  Result<fs::path> keep_replaced(const fs::path& path);
  // Drops what keep_replaced kept, when the operation failed.
  void forget_replaced(const fs::path& stash);

  // A new entry at `path` (a temp file, a directory, a link, a copy) that replaced the stashed
  // `replaced` (or nothing). `data`: a new file whose bytes are not durable yet (create_temp,
  // copy_file, clone_file); a hard link shares its source's state instead (linked()).
  void created(const fs::path& path, bool data, const fs::path& replaced = {});
  void linked(const fs::path& from, const fs::path& to);
  void renamed(const fs::path& from, const fs::path& to, const fs::path& replaced);
  // Removes `path` (a file, a symlink, an empty directory, or with `tree` a whole tree) by moving
  // it into the stash. Returns false, changing nothing, when `path` is a non-empty directory and
  // `tree` is false (the caller lets the base refuse it).
  Result<bool> remove(const fs::path& path, bool tree);
  // The components of `path` that do not exist yet, outermost first (create_directories).
  Result<std::vector<fs::path>> missing_directories(const fs::path& path);

  void synced_file(const fs::path& path);
  void synced_directory(const fs::path& path);
  void synced_everything();

  // Applies `model` to the disk (truncates files, undoes entries), empties the stash and starts
  // afresh: everything on disk is then durable. Errors: the base's, or kIOError from truncate(2).
  Status power_loss(PowerLossModel model);

  // How many files have unsynced data, and how many entry operations are not durable (tests).
  std::size_t unsynced_files() const;
  std::size_t unsynced_entries() const;

 private:
  struct Data {
    std::uint64_t synced = 0;         // bytes made durable by the last fsync
    bool replaced_by_rename = false;  // ext4's auto_da_alloc applies
  };
  struct Entry {
    enum Kind { kCreated, kRenamed, kRemoved } kind;
    std::string dir;    // the directory whose fsync makes it durable
    std::string path;   // the entry (the destination of a rename)
    std::string from;   // kRenamed: the old name
    std::string stash;  // what it replaced or removed, kept in the stash ("" for nothing)
    bool durable = false;
  };

  fs::path next_stash_path();
  // Re-keys the data states of `from` and everything below it to `to`.
  void move_data(const std::string& from, const std::string& to);
  Status truncate_unsynced(PowerLossModel model);
  Status undo(const Entry& e);

  FileSystem& base_;
  fs::path stash_dir_;
  std::uint64_t stash_counter_ = 0;
  std::map<std::string, std::shared_ptr<Data>> files_;  // current path -> data state
  std::vector<Entry> log_;                              // oldest first
};

// The key the tracker files a path under: absolute, lexically normal, no trailing separator.
std::string durable_key(const fs::path& path);

}  // namespace reel
