// files.json (DESIGN §2): `[{path, sha256, size, executable}]` sorted by path; symlink entries
// carry "symlink": TARGET instead of the content fields.
#include <nlohmann/json.hpp>

#include "asset_paths.h"
#include "reel/engine/package.h"

namespace reel {

bool is_safe_relative_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool symlink_stays_inside(std::string_view link_path, std::string_view target) {
  if (target.empty() || target.front() == '/') return false;
  fs::path resolved =
      (fs::path(std::string(link_path)).parent_path() / std::string(target)).lexically_normal();
  std::string s = resolved.generic_string();
  return !(s == ".." || s.rfind("../", 0) == 0);
}

Result<std::vector<FileEntry>> parse_files_json(std::string_view text, std::string_view file) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& what) {
    return make_error(ErrorCode::kCorruption, std::string(file) + ": " + what);
  };
  if (!j.is_array()) return bad("expected a JSON array");
  std::vector<FileEntry> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    std::string where = "[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("path") || !e["path"].is_string()) {
      return bad(where + ".path: expected a string");
    }
    FileEntry f;
    f.path = e["path"].get<std::string>();
    if (!is_safe_relative_path(f.path)) return bad(where + ".path: unsafe path '" + f.path + "'");
    if (!out.empty() && !(out.back().path < f.path)) {
      return bad(where + ".path: '" + f.path + "' is out of order or listed twice");
    }
    if (e.contains("symlink")) {
      if (!e["symlink"].is_string()) return bad(where + ".symlink: expected a string");
      f.symlink = e["symlink"].get<std::string>();
      if (!symlink_stays_inside(f.path, *f.symlink)) {
        return bad(where + ".symlink: '" + f.path + "' -> '" + *f.symlink + "' leaves the asset");
      }
    } else {
      if (!e.contains("sha256") || !e["sha256"].is_string())
        return bad(where + ".sha256: expected a string");
      auto d = Digest::from_hex(e["sha256"].get<std::string>());
      if (!d) return bad(where + ".sha256: " + d.error().message);
      f.sha256 = *d;
      if (!e.contains("size") || !e["size"].is_number_unsigned()) {
        return bad(where + ".size: expected a non-negative integer");
      }
      f.size = e["size"].get<std::uint64_t>();
      if (e.contains("executable") && !e["executable"].is_boolean()) {
        return bad(where + ".executable: expected a boolean");
      }
      f.executable = e.contains("executable") && e["executable"].get<bool>();
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string serialize_files_json(const std::vector<FileEntry>& files) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    nlohmann::ordered_json e;
    e["path"] = f.path;
    if (f.symlink) {
      e["symlink"] = *f.symlink;
    } else {
      e["sha256"] = f.sha256.hex();
      e["size"] = f.size;
      e["executable"] = f.executable;
    }
    a.push_back(std::move(e));
  }
  return a.dump(1) + "\n";
}

}  // namespace reel
