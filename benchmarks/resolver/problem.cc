// reel-bench-problem: generates one random dependency problem in two forms, and checks answers.
//
//   reel-bench-problem generate --out DIR [--packages 2000] [--versions 20] [--deps 3] [--roots 40]
//                      [--narrow] [--seed 1]
//     DIR/repo/        a reel folder repo (reel-repo.json + index/*.json, DESIGN §2)
//     DIR/ws/          a workspace whose [requirements] are the root's ~40 requirements
//     DIR/problem.t    the same problem as a libsolv testcase for `testsolv`
//   reel-bench-problem check DIR SOLUTION
//     SOLUTION: lines "NAME VERSION" (or reel.lock, or testsolv's "install NAME-VERSION-0.noarch@…").
//     Checks one version per name, every root requirement and every chosen version's dependencies
//     satisfied. Exit 0 and "ok N packages", or exit 1 naming the first violation.
//
// Versions of package i: `1 + j/4 . j%4 . 0` for j < versions. Each version has 0..deps dependencies on
// random other packages, each a random half-open range over the target's versions (`--narrow`: at
// most 3 versions wide).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "reel/resolver/range.h"

namespace fs = std::filesystem;

namespace {

struct Dep {
  int target;
  int lo, hi;  // version indexes: >= v[lo], < v[hi] (hi == versions: unbounded)
};

std::string version_text(int j) { return std::to_string(1 + j / 4) + "." + std::to_string(j % 4) + ".0"; }
std::string name_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "p%04d", i);
  return buf;
}
std::string range_text(const Dep& d, int versions) {
  std::string s = ">=" + version_text(d.lo);
  if (d.hi < versions) s += ",<" + version_text(d.hi);
  return s;
}

int generate(int argc, char** argv) {
  fs::path out;
  int packages = 2000, versions = 20, deps = 3, roots = 40, seed = 1;
  bool narrow = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return std::string(i + 1 < argc ? argv[++i] : ""); };
    if (a == "--out") out = next();
    else if (a == "--packages") packages = std::stoi(next());
    else if (a == "--versions") versions = std::stoi(next());
    else if (a == "--deps") deps = std::stoi(next());
    else if (a == "--roots") roots = std::stoi(next());
    else if (a == "--seed") seed = std::stoi(next());
    else if (a == "--narrow") narrow = true;
    else { std::cerr << "error: unknown option " << a << "\n"; return 2; }
  }
  if (out.empty()) { std::cerr << "error: --out DIR is required\n"; return 2; }
  std::mt19937 rng(static_cast<unsigned>(seed));
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto random_dep = [&](int self) {
    Dep d;
    do d.target = uniform(0, packages - 1); while (d.target == self);
    if (narrow) {
      d.lo = uniform(0, versions - 1);
      d.hi = std::min(versions, d.lo + uniform(1, 3));
    } else {
      d.lo = uniform(0, versions - 1);
      d.hi = uniform(d.lo + 1, versions);
    }
    return d;
  };
  std::vector<std::vector<std::vector<Dep>>> graph(packages, std::vector<std::vector<Dep>>(versions));
  for (int i = 0; i < packages; ++i) {
    for (int j = 0; j < versions; ++j) {
      int k = uniform(0, deps);
      std::set<int> used;
      for (int n = 0; n < k; ++n) {
        Dep d = random_dep(i);
        if (used.insert(d.target).second) graph[i][j].push_back(d);
      }
    }
  }
  std::vector<Dep> root;
  std::set<int> used;
  while (static_cast<int>(root.size()) < roots) {
    Dep d = random_dep(-1);
    if (used.insert(d.target).second) root.push_back(d);
  }
  fs::create_directories(out / "repo" / "index");
  fs::create_directories(out / "ws");
  std::ofstream(out / "repo" / "reel-repo.json") << "{\"format\": 1, \"name\": \"bench\"}\n";
  std::ofstream t(out / "problem.t");
  t << "repo system 0 testtags <inline>\nrepo available 0 testtags <inline>\n";
  for (int i = 0; i < packages; ++i) {
    std::ofstream idx(out / "repo" / "index" / (name_of(i) + ".json"));
    idx << "{\"format\": 1, \"name\": \"" << name_of(i) << "\", \"versions\": [\n";
    for (int j = 0; j < versions; ++j) {
      idx << (j ? ",\n" : "") << " {\"version\": \"" << version_text(j) << "\", \"dependencies\": {";
      t << "#>=Pkg: " << name_of(i) << " " << version_text(j) << " 0 noarch\n";
      for (std::size_t n = 0; n < graph[i][j].size(); ++n) {
        const Dep& d = graph[i][j][n];
        idx << (n ? ", " : "") << "\"" << name_of(d.target) << "\": \"" << range_text(d, versions) << "\"";
        t << "#>=Req: " << name_of(d.target) << " >= " << version_text(d.lo) << "\n";
        if (d.hi < versions) t << "#>=Req: " << name_of(d.target) << " < " << version_text(d.hi) << "\n";
      }
      idx << "}, \"archive\": {\"path\": \"packages/x.reel\", \"sha256\": \"" << std::string(64, '0')
          << "\", \"size\": 0}}";
    }
    idx << "\n]}\n";
  }
  t << "#>=Pkg: root 1.0.0 0 noarch\n";
  std::ofstream ws(out / "ws" / "workspace.toml");
  ws << "[workspace]\nname = \"bench\"\n\n[[repo]]\nname = \"bench\"\nurl = \"" << fs::absolute(out / "repo").string()
     << "\"\nblessed = true\ndefault = true\n\n[requirements]\n";
  for (const Dep& d : root) {
    t << "#>=Req: " << name_of(d.target) << " >= " << version_text(d.lo) << "\n";
    if (d.hi < versions) t << "#>=Req: " << name_of(d.target) << " < " << version_text(d.hi) << "\n";
    ws << name_of(d.target) << " = \"" << range_text(d, versions) << "\"\n";
  }
  t << "system x86_64 rpm system\njob install name root\n";
  std::ofstream(out / "root.txt") << versions << "\n";
  return 0;
}

