// Streamed tar.zst files (pax tar compressed with zstd, through libarchive) of any size, in
// constant memory: members are written from and read into caller buffers, never whole. Used for
// bundles (a lock's whole closure in one file); package archives, which are small, use archive.h.
// Writing is deterministic as in archive.h: members in the order given, mtime 0, uid/gid 0, mode
// 0644, no user or group names, so the same members give the same bytes. libarchive stays behind
// the pimpl. Neither class is thread-safe (one thread per stream).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

// Writes a tar.zst into an OutputFile. The caller owns the OutputFile and commits it only after
// close() succeeded (a bundle is then either complete or absent); destroying an unclosed writer
// writes nothing more into it.
class TarWriter {
 public:
  // Starts the stream; `out` must outlive the writer. `zstd_level`: zstd's compression level
  // (1-19; 3 is zstd's default). Errors: kIOError from libarchive.
  static Result<std::unique_ptr<TarWriter>> open(OutputFile& out, int zstd_level = 3);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Adds a regular file member holding `data`. `path` is relative and '/'-separated, with no
  // empty, "." or ".." component (kInvalidArgument otherwise).
  Status add(std::string_view path, std::string_view data);
  // Adds a regular file member of exactly `size` bytes read from `in` through a 1 MiB buffer.
  // kCorruption naming the member if `in` ends before `size` bytes or holds more; `in`'s own
  // errors; the OutputFile's errors (kNoSpace, kIOError) as they are.
  Status add_stream(std::string_view path, std::uint64_t size, InputStream& in);
  // Finishes the compressed stream (the OutputFile then holds the whole file). No member may be
  // added after it. Errors as add's.
  Status close();

 private:
  struct Impl;
  explicit TarWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What a member header says.
enum class TarMemberType { kRegular, kDirectory, kSymlink, kHardlink, kOther };

struct TarMember {
  std::string path;  // as stored (UTF-8); not checked in any way
  TarMemberType type = TarMemberType::kOther;
  std::uint64_t size = 0;  // bytes of data (regular files)
};

// Reads a tar.zst (or a plain tar) member by member from an InputStream.
class TarReader {
 public:
  // Takes the stream. Errors: kIOError from libarchive.
  static Result<std::unique_ptr<TarReader>> open(std::unique_ptr<InputStream> in);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  // The next member's header, or nullopt at the end of the archive; the rest of the previous
  // member's data is skipped. kCorruption for bytes that are not a tar.zst or end early (the
  // message is libarchive's: "Truncated tar archive", "Unrecognized archive format"); the
  // stream's own errors (kIOError) as they are.
  Result<std::optional<TarMember>> next();
  // Reads up to `size` bytes of the current member's data; 0 at its end. Errors as next()'s.
  Result<std::size_t> read(void* buffer, std::size_t size);

 private:
  struct Impl;
  explicit TarReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
