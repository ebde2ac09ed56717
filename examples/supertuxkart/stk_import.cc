// reel-stk-import: turns Debian's supertuxkart-data into reel asset folders with real dependencies
// (facts about the data: ../../../shared/notes/supertuxkart-data.md).
//
//   reel-stk-import --data DIR/usr/share/games/supertuxkart/data --out WORKSPACE/outputs
//                   [--tracks a,b,c] [--version 1.4.0]
//
// Packages (names sanitised to reel's [A-Za-z0-9._-], unique case-insensitively):
//   stk-track-<name>  tracks/<name>/: depends on the library objects its scene.xml places, the
//                     global textures its meshes name, and its music (track.xml music="...")
//   stk-lib-<name>    library/<name>/: depends on nested library objects (node.xml) and textures
//   stk-kart-<name>   karts/<name>/: depends on the global textures its meshes name
//   stk-tex-<family>  the textures/ files of one family: a texture with its variants and maps
//                     (stktex_foo_a.png, stktex_foo_b.png, stktex_foo_a_nm.png -> stktex_foo);
//                     files in a subfolder get its name as a prefix (stk-tex-deprecated-...)
//   stk-music-<name>  music/<name>.music and the .ogg files it names
// A texture named by a mesh resolves first in the mesh's own folder (then no dependency), then
// anywhere under textures/. Every dependency is abstract ("*"). A texture that is named but missing
// is reported on stderr as a warning and skipped. Files are hard-linked from DATA into OUT (copied
// when linking fails). --tracks imports only those tracks and the closure of what they need.
// Prints the package, edge, file and byte counts. Exit 0; 1 on an I/O error or an unknown track;
// 2 on a usage error.
#include <algorithm>
#include <cctype>
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

#include "stk_data.h"

namespace fs = std::filesystem;

namespace {

struct Package {
  std::string name, kind, type, description, env_key;
  std::string source;                                   // the track's folder name
  std::vector<std::pair<fs::path, std::string>> files;  // source file, path inside the asset
  std::set<std::string> deps;
};

struct Counts {
  std::map<std::string, std::size_t> kinds, edge_kinds;
  std::size_t packages = 0, edges = 0, files = 0;
  std::uintmax_t bytes = 0;
};

// A TOML basic string holding `s`.
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

class Importer {
 public:
  explicit Importer(fs::path data) : data_(std::move(data)) {}

  void scan() {
    scan_textures();
    for_each_dir("library", [&](const fs::path& dir) { scan_library(dir); });
    if (fs::is_directory(data_ / "music")) {
      for (const auto& e : fs::directory_iterator(data_ / "music")) {
        if (e.path().extension() == ".music") scan_music(e.path());
      }
    }
    for_each_dir("karts", [&](const fs::path& dir) { scan_kart(dir); });
    for_each_dir("tracks", [&](const fs::path& dir) {
      if (fs::exists(dir / "track.xml")) scan_track(dir);
    });
  }

  bool has_track(const std::string& name) const { return !names_.find("track:" + name).empty(); }

  // The chosen tracks (every package when `tracks` is empty) and everything they need.
  std::set<std::string> closure(const std::set<std::string>& tracks) const {
    std::vector<std::string> stack;
    for (const auto& [name, p] : packages_) {
      if (tracks.empty() || (p.kind == "track" && tracks.count(p.source) != 0)) {
        stack.push_back(name);
      }
    }
    std::set<std::string> selected;
    while (!stack.empty()) {
      std::string name = stack.back();
      stack.pop_back();
      if (!selected.insert(name).second) continue;
      for (const auto& d : packages_.at(name).deps) stack.push_back(d);
    }
    return selected;
  }

