// Package archives: pax tar + zstd through libarchive, deterministic on write, defensive on read
// (DESIGN §8: no absolute paths, no "..", no links, devices or oversized entries).
#include "reel/storage/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <memory>

namespace reel {
namespace {

struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// Makes the calling thread's character type UTF-8 (C.UTF-8) while it lives, so that libarchive
// translates pax's UTF-8 member names to and from the "current locale" losslessly whatever the
// process locale is. Thread-local (uselocale(3)), so no other thread is affected. In the C
// locale, libarchive refuses non-ASCII names, and crashes on names set only as UTF-8
// (libarchive issue #2233), hence names are always handed over in the locale's encoding.
class Utf8Locale {
 public:
  Utf8Locale() : utf8_(::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
    if (utf8_ != static_cast<locale_t>(nullptr)) previous_ = ::uselocale(utf8_);
  }
  ~Utf8Locale() {
    if (utf8_ != static_cast<locale_t>(nullptr)) {
      ::uselocale(previous_);
      ::freelocale(utf8_);
    }
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;

 private:
  locale_t utf8_;
  locale_t previous_ = static_cast<locale_t>(nullptr);
};

bool safe_member_path(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string archive_message(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown libarchive error";
}

}  // namespace

Result<std::string> write_archive(const std::vector<ArchiveMember>& members) {
  Utf8Locale utf8;  // before archive_write_new: libarchive caches the charset per archive
  std::unique_ptr<archive, WriteDeleter> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_zstd(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  std::string out;
  auto open_cb = [](archive*, void*) -> int { return ARCHIVE_OK; };
  auto write_cb = [](archive*, void* data, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a.get(), &out, open_cb, write_cb, nullptr) != ARCHIVE_OK) {
    return make_error(ErrorCode::kIOError, "creating archive: " + archive_message(a.get()));
  }
  for (const auto& m : members) {
    if (!safe_member_path(m.path)) {
      return make_error(ErrorCode::kInvalidArgument, "unsafe archive member path '" + m.path + "'");
    }
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_copy_pathname(e.get(), m.path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(m.data.size()));
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK ||
        (!m.data.empty() && archive_write_data(a.get(), m.data.data(), m.data.size()) !=
                                static_cast<la_ssize_t>(m.data.size()))) {
      return make_error(ErrorCode::kIOError,
                        "writing archive member " + m.path + ": " + archive_message(a.get()));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return make_error(ErrorCode::kIOError, "closing archive: " + archive_message(a.get()));
  }
  return out;
}

Result<std::vector<ArchiveMember>> read_archive(std::string_view bytes,
                                                std::size_t max_total_bytes) {
  Utf8Locale utf8;  // before archive_read_new: libarchive caches the charset per archive
  std::unique_ptr<archive, ReadDeleter> a(archive_read_new());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return make_error(ErrorCode::kCorruption, "not a package archive: " + archive_message(a.get()));
  }
  std::vector<ArchiveMember> members;
  std::size_t total = 0;
  archive_entry* e = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      return make_error(ErrorCode::kCorruption, "reading archive: " + archive_message(a.get()));
    }
    const char* name = archive_entry_pathname_utf8(e);
    if (name == nullptr) name = archive_entry_pathname(e);
    std::string path = name ? name : "";
    if (!safe_member_path(path)) {
      return make_error(ErrorCode::kCorruption, "archive member '" + path + "' has an unsafe path");
    }
    if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) != nullptr) {
      return make_error(ErrorCode::kCorruption,
                        "archive member '" + path + "' is not a regular file");
    }
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || total + static_cast<std::size_t>(size) > max_total_bytes) {
      return make_error(ErrorCode::kCorruption, "archive member '" + path + "' is too large");
    }
    std::string data(static_cast<std::size_t>(size), '\0');
    la_ssize_t got = size > 0 ? archive_read_data(a.get(), data.data(), data.size()) : 0;
    if (got != size) {
      return make_error(ErrorCode::kCorruption, "archive member '" + path + "' is truncated");
    }
    total += data.size();
    members.push_back({std::move(path), std::move(data)});
  }
  return members;
}

}  // namespace reel
