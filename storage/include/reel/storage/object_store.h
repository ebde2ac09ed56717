// A content-addressed object store on a file system: each object is a file named by the SHA-256
// of its bytes, at ROOT/sha256/<2 hex>/<62 hex> (DESIGN §2, the repo layout's objects/ folder and
// the cache's objects-v1/ bucket use the same shape). Objects are immutable and read-only (0444;
// a hard link made from one shares that inode); an object that exists is never rewritten, unless
// its size is not its bytes' (what a power loss leaves of an object never fsynced): a put then
// replaces it.
// Thread-safe and safe across processes: objects appear only by rename of a complete, verified
// temp file.
//
// The entry record (DESIGN §2 "Local cache", issue 11): when an object enters the store its mtime
// is set one second back and its size and mtime are kept with its inode, in the extended
// attribute `user.reel.object` ("1 SIZE MTIME_NS"). A write through any hard link to the object
// moves its mtime (to "now", at least a second later), so check() sees it with one stat and one
// getxattr, without hashing. ctime is not compared: every link(2) to the object moves it. An
// object without a usable record (stored before records, a file system without extended
// attributes, a shared cache written by another user) is hashed when checked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "reel/storage/digest.h"
#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

// How a file is placed into a workspace from the store (DESIGN §2, workspace.toml link-mode).
enum class LinkMode {
  kAuto,      // clone, else hard link, else copy
  kClone,     // FICLONE copy-on-write (error if unsupported)
  kHardlink,  // link(2); the store's file is read-only so an edit cannot corrupt it
  kCopy,      // a byte copy
  kSymlink,   // a symbolic link to the store's file
};

// "auto", "clone", "hardlink", "copy", "symlink"; kInvalidArgument for other text.
Result<LinkMode> parse_link_mode(std::string_view text);
std::string_view link_mode_name(LinkMode mode);

// An object as a package's files.json names it: its digest and its size in bytes. Every read of an
// object from a repo or a peer is bounded by the size (DESIGN §8): nothing more is read or stored.
struct ObjectRef {
  Digest digest;
  std::uint64_t size = 0;
};

class ObjectStore {
 public:
  // `fs` must outlive the store. `root` need not exist until the first put. `early_writeback`:
  // start writing each new object to disk as it is installed (sync_file_range), for a store whose
  // objects are made durable soon after (a repo's: publish fsyncs them); a cache leaves them to
  // the kernel, so a fetch runs at network speed, not at the disk's (a 2 GB pull: 4.4 s → 0.9 s).
  ObjectStore(FileSystem& fs, fs::path root, bool early_writeback = false);

  const fs::path& root() const { return root_; }
  // The file system the store works on.
  FileSystem& fs() const { return fs_; }
  // ROOT/sha256/ab/cdef... (whether or not it exists).
  fs::path object_path(const Digest& digest) const;
  // True if the object's file exists (not re-hashed).
  Result<bool> contains(const Digest& digest);
  // True if the object's file exists as a regular file of `object.size` bytes (one lstat, not
  // re-hashed). A file of another size is not the object: a power loss keeps a renamed file's
  // name but not the bytes that were never fsynced (issue 11), and a put of the object replaces
  // such a file. Errors: kIOError from lstat.
  Result<bool> contains(const ObjectRef& object);
  // ROOT/tmp: where puts stream their temp files (.tmp-<pid>-<hex>) before renaming them into
  // place. A process killed mid-put leaves its temp file here; nothing reads this folder, and
  // a temp file older than any running put may be removed (e.g. by `reel gc`).
  fs::path temp_dir() const;

  // Streams `source` into the store, hashing as it copies (constant memory), and returns its
  // digest. If the object already exists nothing is written. Errors: kNotFound, kIOError, kNoSpace.
  // `sync`: fsync the object before its rename (callers batch directory syncs themselves).
  Result<Digest> put_file(const fs::path& source, bool sync = false);
  // Like put_file but fails with kCorruption, storing nothing, if the bytes' digest is not
  // `expected.digest` or their size is not `expected.size` (used for downloads and copies between
  // stores): at most expected.size + 1 bytes are read, so a source larger than its files.json
  // says is refused without hashing it. The message names the source and what differed. The
  // source is always read, even if the object is already stored.
  Status put_file_expecting(const fs::path& source, const ObjectRef& expected, bool sync = false);
  // Stores an in-memory byte string (small objects, archives); nothing is written if the object
  // already exists. Errors: kIOError, kNoSpace.
  Result<Digest> put_bytes(std::string_view data, bool sync = false);

  // One object file as listed by list_objects().
  struct Stored {
    Digest digest;
    fs::path path;
    FileStat stat;
  };
  // Every object in the store, sorted by digest (for verify --cache and gc). Files whose names are
  // not digests (strays, the temp folder) are skipped; an entry with a digest's name that is not
  // a regular file (a symlink, FIFO or folder planted there) is listed with its lstat type, so
  // verify reports it and gc can remove it. An empty list if the store does not exist.
  // Errors: kIOError listing or stat-ing.
  Result<std::vector<Stored>> list_objects();

