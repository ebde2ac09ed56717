// fuzz_bundle: import_bundle (workspace/include/reel/workspace/bundle.h) through the real
// FileSystem: each input is written to a temp file and imported into a fresh temp cache, with a
// folder repo (repo_dir) and a workspace folder (workspace_dir), all emptied again afterwards. The
// cache keeps its directories from input to input (only its files go: creating and removing
// directories is most of the time an input takes on ext4), so every input still meets an empty
// cache; the repo and workspace, made only by an import that gets that far, are removed.
// Invariants: nothing appears in the temp dir but the bundle file, the cache, the repo and the
// workspace (no member escapes); a failed import writes no workspace; a successful one leaves a
// workspace whose reel.lock parses and a repo that serves every locked version.
#include "fuzz_check.h"
#include "fuzz_temp.h"
#include "reel/engine/lock_file.h"
#include "reel/engine/repo.h"
#include "reel/workspace/bundle.h"

using reel::fuzz::check;
namespace fs = std::filesystem;

namespace {

class QuietReporter : public reel::Reporter {
 public:
  void warn(std::string_view) override {}
  void info(std::string_view) override {}
  void progress(const reel::TransferStatus&) override {}
};

struct Setup {
  std::unique_ptr<reel::FileSystem> fs = reel::make_real_file_system();
  std::unique_ptr<reel::Clock> clock = reel::make_system_clock();
  QuietReporter reporter;
  fs::path root = reel::fuzz::make_process_temp_dir("reel-fuzz-bundle");
  fs::path bundle = root / "bundle.tar.zst";
  fs::path cache = root / "cache";
  fs::path repo = root / "repo";
  fs::path workspace = root / "ws";
};

void check_only_expected_entries(Setup& s) {
  auto entries = s.fs->list_dir(s.root);
  check(entries.has_value(), "cannot list the temp dir");
  for (const auto& e : *entries) {
    check(e.name == "bundle.tar.zst" || e.name == "cache" || e.name == "repo" || e.name == "ws",
          "import_bundle wrote outside its cache, repo and workspace",
          [&] { return (s.root / e.name).string(); });
  }
}

void check_imported(Setup& s) {
  auto text = s.fs->read_file(s.workspace / "reel.lock");
  check(text.has_value(), "a successful import wrote no reel.lock");
  auto lock = reel::parse_lock_file(*text, "reel.lock");
  check(lock.has_value(), "the imported reel.lock does not parse",
        [&] { return lock.error().message; });
  auto repo = reel::open_repo(*s.fs, s.repo.string());
  check(repo.has_value(), "the imported repo does not open", [&] { return repo.error().message; });
  for (const auto& p : lock->packages) {
    auto index = (*repo)->read_index(p.name);
    check(index.has_value() && index->has_value() && (**index).find(p.version) != nullptr,
          "the imported repo lacks a locked version",
          [&] { return p.name + " " + p.version.to_string(); });
  }
}

// Removes every file under `dir`, keeping the directories.
void remove_files(reel::FileSystem& fs, const fs::path& dir) {
  auto entries = fs.list_dir(dir);
  if (!entries && entries.error().code == reel::ErrorCode::kNotFound) return;
  check(entries.has_value(), "cannot list the cache", [&] { return entries.error().message; });
  for (const auto& e : *entries) {
    if (e.type == reel::FileType::kDirectory) {
      remove_files(fs, dir / e.name);
      continue;
    }
    (void)fs.set_mode(dir / e.name, 0644);  // cache objects are read-only
    auto removed = fs.remove(dir / e.name);
    check(removed.has_value(), "cannot clean up the cache", [&] { return removed.error().message; });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Setup s;
  auto written = s.fs->write_file_atomic(s.bundle, reel::fuzz::as_text(data, size), false);
  check(written.has_value(), "cannot write the bundle file",
        [&] { return written.error().message; });
  reel::Cache cache(*s.fs, s.cache);
  reel::Context ctx{*s.fs, *s.clock, cache, s.reporter, {}};
  reel::ImportBundleOptions options;
  options.repo_dir = s.repo;
  options.workspace_dir = s.workspace;
  auto report = reel::import_bundle(ctx, s.bundle, options);
  check_only_expected_entries(s);
  if (report) {
    check_imported(s);
  } else {
    auto lock = s.fs->stat(s.workspace / "reel.lock");
    check(lock.has_value() && lock->type == reel::FileType::kMissing,
          "a failed import wrote the workspace's reel.lock", [&] { return report.error().message; });
  }
  remove_files(*s.fs, s.cache);
  for (const fs::path& dir : {s.repo, s.workspace}) {
    auto removed = s.fs->remove_all(dir);
    check(removed.has_value(), "cannot clean up", [&] { return removed.error().message; });
  }
  return 0;
}
