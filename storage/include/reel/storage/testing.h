// Test support shared by every library's unit tests (header-only; not used by production code):
// a temporary directory removed with its contents, a file writer, and a fixed clock.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string_view>

#include "reel/storage/clock.h"
#include "reel/storage/file_system.h"

namespace reel::testing {

// A fresh directory under /tmp, removed (read-only parts included) when destroyed.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "reel-test") {
    std::string tmpl = "/tmp/" + std::string(prefix) + "-XXXXXX";
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { (void)make_real_file_system()->remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Writes `data` to `path`, creating parent directories (plain std I/O, outside the seam on
// purpose).
inline void write_file(const fs::path& path, std::string_view data) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

// A clock stopped at 2026-11-18T11:06:40Z (Unix time 1795000000).
class FixedClock : public Clock {
 public:
  std::int64_t now_unix_seconds() override { return 1795000000; }
};

}  // namespace reel::testing
