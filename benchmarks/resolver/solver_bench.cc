// reel-bench-resolver: Google Benchmark cases for the resolver and index loading (issue 3).
//
//   ComplexBacktrack/N   pub's "complex backtrack" (dart-lang/pub test/version_solver_test.dart):
//                        foo and bar with N×N versions i.j.0; foo i.j.0 depends on baz i.0.0, bar
//                        i.j.0 on baz 0.j.0; only baz 0.0.0 exists. Expected: foo 0.(N-1).0,
//                        bar (N-1).0.0 (N = 10 is pub's case). The answer is checked every run.
//   IndexLoad/reel       every index of a 10,000-package folder repo (10 versions each, 0-3
//                        dependencies per version) read through Repo::read_index, as RepoProvider
//                        does: file read, JSON parse, every field checked, every range parsed.
//   IndexLoad/json_only  the peer: the same files read and parsed by nlohmann-json alone, the floor
//                        any JSON index reader pays. The ratio reel / json_only is the overhead.
//   Resolve10000         `reel lock`'s resolve over that repo: 40 root requirements, indexes read
//                        from disk on demand through RepoProvider.
//
// The repo is generated once (seeded) under $TMPDIR and removed at exit.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "reel/engine/index.h"
#include "reel/engine/provider.h"
#include "reel/engine/repo.h"
#include "reel/resolver/solver.h"
#include "reel/storage/file_system.h"

namespace {

namespace fs = std::filesystem;
using namespace reel;

// In-memory provider for the synthetic cases.
struct MemoryProvider : PackageProvider {
  std::map<std::string, std::map<Version, std::vector<Dependency>>> packages;

  void add(const std::string& name, const std::string& version,
           std::vector<std::pair<std::string, std::string>> deps = {}) {
    std::vector<Dependency> out;
    for (auto& [n, r] : deps) out.push_back({n, Range::parse(r).value()});
    packages[name][Version::parse(version).value()] = std::move(out);
  }
  std::vector<VersionInfo> versions(const std::string& name) override {
    std::vector<VersionInfo> out;
    auto it = packages.find(name);
    if (it != packages.end())
      for (const auto& [v, d] : it->second) out.push_back({v, false});
    return out;
  }
  std::optional<std::vector<Dependency>> dependencies(const std::string& name,
                                                      const Version& version) override {
    auto it = packages.find(name);
    if (it == packages.end()) return std::nullopt;
    auto v = it->second.find(version);
    if (v == it->second.end()) return std::nullopt;
    return v->second;
  }
};

void ComplexBacktrack(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  MemoryProvider provider;
  provider.add("baz", "0.0.0");
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      std::string v = std::to_string(i) + "." + std::to_string(j) + ".0";
      provider.add("foo", v, {{"baz", "==" + std::to_string(i) + ".0.0"}});
      provider.add("bar", v, {{"baz", "==0." + std::to_string(j) + ".0"}});
    }
  }
  ResolveRequest request;
  request.requirements = {{"foo", Range::any()}, {"bar", Range::any()}};
  const std::string want_foo = "0." + std::to_string(n - 1) + ".0";
  const std::string want_bar = std::to_string(n - 1) + ".0.0";
  for (auto _ : state) {
    ResolveResult result = resolve(provider, request);
    const auto* solution = std::get_if<Solution>(&result);
    if (solution == nullptr || solution->versions.at("foo").to_string() != want_foo ||
        solution->versions.at("bar").to_string() != want_bar) {
      state.SkipWithError("wrong answer: expected foo 0.(N-1).0 and bar (N-1).0.0");
      break;
    }
  }
  state.counters["versions"] = 2.0 * n * n + 1;
}
BENCHMARK(ComplexBacktrack)->Arg(10)->Arg(30)->Unit(benchmark::kMicrosecond);

// The 10,000-package repo, written once through the engine's own index serialiser.
constexpr int kPackages = 10000;
constexpr int kVersions = 10;

std::string package_name(int i) { return "pkg" + std::to_string(i); }

