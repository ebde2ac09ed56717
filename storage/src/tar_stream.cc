// Streamed tar.zst through libarchive's callback interface (tar_stream.h): the writer hands
// compressed blocks to an OutputFile, the reader pulls them from an InputStream, 1 MiB at a time.
#include "reel/storage/tar_stream.h"

#include <algorithm>
#include <string>

#include "libarchive_util.h"
#include "reel/storage/path_rules.h"

namespace reel {

using libarchive::archive_message;
using libarchive::EntryDeleter;
using libarchive::ReadDeleter;
using libarchive::Utf8Locale;
using libarchive::WriteDeleter;

namespace {
constexpr std::size_t kBufferSize = std::size_t{1} << 20;
}  // namespace

struct TarWriter::Impl {
  explicit Impl(OutputFile& o) : out(o) {}
  OutputFile& out;
  std::unique_ptr<archive, WriteDeleter> a;
  std::optional<Error> out_error;  // the OutputFile's own error, reported instead of libarchive's
  bool failed = false;             // after any error nothing more reaches the OutputFile
  bool closed = false;
  std::string buffer;

  static la_ssize_t write_cb(archive*, void* data, const void* buf, size_t n) {
    auto* self = static_cast<Impl*>(data);
    if (self->failed) return -1;
    if (auto st = self->out.write(buf, n); !st) {
      self->out_error = st.error();
      self->failed = true;
      return -1;
    }
    return static_cast<la_ssize_t>(n);
  }

  // The error to report for a failed libarchive call about `what`.
  tl::unexpected<Error> fail(const std::string& what) {
    failed = true;
    if (out_error) return tl::unexpected(*out_error);
    return make_error(ErrorCode::kIOError, what + ": " + archive_message(a.get()));
  }

  Status header(std::string_view path, std::uint64_t size) {
    if (failed || closed)
      return make_error(ErrorCode::kIOError, "writing tar member " + std::string(path) +
                                                 ": the stream is closed or failed");
    if (auto problem = path_problem(path)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "unsafe tar member path '" + std::string(path) + "': " + *problem);
    }
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_copy_pathname(e.get(), std::string(path).c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
      return fail("writing tar member " + std::string(path));
    return ok();
  }

  Status data(std::string_view path, const void* bytes, std::size_t n) {
    if (n == 0) return ok();
    if (archive_write_data(a.get(), bytes, n) != static_cast<la_ssize_t>(n))
      return fail("writing tar member " + std::string(path));
    return ok();
  }

  Status finish_entry(std::string_view path) {
    if (archive_write_finish_entry(a.get()) != ARCHIVE_OK)
      return fail("writing tar member " + std::string(path));
    return ok();
  }
};

TarWriter::TarWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TarWriter::~TarWriter() {
  // An unfinished stream is abandoned: archive_write_free would otherwise flush into the file.
  if (impl_ && impl_->a && !impl_->closed) archive_write_fail(impl_->a.get());
}

Result<std::unique_ptr<TarWriter>> TarWriter::open(OutputFile& out, int zstd_level) {
  Utf8Locale utf8;  // before archive_write_new: libarchive caches the charset per archive
  auto impl = std::make_unique<Impl>(out);
  impl->a.reset(archive_write_new());
  archive* a = impl->a.get();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_zstd(a);
  std::string level = std::to_string(std::clamp(zstd_level, 1, 19));
  if (archive_write_set_filter_option(a, "zstd", "compression-level", level.c_str()) !=
      ARCHIVE_OK) {
    return make_error(ErrorCode::kIOError, "zstd level " + level + ": " + archive_message(a));
  }
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, impl.get(), nullptr, &Impl::write_cb, nullptr) != ARCHIVE_OK) {
    return impl->fail("starting a tar.zst stream");
  }
  return std::unique_ptr<TarWriter>(new TarWriter(std::move(impl)));
}

Status TarWriter::add(std::string_view path, std::string_view data) {
  Utf8Locale utf8;
  REEL_TRY(impl_->header(path, data.size()));
  REEL_TRY(impl_->data(path, data.data(), data.size()));
  return impl_->finish_entry(path);
}

