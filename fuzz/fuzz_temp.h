// A per-process temp directory for the fuzz targets that need a disk (bundle, serve): created
// under $TMPDIR (else /tmp) as PREFIX-XXXXXX, removed with its contents when the process exits
// normally (libFuzzer's -max_total_time / -runs end). After a crash it stays behind, so the
// state the crash left can be looked at. Header-only; used by fuzz/*_fuzz.cc only.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace reel::fuzz {

// The directory; aborts with a message if it cannot be made. Call once per process.
inline std::filesystem::path make_process_temp_dir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror(("mkdtemp " + tmpl).c_str());
    std::abort();
  }
  static std::filesystem::path dir;  // read by the exit handler below
  dir = tmpl;
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  });
  return dir;
}

}  // namespace reel::fuzz
