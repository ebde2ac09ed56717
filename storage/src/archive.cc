// Package archives: pax tar + zstd through libarchive, deterministic on write, defensive on read
// (DESIGN §8: no absolute paths, no "..", no links, devices or oversized entries).
#include "reel/storage/archive.h"

#include <memory>
#include <set>

#include "libarchive_util.h"
#include "reel/storage/path_rules.h"

namespace reel {

using libarchive::archive_message;
using libarchive::EntryDeleter;
using libarchive::ReadDeleter;
using libarchive::Utf8Locale;
using libarchive::WriteDeleter;

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
    if (auto problem = path_problem(m.path)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "unsafe archive member path '" + m.path + "': " + *problem);
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
  std::set<std::string> seen;
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
    if (auto problem = path_problem(path)) {
      return make_error(ErrorCode::kCorruption,
                        "archive member '" + path + "' has an unsafe path: it " + *problem);
    }
    if (!seen.insert(path).second)  // a second files.json must not silently replace the first
      return make_error(ErrorCode::kCorruption, "archive member '" + path + "' appears twice");
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