  // Writes OUT/NAME/asset.toml and links the files of one package; adds to `counts`.
  void write(const std::string& name, const fs::path& out, const std::string& version,
             Counts& counts) const {
    const Package& p = packages_.at(name);
    fs::path dir = out / p.name;
    fs::create_directories(dir);
    std::ofstream toml(dir / "asset.toml");
    toml << "[asset]\nname = " << toml_string(p.name) << "\nversion = " << toml_string(version)
         << "\ntype = " << toml_string(p.type) << "\ndescription = " << toml_string(p.description)
         << "\ntags = [\"supertuxkart\", " << toml_string(p.kind) << "]\n\n[dependencies]\n";
    for (const auto& d : p.deps) {
      toml << toml_string(d) << " = \"*\"\n";
      ++counts.edge_kinds[p.kind + "->" + packages_.at(d).kind];
      ++counts.edges;
    }
    if (!p.env_key.empty()) toml << "\n[env]\n" << p.env_key << " = \"{root}\"\n";
    if (!toml.flush()) throw fs::filesystem_error("cannot write", dir / "asset.toml", {});
    for (const auto& [src, rel] : p.files) {
      fs::path dest = dir / rel;
      fs::create_directories(dest.parent_path());
      std::error_code ec;
      fs::create_hard_link(src, dest, ec);
      if (ec) fs::copy_file(src, dest, fs::copy_options::overwrite_existing);
      ++counts.files;
      counts.bytes += fs::file_size(src);
    }
    ++counts.kinds[p.kind];
    ++counts.packages;
  }

 private:
  template <typename F>
  void for_each_dir(const std::string& sub, F f) {
    if (!fs::is_directory(data_ / sub)) return;
    for (const auto& e : fs::directory_iterator(data_ / sub)) {
      if (e.is_directory()) f(e.path());
    }
  }

  Package& add(const std::string& key, const std::string& base) {
    std::string name = names_.get(key, base);
    Package& p = packages_[name];
    p.name = name;
    return p;
  }

  static void add_folder(Package& p, const fs::path& dir) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) {
        p.files.emplace_back(e.path(), fs::relative(e.path(), dir).generic_string());
      }
    }
  }

  // Global textures grouped by family. A file name present in several folders (textures/ and
  // textures/deprecated/) resolves to the shallowest, then the alphabetically first.
  void scan_textures() {
    std::vector<fs::path> files;
    if (fs::is_directory(data_ / "textures")) {
      for (const auto& e : fs::recursive_directory_iterator(data_ / "textures")) {
        if (e.is_regular_file()) files.push_back(fs::relative(e.path(), data_ / "textures"));
      }
    }
    auto depth = [](const fs::path& p) { return std::distance(p.begin(), p.end()); };
    std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
      return depth(a) != depth(b) ? depth(a) < depth(b) : a < b;
    });
    for (const auto& rel : files) {
      std::string dir = rel.parent_path().generic_string();
      std::string family =
          (dir.empty() ? "" : dir + "-") + stk::texture_family(rel.filename().string());
      Package& p = add("texture:" + family, "stk-tex-" + family);
      p.kind = p.type = "texture";
      p.description = "SuperTuxKart texture family " + family;
      p.files.emplace_back(data_ / "textures" / rel, rel.generic_string());
      texture_owner_.emplace(rel.filename().string(), p.name);
    }
  }

  // Adds to `p` a dependency on the texture package of every texture that a mesh under `dir`
  // names and that is neither beside the mesh nor at the top of `dir`.
  void add_mesh_deps(Package& p, const fs::path& dir) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".spm") continue;
      for (const auto& texture : stk::spm_textures(e.path())) {
        std::string file = fs::path(texture).filename().string();
        if (fs::exists(e.path().parent_path() / file) || fs::exists(dir / file)) continue;
        auto it = texture_owner_.find(file);
        if (it != texture_owner_.end()) {
          p.deps.insert(it->second);
        } else if (missing_reported_.insert(file).second) {
          std::cerr << "warning: " << fs::relative(e.path(), data_).generic_string()
                    << " names texture " << file
                    << ", which the data does not have; dependency skipped\n";
        }
      }
    }
  }

  // Whether `n` names a library object: a folder directly under library/.
  bool is_library(const std::string& n) const {
    return !n.empty() && fs::path(n).filename() == n && n != "." && n != ".." &&
           fs::is_directory(data_ / "library" / n);
  }

  std::string library_name(const std::string& n) {
    return names_.get("library:" + n, "stk-lib-" + n);
  }

  void scan_library(const fs::path& dir) {
    std::string n = dir.filename().string();
    Package& p = add("library:" + n, "stk-lib-" + n);
    p.kind = "library";
    p.type = "prop";
    p.description = "SuperTuxKart library object " + n;
    add_folder(p, dir);
    for (const auto& child :
         stk::xml_attributes(stk::read_file(dir / "node.xml"), "library", "name")) {
      if (child != n && is_library(child)) p.deps.insert(library_name(child));
    }
    add_mesh_deps(p, dir);
  }

  void scan_music(const fs::path& file) {
    std::string stem = file.stem().string();
    Package& p = add("music:" + stem, "stk-music-" + stem);
    p.kind = "music";
    p.type = "audio";
    p.description = "SuperTuxKart music " + stem;
    p.files.emplace_back(file, file.filename().string());
    for (const auto& f : stk::xml_attributes(stk::read_file(file), "music", "file")) {
      if (fs::exists(file.parent_path() / f)) p.files.emplace_back(file.parent_path() / f, f);
    }
  }

  void scan_kart(const fs::path& dir) {
    std::string n = dir.filename().string();
    Package& p = add("kart:" + n, "stk-kart-" + n);
    p.kind = "kart";
    p.type = "character";
    p.description = "SuperTuxKart kart " + n;
    add_folder(p, dir);
    add_mesh_deps(p, dir);
  }

  void scan_track(const fs::path& dir) {
    std::string n = dir.filename().string();
    std::string name = names_.get("track:" + n, "stk-track-" + n);
    std::set<std::string> deps;
    for (const auto& lib :
         stk::xml_attributes(stk::read_file(dir / "scene.xml"), "library", "name")) {
      if (is_library(lib)) deps.insert(library_name(lib));
    }
    for (const auto& m : stk::xml_attributes(stk::read_file(dir / "track.xml"), "track", "music")) {
      std::stringstream s(m);
      for (std::string f; s >> f;) {
        std::string music = names_.find("music:" + fs::path(f).stem().string());
        if (!music.empty()) deps.insert(music);
      }
    }
    Package& p = packages_[name];
    p.name = name;
    p.kind = "track";
    p.type = "set";
    p.source = n;
    p.description = "SuperTuxKart track " + n;
    p.env_key = "STK_TRACK_";
    for (char c : n) {
      p.env_key += std::isalnum(static_cast<unsigned char>(c))
                       ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                       : '_';
    }
    p.deps = std::move(deps);
    add_folder(p, dir);
    add_mesh_deps(p, dir);
  }

  fs::path data_;
  stk::PackageNames names_;
  std::map<std::string, Package> packages_;           // by package name
  std::map<std::string, std::string> texture_owner_;  // texture file name -> package name
  std::set<std::string> missing_reported_;
};

