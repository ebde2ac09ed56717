// Response bodies that are byte ranges of open files, sent with sendfile(2) rather than read into
// memory and copied out: for archives and objects, most of what `reel serve` sends. Private to the
// server library.
//
// The mechanism, narrow on purpose: httplib hands a content provider only a DataSink, whose write()
// goes to the Stream writing the response. While a Connection (connection.h) serves a request on
// a thread, that thread's FileBodyScope is open; write_file_piece() then puts the file range in a
// thread-local FileRange and passes the FileRange's own address to sink.write() as the data. The
// Connection recognises that address (is_file_range) and sends the range with sendfile(2). No real
// body data ever lives at that address, so nothing else is mistaken for it. With no scope open
// (another Stream), write_file_piece reads the bytes and writes them as data.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <cstdint>

namespace reel::server {

// A byte range of an open file, valid for the one sink.write() call it is passed to.
struct FileRange {
  int fd = -1;
  std::uint64_t offset = 0;
};

// Marks the calling thread as writing responses through a Connection, for the scope's lifetime.
// Not nestable; one per request thread.
class FileBodyScope {
 public:
  FileBodyScope();
  ~FileBodyScope();
  FileBodyScope(const FileBodyScope&) = delete;
  FileBodyScope& operator=(const FileBodyScope&) = delete;
};

// Writes the first piece of the `length` bytes of `fd` from `offset` to the sink: up to 1 MiB
// through a Connection, up to 256 KiB (one pread) otherwise. A content provider calls it once a
// call; httplib calls the provider again for the rest, checking for a stop in between. False when
// the sink refuses or the file ends early (it shrank): the provider then fails and the connection
// is dropped.
bool write_file_piece(httplib::DataSink& sink, int fd, std::uint64_t offset, std::size_t length);

// The FileRange that `data` is, when it is the address write_file_piece passed to sink.write on
// this thread; nullptr for real data.
const FileRange* is_file_range(const char* data);

}  // namespace reel::server
