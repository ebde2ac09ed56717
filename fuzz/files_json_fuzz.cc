// fuzz_files_json: parse_files_json, a package's files.json (DESIGN §2,
// engine/include/reel/engine/package.h).
// Invariants: entries come out strictly sorted by path (byte order), every path is relative with
// no empty, "." or ".." segment; parse(serialize(files)) == files; serializing again is stable.
#include "fuzz_check.h"
#include "reel/engine/package.h"

using reel::FileEntry;
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

bool same(const FileEntry& a, const FileEntry& b) {
  return a.path == b.path && a.sha256 == b.sha256 && a.size == b.size &&
         a.executable == b.executable && a.symlink == b.symlink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto files = reel::parse_files_json(reel::fuzz::as_text(data, size), "files.json");
  if (!files) return 0;
  for (std::size_t i = 0; i < files->size(); ++i) {
    const FileEntry& f = (*files)[i];
    check(safe_path(f.path), "an unsafe path is accepted", [&] { return f.path; });
    check(i == 0 || (*files)[i - 1].path < f.path, "paths are not strictly sorted",
          [&] { return f.path; });
  }
  const std::string text = reel::serialize_files_json(*files);
  auto back = reel::parse_files_json(text, "serialized.json");
  check(back.has_value(), "serialize_files_json's text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  bool equal = back->size() == files->size();
  for (std::size_t i = 0; equal && i < files->size(); ++i) equal = same((*files)[i], (*back)[i]);
  check(equal, "parse(serialize(files)) != files", [&] { return text; });
  check(reel::serialize_files_json(*back) == text, "serialize_files_json is not stable",
        [&] { return text; });
  return 0;
}
