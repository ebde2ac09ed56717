// Building package archives from asset folders, and reading them back (DESIGN §2).
#include "reel/engine/package.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "reel/engine/names.h"
#include "reel/storage/archive.h"

namespace reel {

bool glob_match(std::string_view pattern, std::string_view path) {
  // Iterative matcher with backtracking for `*` (within a component) and `**` (across them).
  if (pattern.empty()) return path.empty();
  if (pattern.substr(0, 2) == "**") {
    std::string_view rest = pattern.substr(2);
    if (!rest.empty() && rest[0] == '/') rest = rest.substr(1);
    if (glob_match(rest, path)) return true;
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '/' && glob_match(rest, path.substr(i + 1))) return true;
    }
    return rest.empty();
  }
  if (pattern[0] == '*') {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (glob_match(pattern.substr(1), path.substr(i))) return true;
      if (i < path.size() && path[i] == '/') break;
    }
    return false;
  }
  if (path.empty()) return false;
  if (pattern[0] == '?' ? path[0] != '/' : pattern[0] == path[0]) {
    return glob_match(pattern.substr(1), path.substr(1));
  }
  return false;
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
    if (!e.is_object() || !e.contains("path") || !e["path"].is_string()) return bad(where + ".path: expected a string");
    FileEntry f;
    f.path = e["path"].get<std::string>();
    bool dotdot = false;
    for (const auto& part : fs::path(f.path)) dotdot = dotdot || part == "..";
    if (f.path.empty() || f.path[0] == '/' || dotdot || f.path.find('\n') != std::string::npos) {
      return bad(where + ".path: unsafe path '" + f.path + "'");
    }
    if (e.contains("symlink")) {
      if (!e["symlink"].is_string()) return bad(where + ".symlink: expected a string");
      f.symlink = e["symlink"].get<std::string>();
    } else {
      if (!e.contains("sha256") || !e["sha256"].is_string()) return bad(where + ".sha256: expected a string");
      auto d = Digest::from_hex(e["sha256"].get<std::string>());
      if (!d) return bad(where + ".sha256: " + d.error().message);
      f.sha256 = *d;
      if (!e.contains("size") || !e["size"].is_number_unsigned()) return bad(where + ".size: expected an integer");
      f.size = e["size"].get<std::uint64_t>();
      f.executable = e.contains("executable") && e["executable"].is_boolean() && e["executable"].get<bool>();
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

namespace {

bool included(const AssetManifest& m, const std::string& path) {
  bool in = std::any_of(m.include.begin(), m.include.end(), [&](const std::string& g) { return glob_match(g, path); });
  if (!in) return false;
  return !std::any_of(m.exclude.begin(), m.exclude.end(), [&](const std::string& g) { return glob_match(g, path); });
}

// A symlink target stays inside the asset when, resolved lexically from the link's folder, it never
// climbs above the asset root.
bool stays_inside(const std::string& link_path, const std::string& target) {
  if (target.empty() || target[0] == '/') return false;
  fs::path resolved = (fs::path(link_path).parent_path() / target).lexically_normal();
  std::string s = resolved.generic_string();
  return !(s == ".." || s.rfind("../", 0) == 0);
}

Status walk(FileSystem& fs, ObjectStore& objects, const fs::path& root, const std::string& rel,
            const AssetManifest& m, std::vector<FileEntry>& out) {
  fs::path dir = rel.empty() ? root : root / rel;
  auto entries = fs.list_dir(dir);
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    std::string path = rel.empty() ? e.name : rel + "/" + e.name;
    if (rel.empty() && (e.name == ".git" || e.name == ".reel" || e.name == "asset.toml")) continue;
    if (auto t = check_text(e.name, path); !t || e.name.find('\n') != std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        (root / path).string() + ": file names must be UTF-8 without control characters");
    }
    if (e.type == FileType::kDirectory) {
      REEL_TRY(walk(fs, objects, root, path, m, out));
      continue;
    }
    if (!included(m, path)) continue;
    if (e.type == FileType::kSymlink) {
      auto target = fs.read_symlink(root / path);
      if (!target) return tl::unexpected(target.error());
      if (!stays_inside(path, target->string())) {
        return make_error(ErrorCode::kInvalidArgument, (root / path).string() + ": symlink to '" +
                                                           target->string() + "' leaves the asset");
      }
      FileEntry f;
      f.path = path;
      f.symlink = target->string();
      out.push_back(std::move(f));
      continue;
    }
    if (e.type != FileType::kRegular) {
      return make_error(ErrorCode::kInvalidArgument, (root / path).string() + ": not a regular file, folder or symlink");
    }
    auto before = fs.stat(root / path);
    if (!before) return tl::unexpected(before.error());
    auto digest = objects.put_file(root / path);
    if (!digest) return tl::unexpected(digest.error());
    auto after = fs.stat(root / path);
    if (!after) return tl::unexpected(after.error());
    if (after->size != before->size || after->mtime_ns != before->mtime_ns) {
      return make_error(ErrorCode::kConflict, (root / path).string() + ": changed while it was being read");
    }
    FileEntry f;
    f.path = path;
    f.sha256 = *digest;
    f.size = after->size;
    f.executable = (after->mode & 0111) != 0;
    out.push_back(std::move(f));
  }
  return ok();
}

}  // namespace

Result<BuiltPackage> build_package(FileSystem& fs, ObjectStore& objects, const fs::path& asset_dir) {
  fs::path manifest_path = asset_dir / "asset.toml";
  auto text = fs.read_file(manifest_path);
  if (!text) return tl::unexpected(text.error());
  auto manifest = parse_manifest(*text, manifest_path.string());
  if (!manifest) return tl::unexpected(manifest.error());
  BuiltPackage p;
  p.manifest = std::move(*manifest);
  p.manifest_text = std::move(*text);
  REEL_TRY(walk(fs, objects, asset_dir, "", p.manifest, p.files));
  std::sort(p.files.begin(), p.files.end(), [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  for (const auto& f : p.files) p.total_size += f.size;
  auto archive = write_archive({{"asset.toml", p.manifest_text}, {"files.json", serialize_files_json(p.files)}});
  if (!archive) return tl::unexpected(archive.error());
  p.archive_bytes = std::move(*archive);
  p.archive_digest = sha256_bytes(p.archive_bytes);
  return p;
}

Result<BuiltPackage> read_package(std::string_view archive_bytes, std::string_view what) {
  auto members = read_archive(archive_bytes);
  if (!members) return tl::unexpected(members.error().with_context(what));
  BuiltPackage p;
  const ArchiveMember* manifest = nullptr;
  const ArchiveMember* files = nullptr;
  for (const auto& m : *members) {
    if (m.path == "asset.toml") manifest = &m;
    else if (m.path == "files.json") files = &m;
  }
  if (!manifest || !files) {
    return make_error(ErrorCode::kCorruption, std::string(what) + ": archive lacks asset.toml or files.json");
  }
  auto parsed = parse_manifest(manifest->data, std::string(what) + ":asset.toml");
  if (!parsed) return tl::unexpected(Error{ErrorCode::kCorruption, parsed.error().message});
  auto list = parse_files_json(files->data, std::string(what) + ":files.json");
  if (!list) return tl::unexpected(list.error());
  p.manifest = std::move(*parsed);
  p.manifest_text = manifest->data;
  p.files = std::move(*list);
  for (const auto& f : p.files) p.total_size += f.size;
  p.archive_bytes = std::string(archive_bytes);
  p.archive_digest = sha256_bytes(archive_bytes);
  return p;
}

}  // namespace reel