  // An object arriving in pieces (an HTTP download or upload body): bytes are hashed as they are
  // written to a temp file in temp_dir(); finish() installs it only if they hash to `expected`.
  // Destroying it unfinished removes the temp file. Not thread-safe (one writer per object).
  class Writer {
   public:
    // Appends bytes (gathered into 256 KiB writes: network reads arrive in 16 KiB pieces).
    // Errors: kIOError, kNoSpace; kCorruption, writing nothing, once the bytes would pass the
    // limit (set_limit).
    Status write(const void* data, std::size_t size);
    // Refuses writes that would make the object larger than `max_bytes` (the size its files.json
    // states): a peer sending an endless body is cut off at the bound.
    void set_limit(std::uint64_t max_bytes) { limit_ = max_bytes; }
    // Bytes written so far.
    std::uint64_t size() const { return size_; }
    // Installs the object if the bytes hash to `expected` (nothing is rewritten if it already
    // exists); kCorruption naming `what` and both digests otherwise, storing nothing.
    Status finish(const Digest& expected, std::string_view what);
    // Like finish, but the verified bytes are renamed to `dest` (a path of the caller's on the
    // store's file system, e.g. a staging folder under temp_dir()) instead of being installed:
    // adopt() installs them once the caller has checked everything else (a bundle import that
    // must leave the store as it was if any later part of the bundle is refused).
    Status finish_to(const Digest& expected, std::string_view what, const fs::path& dest);
    // The digest of what was written (finishes hashing; write() may not follow).
    Digest digest();

   private:
    friend class ObjectStore;
    Writer(ObjectStore& store, std::unique_ptr<OutputFile> out);
    Status flush();  // writes out buffer_
    static constexpr std::size_t kBufferSize = 256 * 1024;
    ObjectStore& store_;
    std::unique_ptr<OutputFile> out_;
    Sha256 hasher_;
    std::optional<Digest> digest_;
    std::uint64_t size_ = 0;
    std::uint64_t limit_ = UINT64_MAX;
    std::string buffer_;  // bytes hashed and counted but not yet written
  };
  // Starts a streamed object. Errors: kIOError, kNoSpace (creating the temp file).
  Result<std::unique_ptr<Writer>> begin_object();
  // Starts a streamed object expected to be `expected` (a download): its temp file is created
  // beside where it will be, in sha256/<2 hex>/ (`.tmp-*`, never a digest name), so that many
  // transfers at once create their files in 256 folders, not all in temp_dir() (on ext4 they
  // contended there for one directory and one inode group: a create cost ~10× curl's). What
  // finish() verifies is unchanged. Errors as begin_object's.
  Result<std::unique_ptr<Writer>> begin_object(const Digest& expected);
  // Installs a file that Writer::finish_to verified as `digest`'s bytes: renamed into place
  // read-only, or removed if the object already exists. Errors: kIOError, kNoSpace.
  Status adopt(const fs::path& verified, const Digest& digest);

  // Re-hashes the object; kCorruption if its bytes no longer match its name, kNotFound if absent.
  Status verify(const Digest& digest);

  // What check() found.
  enum class Health {
    kIntact,   // its stat matches its entry record, or its bytes were hashed and are right
    kMissing,  // no such file
    kDamaged,  // not a regular file, not object.size bytes, or bytes that hash to another digest
  };
  // Whether the object may be linked into a workspace (issue 11): one lstat and one getxattr when
  // its entry record still matches; otherwise its bytes are hashed, and if they are right the
  // record is written again (and the file made read-only again if someone chmod-ed it).
  // Errors: kIOError (stat or read failures other than a missing file).
  Result<Health> check(const ObjectRef& object);
  // Moves a damaged object out of the store into `dir` (created if needed) as
  // "<hex>.<unique suffix>", so the next fetch stores a fresh copy; workspaces still linking the
  // damaged inode see it changed by their own stat records. Errors: kIOError.
  Status quarantine(const Digest& digest, const fs::path& dir);

  // Places the object at `dest` (which must not exist; parent directories are created) using
  // `mode`. kAuto tries clone, then hard link, then copy. With kHardlink/kClone/kCopy the result is
  // made read-only (0444, or 0555 if `executable`); a hard link is the store's own read-only
  // inode, so kAuto copies executable files instead of linking them. kSymlink links to the
  // object's absolute path. Returns the mode actually used. Errors: kNotFound (no such object),
  // kUnsupported (kClone where the file system has no FICLONE), kAlreadyExists (kHardlink or
  // kSymlink onto an existing `dest`; kClone and kCopy replace it), kIOError, kNoSpace.
  Result<LinkMode> materialise(const Digest& digest, const fs::path& dest, LinkMode mode,
                               bool executable);

 private:
  // Renames a complete temp file holding `digest`'s bytes into place, read-only; discards it if
  // the object already exists.
  Status install(OutputFile& temp, const Digest& digest, bool sync);

  FileSystem& fs_;
  bool early_writeback_ = false;
  fs::path root_;
};

}  // namespace reel