template <typename Map>
void print_counts(const char* label, std::size_t total, const Map& by_kind, bool count_first) {
  std::printf("%s: %zu (", label, total);
  bool first = true;
  for (const auto& [kind, n] : by_kind) {
    if (count_first) {
      std::printf("%s%zu %s", first ? "" : ", ", n, kind.c_str());
    } else {
      std::printf("%s%s %zu", first ? "" : ", ", kind.c_str(), n);
    }
    first = false;
  }
  std::printf(")\n");
}

int usage(const std::string& message) {
  std::cerr << "error: " << message
            << "\nusage: reel-stk-import --data DATA_DIR --out OUTPUTS_DIR [--tracks a,b] "
               "[--version V]\n       (DATA_DIR holds tracks/, library/, textures/, music/, "
               "karts/)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path data, out;
  std::string version = "1.4.0";
  std::set<std::string> tracks;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 == argc) return usage("option " + flag + " needs a value");
    std::string value = argv[i + 1];
    if (flag == "--data") {
      data = value;
    } else if (flag == "--out") {
      out = value;
    } else if (flag == "--version") {
      version = value;
    } else if (flag == "--tracks") {
      std::stringstream s(value);
      for (std::string t; std::getline(s, t, ',');) {
        if (!t.empty()) tracks.insert(t);
      }
    } else {
      return usage("unknown option " + flag);
    }
  }
  if (data.empty() || out.empty()) return usage("--data and --out are required");
  if (!fs::is_directory(data / "tracks")) {
    return usage("no tracks/ folder in " + data.string());
  }
  try {
    Importer importer(data);
    importer.scan();
    for (const auto& t : tracks) {
      if (!importer.has_track(t)) {
        std::cerr << "error: no track named '" << t << "' in " << (data / "tracks").string()
                  << "\n";
        return 1;
      }
    }
    Counts counts;
    for (const auto& name : importer.closure(tracks)) importer.write(name, out, version, counts);
    print_counts("packages", counts.packages, counts.kinds, true);
    print_counts("edges", counts.edges, counts.edge_kinds, false);
    std::printf("files: %zu, %ju bytes (%.1f MB)\n", counts.files, counts.bytes,
                static_cast<double>(counts.bytes) / 1e6);
  } catch (const fs::filesystem_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
