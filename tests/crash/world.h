// The world of one crash-sweep iteration (sweep.h): a temp folder holding folder repos, a cache
// and workspaces, built through the real file system (so all of it is durable before the
// operation under test starts), and the invariants DESIGN §8 promises after a crash, each
// returning the problems it finds (empty = holds).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reel/engine/package.h"
#include "reel/storage/power_loss.h"
#include "reel/storage/testing.h"
#include "reel/workspace/context.h"
#include "reel/workspace/workspace.h"

namespace reel::crash {

// Drops messages: the sweeps look at results, not at what a person would be told.
class QuietReporter : public Reporter {
 public:
  void warn(std::string_view) override {}
  void info(std::string_view) override {}
  void progress(const TransferStatus&) override {}
};

// What cli/ builds for one process: the cache and the context, over one file system. Without the
// index cache (index_cache.h) for now: a power loss during one of its best-effort entry writes
// leaves a .tmp- file in CACHE/index-v1/ that nothing removes yet (issue 16, known gap; the
// sweep found it).
struct Session {
  Session(FileSystem& fs, const fs::path& cache_dir)
      : cache(fs, cache_dir), ctx{fs, clock, cache, reporter, {{"REEL_INDEX_CACHE", "off"}}} {}
  testing::FixedClock clock;
  QuietReporter reporter;
  Cache cache;
  Context ctx;
};

// A file of an asset: its bytes, or a symlink's target, and whether it is executable.
struct AssetFile {
  std::string data;
  bool executable = false;
  bool symlink = false;
};
using AssetFiles = std::map<std::string, AssetFile>;

// Table 1.0.0 and 2.0.0 (2.0.0 changes one file and the tool, adds one, drops one, keeps the
// rest), and Leg 1.0.0, which both Tables depend on.
AssetFiles table_v1();
AssetFiles table_v2();
AssetFiles leg_v1();

class World {
 public:
  World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  FileSystem& real() { return *real_; }
  // Where the world lives (everything the operation may touch) and the power-loss stash.
  fs::path root() const { return dir_.path() / "world"; }
  fs::path stash() const { return dir_.path() / "stash"; }
  fs::path repo(const std::string& name) const { return root() / "repos" / name; }
  fs::path cache_dir() const { return root() / "cache"; }
  fs::path workspace(const std::string& name) const { return root() / "ws" / name; }
  // The session over the real file system that builds the world.
  Session& setup() { return setup_; }

  void init_repo(const std::string& name);
  // Writes the asset NAME VERSION with `files` and [dependencies] `deps` into `dir`.
  void write_asset(const fs::path& dir, const std::string& name, const std::string& version,
                   const AssetFiles& files, const std::string& deps = "");
  // Builds the asset into a staging store and publishes it to repo `repo` (engine level).
  void publish(const std::string& repo, const std::string& name, const std::string& version,
               const AssetFiles& files, const std::string& deps = "");
  // A workspace whose repos are `repos` (names of this world's repos; the first is blessed and
  // the default), with `requirements`, locked (reel.lock written).
  void make_workspace(const std::string& name, const std::vector<std::string>& repos,
                      const std::vector<std::pair<std::string, std::string>>& requirements);
  // Writes new requirements and locks again.
  void relock(const std::string& name,
              const std::vector<std::pair<std::string, std::string>>& requirements);
  // Syncs a workspace through the real file system (setup).
  void sync(const std::string& name);
  // The package of NAME==VERSION as repo `repo` holds it.
  BuiltPackage package(const std::string& repo, const std::string& name, const Version& version);
  // Every object named by an archive of the repos, with its size (what a reader's size check
  // expects of a cache object).
  std::map<Digest, std::uint64_t> object_sizes();
  // Sets every file below `dir` two hours back (leftovers from a crash, met by the next
  // command an age later).
  void age(const fs::path& dir);

 private:
  testing::TempDir dir_{"reel-crash"};
  std::unique_ptr<FileSystem> real_ = make_real_file_system();
  Session setup_{*real_, root() / "cache"};
};

// The folder repo at `root`: its index files parse, and every entry's archive and every object
// that archive names exist and match their digests and sizes (a missing repo has no problems).
std::vector<std::string> repo_problems(FileSystem& fs, const fs::path& root);

// The cache at `cache_dir`: every object and archive hashes to its name. Under
// kMetadataKeptDataLost an object may instead be shorter than `sizes` says (its data was never
// fsynced, by design: decisions.md): every reader's size check (ObjectStore::check, sync's check
// before linking) refuses such an object and fetches it again.
std::vector<std::string> cache_problems(FileSystem& fs, const fs::path& cache_dir,
                                        PowerLossModel model,
                                        const std::map<Digest, std::uint64_t>& sizes);

// Differences between the folder `dir` and `package` installed (asset.toml and the content files
// at their paths, nothing else; bytes, executable bits, symlink targets), one line each.
std::vector<std::string> package_differences(FileSystem& fs, const fs::path& dir,
                                             const BuiltPackage& package);

// How the file `path` of the installed `package` in `dir` ("asset.toml" or a content file)
// differs from the package's, or nullopt if it does not.
std::optional<std::string> file_difference(FileSystem& fs, const fs::path& dir,
                                           const BuiltPackage& package, const std::string& path);

// Temp files and folders of reel's (.tmp-*, .old-*, .reel-tmp-*, import-*) below `dir`.
std::vector<std::string> temp_files(const fs::path& dir);

}  // namespace reel::crash
