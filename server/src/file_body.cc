// File ranges as response bodies (file_body.h).
#include "file_body.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace reel::server {
namespace {

constexpr std::size_t kMaxPiece = std::size_t{1} << 20;  // one sink.write of a file range
constexpr std::size_t kReadBuffer = std::size_t{256} << 10;

thread_local bool t_scope_open = false;
thread_local FileRange t_range;

}  // namespace

FileBodyScope::FileBodyScope() { t_scope_open = true; }
FileBodyScope::~FileBodyScope() { t_scope_open = false; }

bool write_file_piece(httplib::DataSink& sink, int fd, std::uint64_t offset, std::size_t length) {
  if (t_scope_open) {
    t_range = FileRange{fd, offset};
    const bool ok =
        sink.write(reinterpret_cast<const char*>(&t_range), std::min(length, kMaxPiece));
    t_range = FileRange{};
    return ok;
  }
  // Another Stream: read the bytes and write them as data.
  const std::size_t want = std::min(length, kReadBuffer);
  std::unique_ptr<char[]> buffer(new char[want]);
  ssize_t n;
  do {
    n = ::pread(fd, buffer.get(), want, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  return n > 0 && sink.write(buffer.get(), static_cast<std::size_t>(n));
}

const FileRange* is_file_range(const char* data) {
  return data == reinterpret_cast<const char*>(&t_range) && t_range.fd >= 0 ? &t_range : nullptr;
}

}  // namespace reel::server