Status TarWriter::add_stream(std::string_view path, std::uint64_t size, InputStream& in) {
  Utf8Locale utf8;
  REEL_TRY(impl_->header(path, size));
  std::string& buffer = impl_->buffer;
  if (buffer.empty()) buffer.resize(kBufferSize);
  std::uint64_t left = size;
  while (left > 0) {
    auto n = in.read(buffer.data(),
                     static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left)));
    if (!n) {
      impl_->failed = true;
      return tl::unexpected(n.error());
    }
    if (*n == 0) {
      impl_->failed = true;
      return make_error(ErrorCode::kCorruption,
                        "tar member " + std::string(path) + ": its source ended after " +
                            std::to_string(size - left) + " of " + std::to_string(size) + " bytes");
    }
    REEL_TRY(impl_->data(path, buffer.data(), *n));
    left -= *n;
  }
  char extra;
  auto more = in.read(&extra, 1);
  if (!more || *more != 0) {
    impl_->failed = true;
    if (!more) return tl::unexpected(more.error());
    return make_error(ErrorCode::kCorruption, "tar member " + std::string(path) +
                                                  ": its source holds more than " +
                                                  std::to_string(size) + " bytes");
  }
  return impl_->finish_entry(path);
}

Status TarWriter::close() {
  if (impl_->failed || impl_->closed)
    return make_error(ErrorCode::kIOError, "closing a tar stream that is closed or failed");
  if (archive_write_close(impl_->a.get()) != ARCHIVE_OK) return impl_->fail("finishing tar.zst");
  impl_->closed = true;
  return ok();
}

struct TarReader::Impl {
  std::unique_ptr<InputStream> in;
  std::unique_ptr<archive, ReadDeleter> a;
  std::optional<Error> in_error;  // the stream's own error, reported instead of libarchive's
  std::string buffer = std::string(kBufferSize, '\0');

  static la_ssize_t read_cb(archive*, void* data, const void** out) {
    auto* self = static_cast<Impl*>(data);
    auto n = self->in->read(self->buffer.data(), self->buffer.size());
    if (!n) {
      self->in_error = n.error();
      return -1;
    }
    *out = self->buffer.data();
    return static_cast<la_ssize_t>(*n);
  }

  tl::unexpected<Error> fail() {
    if (in_error) return tl::unexpected(*in_error);
    return make_error(ErrorCode::kCorruption, archive_message(a.get()));
  }
};

TarReader::TarReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TarReader::~TarReader() = default;

Result<std::unique_ptr<TarReader>> TarReader::open(std::unique_ptr<InputStream> in) {
  Utf8Locale utf8;  // before archive_read_new: libarchive caches the charset per archive
  auto impl = std::make_unique<Impl>();
  impl->in = std::move(in);
  impl->a.reset(archive_read_new());
  archive_read_support_filter_zstd(impl->a.get());
  archive_read_support_format_tar(impl->a.get());
  if (archive_read_open(impl->a.get(), impl.get(), nullptr, &Impl::read_cb, nullptr) !=
      ARCHIVE_OK) {
    return impl->fail();
  }
  return std::unique_ptr<TarReader>(new TarReader(std::move(impl)));
}

Result<std::optional<TarMember>> TarReader::next() {
  Utf8Locale utf8;
  archive_entry* e = nullptr;
  int rc = archive_read_next_header(impl_->a.get(), &e);
  if (rc == ARCHIVE_EOF) return std::optional<TarMember>();
  if (rc != ARCHIVE_OK) return impl_->fail();
  TarMember m;
  const char* name = archive_entry_pathname_utf8(e);
  if (name == nullptr) name = archive_entry_pathname(e);
  m.path = name ? name : "";
  if (archive_entry_hardlink(e) != nullptr) {
    m.type = TarMemberType::kHardlink;
  } else {
    switch (archive_entry_filetype(e)) {
      case AE_IFREG:
        m.type = TarMemberType::kRegular;
        break;
      case AE_IFDIR:
        m.type = TarMemberType::kDirectory;
        break;
      case AE_IFLNK:
        m.type = TarMemberType::kSymlink;
        break;
      default:
        m.type = TarMemberType::kOther;
    }
  }
  la_int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
  m.size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
  return std::optional<TarMember>(std::move(m));
}

Result<std::size_t> TarReader::read(void* buffer, std::size_t size) {
  la_ssize_t n = archive_read_data(impl_->a.get(), buffer, size);
  if (n < 0) return impl_->fail();
  return static_cast<std::size_t>(n);
}

}  // namespace reel
