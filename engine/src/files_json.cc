// files.json (DESIGN §2): `[{path, sha256, size, executable}]` sorted by path; symlink entries
// carry "symlink": TARGET instead of the content fields. Every list read or built is checked with
// the path rules (reel/storage/path_rules.h).
#include <nlohmann/json.hpp>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/package.h"
#include "reel/storage/path_rules.h"

namespace reel {

std::optional<std::string> file_list_problem(const std::vector<FileEntry>& files) {
  std::vector<TreeEntry> entries;
  entries.reserve(files.size());
  for (const auto& f : files) {
    if (f.path.find('/') == std::string::npos && lower_name(f.path) == "asset.toml")
      return "'" + f.path + "': is the manifest's name, not a content file's";
    TreeEntry e{f.path, std::nullopt};
    if (f.symlink) e.symlink = std::string_view(*f.symlink);
    entries.push_back(e);
  }
  return tree_problem(entries);
}

Result<std::vector<FileEntry>> parse_files_json(std::string_view text, std::string_view file) {
  auto bad = [&](const std::string& what) {
    return make_error(ErrorCode::kCorruption, std::string(file) + ": " + what);
  };
  if (auto limits = check_json_input(text, file, kMaxArchiveBytes); !limits)
    return tl::unexpected(Error{ErrorCode::kCorruption, limits.error().message});
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return bad("expected a JSON array");
  if (j.size() > kMaxPackageFiles)
    return bad("lists " + std::to_string(j.size()) + " files, more than the " +
               std::to_string(kMaxPackageFiles) + " a package may hold");
  std::vector<FileEntry> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    std::string where = "[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("path") || !e["path"].is_string()) {
      return bad(where + ".path: expected a string");
    }
    FileEntry f;
    f.path = e["path"].get<std::string>();
    if (!out.empty() && !(out.back().path < f.path)) {
      return bad(where + ".path: '" + f.path + "' is out of order or listed twice");
    }
    if (e.contains("symlink")) {
      if (!e["symlink"].is_string()) return bad(where + ".symlink: expected a string");
      f.symlink = e["symlink"].get<std::string>();
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
  if (auto problem = file_list_problem(out)) return bad("unsafe file list: " + *problem);
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
