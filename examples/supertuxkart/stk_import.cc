// reel-stk-import: turns Debian's supertuxkart-data into reel asset folders with real dependencies
// (see ../../../shared/notes/supertuxkart-data.md for the data's layout).
//
//   reel-stk-import --data DIR/usr/share/games/supertuxkart/data --out WORKSPACE/outputs
//                   [--tracks a,b,c] [--version 1.4.0]
//
// Packages (names sanitised to reel's [A-Za-z0-9._-]):
//   stk-track-<name>    tracks/<name>/            depends on the library objects its scene.xml places,
//                                                 the global textures its meshes name, its music
//   stk-lib-<name>      library/<name>/           depends on nested library objects and textures
//   stk-kart-<name>     karts/<name>/             depends on the global textures its meshes name
//   stk-tex-<family>    textures/ files of one family: a texture with its variants and maps
//                       (stktex_foo_a.png, stktex_foo_b.png, stktex_foo_a_nm.png -> stktex_foo)
//   stk-music-<name>    music/<name>.music and the .ogg it names
// Mesh (.spm) texture names resolve first in the mesh's own folder, then anywhere under textures/.
// Every dependency is abstract ("*"). A texture that is named but missing is reported on stderr and
// skipped. Files are hard-linked from DATA into OUT (copied if linking fails).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Package {
  std::string name, type, description, env_key;
  std::string source;  // the folder or file name in the data set
  std::vector<std::pair<fs::path, std::string>> files;  // source, path inside the asset
  std::set<std::string> deps;
  std::string kind;
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sanitise(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  return out.substr(0, 64);
}

// Values of attribute `attr` in elements `<tag ...>` (whitespace around '=' allowed).
std::vector<std::string> attributes(const std::string& xml, const std::string& tag, const std::string& attr) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = xml.find("<" + tag, pos)) != std::string::npos) {
    std::size_t end = xml.find('>', pos);
    std::string element = xml.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos += tag.size() + 1;
    std::size_t a = 0;
    while ((a = element.find(attr, a)) != std::string::npos) {
      bool word_start = a > 0 && std::isspace(static_cast<unsigned char>(element[a - 1]));
      std::size_t k = a + attr.size();
      while (k < element.size() && std::isspace(static_cast<unsigned char>(element[k]))) ++k;
      if (word_start && k < element.size() && element[k] == '=') {
        ++k;
        while (k < element.size() && std::isspace(static_cast<unsigned char>(element[k]))) ++k;
        if (k < element.size() && (element[k] == '"' || element[k] == '\'')) {
          std::size_t close = element.find(element[k], k + 1);
          if (close != std::string::npos) out.push_back(element.substr(k + 1, close - k - 1));
        }
        break;
      }
      a = k;
    }
  }
  return out;
}

// Texture names in a binary .spm mesh: "SP", 2 bytes, a 24-byte bounding box, a little-endian u16
// material count, then per material two strings, each a u8 length and that many bytes.
std::vector<std::string> spm_textures(const fs::path& p) {
  std::string b = read(p);
  std::vector<std::string> out;
  if (b.size() < 30 || b[0] != 'S' || b[1] != 'P') return out;
  std::size_t pos = 28;
  unsigned count = static_cast<unsigned char>(b[pos]) | (static_cast<unsigned char>(b[pos + 1]) << 8);
  pos += 2;
  for (unsigned m = 0; m < count; ++m) {
    for (int s = 0; s < 2; ++s) {
      if (pos >= b.size()) return out;
      std::size_t len = static_cast<unsigned char>(b[pos++]);
      if (pos + len > b.size()) return out;
      if (len > 0) out.push_back(b.substr(pos, len));
      pos += len;
    }
  }
  return out;
}

std::string texture_family(const std::string& file) {
  std::string stem = fs::path(file).stem().string();
  static const char* kSuffixes[] = {"_colormask", "_gloss", "_normal", "_nm", "_mask", "_spec", "_emit", "_n", "_s"};
  bool changed = true;
  while (changed) {
    changed = false;
    for (const char* suf : kSuffixes) {
      std::string s(suf);
      if (stem.size() > s.size() + 1 && stem.compare(stem.size() - s.size(), s.size(), s) == 0) {
        stem.resize(stem.size() - s.size());
        changed = true;
      }
    }
    if (stem.size() > 3 && stem[stem.size() - 2] == '_' && std::islower(static_cast<unsigned char>(stem.back()))) {
      stem.resize(stem.size() - 2);
      changed = true;
    }
  }
  return stem;
}

