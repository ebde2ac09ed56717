// What sync placed in inputs/, file by file (issue 11: write-through detection). For every file
// of every installed package (asset.toml included), the lstat seen right after it was placed:
// type, inode, size, mtime, ctime, link count and mode. A later sync compares each installed file
// with one lstat and treats any difference as damage: the file is placed again (and, when it is a
// hard link, its cache object is checked first, because a write through the link changed it).
//
// Comparison (matches()): type, inode, size, mtime and mode always; ctime too for a file with an
// inode of its own (a copy, a clone, asset.toml), not for a hard link into the cache, because
// link(2) and unlink(2) of any other hard link to the same inode (another package or workspace
// installing or dropping the same object) move ctime without touching the bytes. A deliberate
// write through a hard link that also restores the mtime is left to `reel verify` (hashing).
//
// File WORKSPACE/.reel/installed-files-v1, private to the workspace library; one entry a line,
// the path last so it may hold spaces (package paths never hold newlines: path_rules.h):
//   reel-installed-files 1
//   <lower name> <f|l> <inode> <size> <mtime ns> <ctime ns> <nlink> <mode octal> <path>
// Written with temp + rename, and fsynced before installed.json claims a package they describe
// (issue 11): records older than the claim could match the files of the version before it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

class InstalledFiles {
 public:
  // The stat of one installed file as recorded.
  struct Record {
    FileType type = FileType::kRegular;  // kRegular or kSymlink
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    std::uint64_t nlink = 0;
    std::uint32_t mode = 0;
  };

  // Reads `file`; a missing or malformed one gives no records (everything is checked by hash).
  // Errors: kIOError reading an existing file.
  static Result<InstalledFiles> load(FileSystem& fs, const fs::path& file);
  // Writes the records (temp + rename; with `sync`, fsynced with their folder: sync makes them
  // durable before installed.json claims a package they describe).
  Status save(FileSystem& fs, const fs::path& file, bool sync = false) const;

  // The records of one package (lower-case name), path -> record; nullptr if it has none.
  const std::map<std::string, Record>* package(const std::string& key) const;
  // Replaces the records of package `key` with `files` (path -> stat).
  void set_package(const std::string& key, std::map<std::string, Record> files);
  // Replaces one file's record.
  void set_file(const std::string& key, const std::string& path, const Record& record);
  // Drops a package's records.
  void forget(const std::string& key);
  bool changed() const { return changed_; }

  // The record of a stat.
  static Record of(const FileStat& st);
  // Whether `now` still shows the file `recorded` describes (see the file comment).
  static bool matches(const Record& recorded, const FileStat& now);

 private:
  std::map<std::string, std::map<std::string, Record>> packages_;
  bool changed_ = false;
};

// WORKSPACE/.reel/installed-files-v1.
fs::path installed_files_path(const fs::path& workspace_root);

}  // namespace reel
