// reel-bench-index: writes a studio-scale folder repo for benchmarks/index/run.sh (issue 16).
//
//   reel-bench-index OUT [--packages 10000] [--versions 10] [--roots 50] [--seed 1]
//     OUT/repo/   a folder repo: reel-repo.json and index/<name>.json for every package, written
//                 with the engine's own serialize_index (every field DESIGN §2 names: type,
//                 archive, files, published, source, review with its history, yanked, metadata)
//     OUT/ws/     a workspace whose [requirements] name --roots packages
//     OUT/first.txt  the name of one package with many dependents (for `reel rdeps`)
//
// Names look like a studio's (`char_hero_jade`, `prop_chair_0042`, `set_kitchen_b`, `tex_...`),
// unique case-insensitively. Each version has 0..3 dependencies on packages earlier in the list
// (a DAG, so the 50 roots' closure is thousands of packages), with the ranges pipeline TDs write:
// abstract `*`, `^2.1.0`, `~2.2`, `>=1.2.0,<3.0.0`, `2.x`, `~=2.1`, concrete `==2.2.1` pins. Every
// newest version's ranges admit its targets' newest versions, so the problem is solvable and the
// resolve is dominated by reading indexes, which is what is measured. Seeded: the same arguments
// give the same repo.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "reel/engine/index.h"
#include "reel/engine/names.h"

namespace fs = std::filesystem;
using namespace reel;