void add_folder(Package& p, const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) p.files.emplace_back(e.path(), fs::relative(e.path(), dir).generic_string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path data, out;
  std::string version = "1.4.0";
  std::set<std::string> wanted_tracks;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--data") data = value;
    else if (flag == "--out") out = value;
    else if (flag == "--version") version = value;
    else if (flag == "--tracks") {
      std::stringstream s(value);
      for (std::string t; std::getline(s, t, ',');) if (!t.empty()) wanted_tracks.insert(t);
    } else {
      std::cerr << "error: unknown option " << flag << "\n";
      return 2;
    }
  }
  if (data.empty() || out.empty() || !fs::is_directory(data / "tracks")) {
    std::cerr << "error: usage: reel-stk-import --data DATA_DIR --out OUTPUTS_DIR [--tracks a,b] [--version V]\n"
                 "       (DATA_DIR must hold tracks/, library/, textures/)\n";
    return 2;
  }
  std::map<std::string, Package> packages;
  // Global textures, by file name -> family package.
  std::map<std::string, std::string> texture_owner;
  for (const auto& e : fs::recursive_directory_iterator(data / "textures")) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), data / "textures").generic_string();
    std::string dir = fs::path(rel).parent_path().generic_string();
    std::string family = (dir.empty() ? "" : dir + "-") + texture_family(e.path().filename().string());
    std::string name = sanitise("stk-tex-" + family);
    Package& p = packages[name];
    p.name = name;
    p.kind = "texture";
    p.type = "texture";
    p.env_key = "";
    p.description = "SuperTuxKart texture family " + family;
    p.files.emplace_back(e.path(), rel);
    texture_owner.emplace(e.path().filename().string(), name);
  }
  std::set<std::string> missing_reported;
  std::map<std::string, std::size_t> edge_counts;
  auto mesh_deps = [&](Package& p, const fs::path& dir) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".spm") continue;
      for (const auto& tex : spm_textures(e.path())) {
        std::string file = fs::path(tex).filename().string();
        if (fs::exists(e.path().parent_path() / file) || fs::exists(dir / file)) continue;
        auto it = texture_owner.find(file);
        if (it == texture_owner.end()) {
          if (missing_reported.insert(file).second) {
            std::cerr << "warning: " << fs::relative(e.path(), data).generic_string() << " names texture " << file
                      << ", which the data does not have; dependency skipped\n";
          }
          continue;
        }
        p.deps.insert(it->second);
      }
    }
  };
  auto library_name = [](const std::string& n) { return sanitise("stk-lib-" + n); };
  for (const auto& e : fs::directory_iterator(data / "library")) {
    if (!e.is_directory()) continue;
    std::string n = e.path().filename().string();
    Package& p = packages[library_name(n)];
    p.name = library_name(n);
    p.kind = "library";
    p.type = "prop";
    p.description = "SuperTuxKart library object " + n;
    add_folder(p, e.path());
    for (const auto& child : attributes(read(e.path() / "node.xml"), "library", "name")) {
      if (fs::is_directory(data / "library" / child) && child != n) p.deps.insert(library_name(child));
    }
    mesh_deps(p, e.path());
  }
  for (const auto& e : fs::directory_iterator(data / "music")) {
    if (e.path().extension() != ".music") continue;
    std::string stem = e.path().stem().string();
    Package& p = packages[sanitise("stk-music-" + stem)];
    p.name = sanitise("stk-music-" + stem);
    p.kind = "music";
    p.type = "audio";
    p.description = "SuperTuxKart music " + stem;
    p.files.emplace_back(e.path(), e.path().filename().string());
    for (const auto& f : attributes(read(e.path()), "music", "file")) {
      if (fs::exists(data / "music" / f)) p.files.emplace_back(data / "music" / f, f);
    }
  }
  for (const auto& e : fs::directory_iterator(data / "karts")) {
    if (!e.is_directory()) continue;
    std::string n = e.path().filename().string();
    Package& p = packages[sanitise("stk-kart-" + n)];
    p.name = sanitise("stk-kart-" + n);
    p.kind = "kart";
    p.type = "character";
    p.description = "SuperTuxKart kart " + n;
    add_folder(p, e.path());
    mesh_deps(p, e.path());
  }
  std::vector<std::string> track_names;
  for (const auto& e : fs::directory_iterator(data / "tracks")) {
    if (!e.is_directory() || !fs::exists(e.path() / "track.xml")) continue;
    std::string n = e.path().filename().string();
    track_names.push_back(n);
    Package& p = packages[sanitise("stk-track-" + n)];
    p.name = sanitise("stk-track-" + n);
    p.kind = "track";
    p.type = "set";
    p.env_key = "STK_TRACK_" + n;
    for (auto& c : p.env_key) c = static_cast<char>(std::isalnum(static_cast<unsigned char>(c)) ? std::toupper(static_cast<unsigned char>(c)) : '_');
    p.description = "SuperTuxKart track " + n;
    p.source = n;
    add_folder(p, e.path());
    if (fs::exists(e.path() / "scene.xml")) {
      for (const auto& lib : attributes(read(e.path() / "scene.xml"), "library", "name")) {
        if (fs::is_directory(data / "library" / lib)) p.deps.insert(library_name(lib));
      }
    }
    for (const auto& m : attributes(read(e.path() / "track.xml"), "track", "music")) {
      std::stringstream s(m);
      for (std::string f; s >> f;) {
        std::string name = sanitise("stk-music-" + fs::path(f).stem().string());
        if (packages.count(name)) p.deps.insert(name);
      }
    }
    mesh_deps(p, e.path());
  }
  for (const auto& t : wanted_tracks) {
    if (std::find(track_names.begin(), track_names.end(), t) == track_names.end()) {
      std::cerr << "error: no track named '" << t << "' in " << (data / "tracks").string() << "\n";
      return 1;
    }
  }
  // The closure of what the chosen tracks need (everything when no --tracks).
  std::set<std::string> selected;
  std::vector<std::string> stack;
  for (const auto& [name, p] : packages) {
    bool root = wanted_tracks.empty() || (p.kind == "track" && wanted_tracks.count(p.source));
    if (root) stack.push_back(name);
  }
  while (!stack.empty()) {
    std::string n = stack.back();
    stack.pop_back();
    if (!selected.insert(n).second) continue;
    for (const auto& d : packages[n].deps) stack.push_back(d);
  }
  std::map<std::string, std::size_t> kinds;
  std::size_t files = 0, edges = 0;
  std::uintmax_t bytes = 0;
  for (const auto& name : selected) {
    const Package& p = packages[name];
    fs::path dir = out / p.name;
    fs::create_directories(dir);
    std::ofstream toml(dir / "asset.toml");
    toml << "[asset]\nname = \"" << p.name << "\"\nversion = \"" << version << "\"\ntype = \"" << p.type
         << "\"\ndescription = \"" << p.description << "\"\ntags = [\"supertuxkart\", \"" << p.kind << "\"]\n\n[dependencies]\n";
    for (const auto& d : p.deps) {
      toml << "\"" << d << "\" = \"*\"\n";
      ++edge_counts[p.kind + "->" + packages[d].kind];
      ++edges;
    }
    if (!p.env_key.empty()) toml << "\n[env]\n" << p.env_key << " = \"{root}\"\n";
    for (const auto& [src, rel] : p.files) {
      fs::path dest = dir / rel;
      fs::create_directories(dest.parent_path());
      std::error_code ec;
      fs::create_hard_link(src, dest, ec);
      if (ec) fs::copy_file(src, dest, fs::copy_options::overwrite_existing);
      ++files;
      bytes += fs::file_size(src);
    }
    ++kinds[p.kind];
  }
  std::printf("packages: %zu (", selected.size());
  bool first = true;
  for (const auto& [k, n] : kinds) {
    std::printf("%s%zu %s", first ? "" : ", ", n, k.c_str());
    first = false;
  }
  std::printf(")\nedges: %zu (", edges);
  first = true;
  for (const auto& [k, n] : edge_counts) {
    std::printf("%s%s %zu", first ? "" : ", ", k.c_str(), n);
    first = false;
  }
  std::printf(")\nfiles: %zu, %.1f MB\n", files, static_cast<double>(bytes) / 1e6);
  return 0;
}