const fs::path& big_repo() {
  static const fs::path root = [] {
    const char* tmp = std::getenv("TMPDIR");
    fs::path dir = fs::path(tmp ? tmp : "/tmp") / ("reel-bench-index-" + std::to_string(getpid()));
    fs::create_directories(dir / "index");
    std::ofstream(dir / "reel-repo.json") << "{\"format\": 1, \"name\": \"bench\"}\n";
    std::mt19937 rng(1);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int i = 0; i < kPackages; ++i) {
      PackageIndex index;
      index.name = package_name(i);
      for (int j = 0; j < kVersions; ++j) {
        IndexEntry e;
        e.version = Version(static_cast<std::uint64_t>(1 + j / 4), static_cast<std::uint64_t>(j % 4), 0);
        e.type = "model";
        e.archive.path = "packages/" + index.name + "/" + index.name + "-" + e.version.to_string() + ".reel";
        e.archive.sha256 = sha256_bytes(e.archive.path);
        e.published = "2026-11-24T00:00:00Z";
        int deps = pick(0, 3);
        for (int d = 0; d < deps; ++d) {
          int target = pick(0, kPackages - 1);
          if (target == i) continue;
          std::string text = ">=" + std::to_string(pick(1, 2)) + ".0.0,<" + std::to_string(pick(3, 4)) + ".0.0";
          bool dup = false;
          for (const auto& existing : e.dependencies) dup = dup || existing.name == package_name(target);
          if (!dup) e.dependencies.push_back({package_name(target), text, Range::parse(text).value()});
        }
        index.versions.push_back(std::move(e));
      }
      std::ofstream(dir / "index" / (index.name + ".json")) << serialize_index(index);
    }
    std::atexit([] { std::error_code ec; fs::remove_all(big_repo(), ec); });
    return dir;
  }();
  return root;
}

void IndexLoadReel(benchmark::State& state) {
  auto fs = make_real_file_system();
  auto repo = open_repo(*fs, big_repo().string());
  if (!repo) {
    state.SkipWithError(repo.error().message.c_str());
    return;
  }
  std::size_t versions = 0;
  for (auto _ : state) {
    versions = 0;
    for (int i = 0; i < kPackages; ++i) {
      auto index = (*repo)->read_index(package_name(i));
      if (!index || !*index) {
        state.SkipWithError("index missing or malformed");
        return;
      }
      versions += (*index)->versions.size();
    }
  }
  state.counters["packages"] = kPackages;
  state.counters["versions"] = static_cast<double>(versions);
}
BENCHMARK(IndexLoadReel)->Name("IndexLoad/reel")->Unit(benchmark::kMillisecond);

void IndexLoadJsonOnly(benchmark::State& state) {
  const fs::path dir = big_repo() / "index";
  std::size_t versions = 0;
  for (auto _ : state) {
    versions = 0;
    for (int i = 0; i < kPackages; ++i) {
      std::ifstream in(dir / (package_name(i) + ".json"), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      auto doc = nlohmann::json::parse(text.str());
      versions += doc.at("versions").size();
    }
    benchmark::DoNotOptimize(versions);
  }
  state.counters["packages"] = kPackages;
  state.counters["versions"] = static_cast<double>(versions);
}
BENCHMARK(IndexLoadJsonOnly)->Name("IndexLoad/json_only")->Unit(benchmark::kMillisecond);

void Resolve10000(benchmark::State& state) {
  auto fs = make_real_file_system();
  auto repo = open_repo(*fs, big_repo().string());
  if (!repo) {
    state.SkipWithError(repo.error().message.c_str());
    return;
  }
  ResolveRequest request;
  for (int i = 0; i < 40; ++i) {
    request.requirements.push_back({package_name(i * 97 % kPackages), Range::parse(">=1.0.0").value()});
  }
  std::size_t solved = 0;
  for (auto _ : state) {
    RepoProvider provider({{"bench", repo->get()}});
    ResolveResult result = resolve(provider, request);
    if (provider.error()) {
      state.SkipWithError(provider.error()->message.c_str());
      return;
    }
    if (const auto* s = std::get_if<Solution>(&result)) solved = s->versions.size();
  }
  state.counters["packages_in_solution"] = static_cast<double>(solved);
}
BENCHMARK(Resolve10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