int check(const fs::path& dir, const fs::path& solution_file) {
  // Read the problem back from the reel index (the generator's own output).
  std::map<std::string, std::map<std::string, std::vector<std::pair<std::string, std::string>>>> deps;
  for (const auto& e : fs::directory_iterator(dir / "repo" / "index")) {
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string name = e.path().stem().string();
    std::size_t pos = 0;
    while ((pos = text.find("{\"version\": \"", pos)) != std::string::npos) {
      pos += 13;
      std::string v = text.substr(pos, text.find('"', pos) - pos);
      std::size_t open = text.find("\"dependencies\": {", pos) + 17;
      std::size_t close = text.find('}', open);
      std::string body = text.substr(open, close - open);
      auto& list = deps[name][v];
      std::size_t q = 0;
      while ((q = body.find('"', q)) != std::string::npos) {
        std::size_t q2 = body.find('"', q + 1);
        std::string target = body.substr(q + 1, q2 - q - 1);
        std::size_t r1 = body.find('"', q2 + 1), r2 = body.find('"', r1 + 1);
        list.emplace_back(target, body.substr(r1 + 1, r2 - r1 - 1));
        q = r2 + 1;
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> root;
  {
    std::ifstream ws(dir / "ws" / "workspace.toml");
    bool in_req = false;
    for (std::string line; std::getline(ws, line);) {
      if (line == "[requirements]") { in_req = true; continue; }
      if (!in_req || line.empty()) continue;
      auto eq = line.find(" = \"");
      root.emplace_back(line.substr(0, eq), line.substr(eq + 4, line.size() - eq - 5));
    }
  }
  // The solution: "name version", reel.lock, or testsolv output.
  std::map<std::string, std::string> chosen;
  std::ifstream in(solution_file);
  std::string pending_name;
  for (std::string line; std::getline(in, line);) {
    std::string name, version;
    if (line.rfind("name = \"", 0) == 0) { pending_name = line.substr(8, line.size() - 9); continue; }
    if (line.rfind("version = \"", 0) == 0 && !pending_name.empty()) {
      name = pending_name;
      version = line.substr(11, line.size() - 12);
      pending_name.clear();
    } else if (line.rfind("  - ", 0) == 0 || line.rfind("install ", 0) == 0) {
      std::size_t start = line[0] == ' ' ? 4 : 8;
      std::string nevra = line.substr(start, line.find('@') == std::string::npos ? std::string::npos : line.find('@') - start);
      nevra = nevra.substr(0, nevra.rfind('.'));  // .noarch
      nevra = nevra.substr(0, nevra.rfind('-'));  // release
      auto dash = nevra.rfind('-');
      name = nevra.substr(0, dash);
      version = nevra.substr(dash + 1);
      if (name == "root") continue;
    } else {
      if (line.find('=') != std::string::npos) continue;  // other reel.lock fields
      std::istringstream s(line);
      if (!(s >> name >> version)) continue;
    }
    if (chosen.count(name) && chosen[name] != version) {
      std::cout << "violation: two versions of " << name << "\n";
      return 1;
    }
    chosen[name] = version;
  }
  auto satisfied = [&](const std::string& who, const std::string& target, const std::string& range) {
    auto it = chosen.find(target);
    auto r = reel::Range::parse(range);
    if (it == chosen.end() || !r || !r->contains(reel::Version::parse(it->second).value())) {
      std::cout << "violation: " << who << " needs " << target << " " << range << ", chosen "
                << (it == chosen.end() ? "nothing" : it->second) << "\n";
      return false;
    }
    return true;
  };
  for (const auto& [target, range] : root) {
    if (!satisfied("the root", target, range)) return 1;
  }
  for (const auto& [name, version] : chosen) {
    for (const auto& [target, range] : deps[name][version]) {
      if (!satisfied(name + " " + version, target, range)) return 1;
    }
  }
  std::cout << "ok " << chosen.size() << " packages\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string verb = argc > 1 ? argv[1] : "";
  if (verb == "generate") return generate(argc, argv);
  if (verb == "check" && argc == 4) return check(argv[2], argv[3]);
  std::cerr << "usage: reel-bench-problem generate --out DIR [options] | check DIR SOLUTION\n";
  return 2;
}