namespace {

const char* const kVersions[] = {"1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1",
                                 "2.0.0", "2.0.1", "2.1.0", "2.2.0", "2.2.1",
                                 "2.3.0", "2.3.1", "2.4.0", "3.0.0", "3.0.1"};
// Ranges that admit 2.2.1..3.0.1's newest of the first `versions` (checked at start-up).
const char* const kNewestRanges[] = {
    "*", "*", "*", ">=1.0.0", "^2.0.0", "^2.1", ">=1.2.0,<4.0.0", "~2", ">=2.0.0 <4", "~=2.0", ""};
// What older versions may also say.
const char* const kOldRanges[] = {"^1.0.0", "~1.1", "==1.2.1", "1.x", ">=1.0.1,<2.0.0", "~=1.0"};

const char* const kKinds[] = {"char", "prop", "set", "tex", "rig", "fx", "lookdev", "shot", "tool"};
const char* const kWords[] = {"hero",   "chair",  "table", "kitchen", "lamp",   "forest", "rock",
                              "jade",   "tiger",  "crate", "window",  "street", "car",    "tree",
                              "sword",  "shield", "house", "bridge",  "cloud",  "water",  "fire",
                              "bottle", "cup",    "plate", "sofa",    "door",   "roof",   "wall"};

std::string name_of(std::mt19937& rng, std::set<std::string>& used, int i) {
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  for (;;) {
    std::string kind = kKinds[pick(std::size(kKinds))];
    std::string name = kind + "_" + kWords[pick(std::size(kWords))];
    if (kind == "shot") {
      name = "shot_sq" + std::to_string(10 * (1 + pick(90))) + "_sh" +
             std::to_string(10 * (1 + pick(99)));
    } else if (pick(3) == 0) {
      name += "_" + std::string(kWords[pick(std::size(kWords))]);
    } else {
      char num[8];
      std::snprintf(num, sizeof num, "_%04d", i % 10000);
      name += num;
    }
    if (used.insert(lower_name(name)).second) return name;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr
        << "usage: reel-bench-index OUT [--packages N] [--versions N] [--roots N] [--seed N]\n";
    return 2;
  }
  fs::path out = argv[1];
  int packages = 10000, versions = 10, roots = 50, seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    int v = std::stoi(argv[i + 1]);
    if (a == "--packages")
      packages = v;
    else if (a == "--versions")
      versions = v;
    else if (a == "--roots")
      roots = v;
    else if (a == "--seed")
      seed = v;
    else {
      std::cerr << "error: unknown option " << a << "\n";
      return 2;
    }
  }
  if (versions < 10 || versions > static_cast<int>(std::size(kVersions)) || roots > packages) {
    std::cerr << "error: --versions must be 10.." << std::size(kVersions)
              << ", --roots <= --packages\n";
    return 2;
  }
  const Version newest = Version::parse(kVersions[versions - 1]).value();
  for (const char* r : kNewestRanges) {
    if (!Range::parse(r).value().contains(newest)) {
      std::cerr << "error: range '" << r << "' leaves out " << newest.to_string() << "\n";
      return 1;
    }
  }
  std::mt19937 rng(static_cast<unsigned>(seed));
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::set<std::string> used;
  std::vector<std::string> names;
  for (int i = 0; i < packages; ++i) names.push_back(name_of(rng, used, i));
  fs::create_directories(out / "repo" / "index");
  fs::create_directories(out / "repo" / "packages");
  fs::create_directories(out / "repo" / "objects");
  fs::create_directories(out / "ws");
  std::ofstream(out / "repo" / "reel-repo.json") << "{\"format\": 1, \"name\": \"studio\"}\n";
  std::vector<int> dependents(packages, 0);
  for (int i = 0; i < packages; ++i) {
    PackageIndex index;
    index.name = names[i];
    std::string lower = lower_name(index.name);
    std::string type = index.name.substr(0, index.name.find('_'));
    for (int j = 0; j < versions; ++j) {
      IndexEntry e;
      e.version = Version::parse(kVersions[j]).value();
      e.type = type;
      bool is_newest = j == versions - 1;
      int k = i == 0 ? 0 : uniform(0, 3);
      std::set<std::string> targets;
      for (int n = 0; n < k; ++n) {
        int t = uniform(std::max(0, i - 2000), i - 1);  // earlier packages: a DAG
        if (!targets.insert(lower_name(names[t])).second) continue;
        std::string range =
            is_newest || uniform(0, 1)
                ? kNewestRanges[uniform(0, static_cast<int>(std::size(kNewestRanges)) - 1)]
                : kOldRanges[uniform(0, static_cast<int>(std::size(kOldRanges)) - 1)];
        if (is_newest && uniform(0, 9) == 0) range = std::string("==") + kVersions[versions - 1];
        e.dependencies.push_back({names[t], range, Range::parse(range).value()});
        if (is_newest) ++dependents[t];
      }
      std::sort(e.dependencies.begin(), e.dependencies.end(), [](const auto& a, const auto& b) {
        return lower_name(a.name) < lower_name(b.name);
      });
      if (type == "shot")
        e.groups["build"].push_back({"tool_render", "^2", Range::parse("^2").value()});
      std::string vtext = e.version.to_string();
      e.archive.path = "packages/" + lower + "/" + index.name + "-" + vtext + ".reel";
      e.archive.sha256 = sha256_bytes(e.archive.path);
      e.archive.size = 2000 + static_cast<std::uint64_t>(uniform(0, 100000));
      e.file_count = static_cast<std::uint64_t>(uniform(1, 500));
      e.file_size = e.file_count * static_cast<std::uint64_t>(uniform(1000, 4000000));
      e.published =
          "2026-" + std::to_string(10 + j % 3) + "-1" + std::to_string(j % 10) + "T10:00:00Z";
      e.source = {sha256_bytes(e.archive.path + "commit").hex().substr(0, 40), false};
      e.review.current = {ReviewState::kApproved, "Jade Doe <jade@studio>", e.published, "ok"};
      if (j % 4 == 1)
        e.review.history = {
            {ReviewState::kRejected, "Ann Lee <ann@studio>", e.published, "fix UVs"}};
      if (type == "shot")
        e.metadata_json = R"({"project":"Kitchen","frame_in":1001,"frame_out":1048,"fps":24})";
      index.versions.push_back(std::move(e));
    }
    std::ofstream(out / "repo" / "index" / (lower + ".json")) << serialize_index(index);
  }
  std::ofstream ws(out / "ws" / "workspace.toml");
  ws << "[workspace]\nname = \"bench\"\n\n[[repo]]\nname = \"studio\"\nurl = \""
     << fs::absolute(out / "repo").string()
     << "\"\nblessed = true\ndefault = true\n\n[requirements]\n";
  for (int r = 0; r < roots; ++r) ws << names[packages - 1 - r] << " = \"*\"\n";
  int most = 0;
  for (int i = 1; i < packages; ++i)
    if (dependents[i] > dependents[most]) most = i;
  std::ofstream(out / "first.txt") << names[most] << "\n";
  return 0;
}
