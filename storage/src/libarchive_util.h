// Private helpers shared by the libarchive users of reel_storage (archive.cc, tar_stream.cc):
// owning deleters, the thread's UTF-8 locale libarchive needs for member names, and
// libarchive's error text. Member paths are checked with the path rules (path_rules.h).
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <string>
#include <string_view>

namespace reel::libarchive {

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
// Create it before archive_{read,write}_new: libarchive caches the charset per archive. The
// locale object is made once a process and shared (a locale_t may be used by many threads; it is
// never freed): newlocale(3) opened and read the locale file each time, once an archive read.
class Utf8Locale {
 public:
  Utf8Locale() : utf8_(shared()) {
    if (utf8_ != static_cast<locale_t>(nullptr)) previous_ = ::uselocale(utf8_);
  }
  ~Utf8Locale() {
    if (utf8_ != static_cast<locale_t>(nullptr)) ::uselocale(previous_);
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;

 private:
  static locale_t shared() {
    static const locale_t utf8 =
        ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return utf8;
  }
  locale_t utf8_;
  locale_t previous_ = static_cast<locale_t>(nullptr);
};

// libarchive's message for the last error on `a`.
inline std::string archive_message(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown libarchive error";
}

}  // namespace reel::libarchive
