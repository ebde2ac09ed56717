// fuzz_package: the package archive reader, read_archive (storage/include/reel/storage/archive.h)
// and read_package on top of it (engine/include/reel/engine/package.h); input = archive bytes.
// Invariants: every member read has a relative path with no empty, "." or ".." component and
// the members total at most 64 MiB; write_archive takes them back and its bytes read back to the
// same members, and writing those again gives the same bytes (deterministic archives); a read
// package keeps the input as its archive bytes and digest, with files sorted by path.
#include "fuzz_check.h"
#include "reel/engine/package.h"
#include "reel/storage/archive.h"

using reel::ArchiveMember;
using reel::fuzz::check;

namespace {

bool safe_path(std::string_view path) {
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

bool same(const std::vector<ArchiveMember>& a, const std::vector<ArchiveMember>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].path != b[i].path || a[i].data != b[i].data) return false;
  }
  return true;
}

void check_members(const std::vector<ArchiveMember>& members) {
  std::size_t total = 0;
  for (const auto& m : members) {
    check(safe_path(m.path), "read_archive accepts an unsafe path", [&] { return m.path; });
    total += m.data.size();
  }
  check(total <= (std::size_t{64} << 20), "read_archive returns more than 64 MiB");
  auto written = reel::write_archive(members);
  check(written.has_value(), "write_archive refuses members read_archive accepted",
        [&] { return written.error().message; });
  auto reread = reel::read_archive(*written);
  check(reread.has_value(), "write_archive's bytes do not read back",
        [&] { return reread.error().message; });
  check(same(members, *reread), "read(write(members)) != members");
  auto again = reel::write_archive(*reread);
  check(again.has_value() && *again == *written, "write_archive is not deterministic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = reel::fuzz::as_text(data, size);
  auto members = reel::read_archive(bytes);
  if (members) check_members(*members);
  auto package = reel::read_package(bytes, "fuzz.reel");
  if (!package) return 0;
  check(members.has_value(), "read_package accepts what read_archive refuses");
  check(package->archive_bytes == bytes && package->archive_digest == reel::sha256_bytes(bytes),
        "read_package's archive bytes or digest are not the input's");
  for (std::size_t i = 1; i < package->files.size(); ++i) {
    check(package->files[i - 1].path < package->files[i].path, "files are not sorted by path");
  }
  return 0;
}
