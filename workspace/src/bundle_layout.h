// The member paths of a bundle (bundle.h), built and recognised in one place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "reel/engine/names.h"
#include "reel/resolver/version.h"
#include "reel/storage/digest.h"
#include "reel/workspace/bundle.h"

namespace reel::bundle {

inline constexpr std::string_view kRepoJson = "reel-repo.json";

// "index/<lower name>.json".
inline std::string index_member(std::string_view name) {
  return "index/" + lower_name(name) + ".json";
}
// "packages/<lower name>/<Name>-<version>.reel", as a folder repo's publish names it.
inline std::string archive_member(std::string_view name, const Version& version) {
  return "packages/" + lower_name(name) + "/" + std::string(name) + "-" + version.to_string() +
         ".reel";
}
// "objects/sha256/<2 hex>/<62 hex>".
inline std::string object_member(const Digest& digest) {
  std::string hex = digest.hex();
  return "objects/sha256/" + hex.substr(0, 2) + "/" + hex.substr(2);
}

enum class MemberKind { kRepoJson, kIndex, kArchive, kObject, kLock, kConfig };

struct MemberPath {
  MemberKind kind;
  std::string name;  // kIndex, kArchive: the lower-case package name
  Digest digest;     // kObject
};

// What a member path is in the layout, or nullopt if it is not part of it. Only the exact
// spellings export writes are recognised (lower-case names and hex).
inline std::optional<MemberPath> classify_member(std::string_view path) {
  auto lower_package = [](std::string_view name) {
    return check_package_name(name) && lower_name(name) == name;
  };
  auto strip = [](std::string_view& s, std::string_view prefix) {
    if (s.substr(0, prefix.size()) != prefix) return false;
    s.remove_prefix(prefix.size());
    return true;
  };
  if (path == kRepoJson) return MemberPath{MemberKind::kRepoJson, {}, {}};
  if (path == kBundleLockPath) return MemberPath{MemberKind::kLock, {}, {}};
  if (path == kBundleConfigPath) return MemberPath{MemberKind::kConfig, {}, {}};
  std::string_view rest = path;
  if (strip(rest, "index/")) {
    if (rest.size() <= 5 || rest.substr(rest.size() - 5) != ".json") return std::nullopt;
    rest.remove_suffix(5);
    if (!lower_package(rest)) return std::nullopt;
    return MemberPath{MemberKind::kIndex, std::string(rest), {}};
  }
  if (strip(rest, "packages/")) {
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view dir = rest.substr(0, slash), file = rest.substr(slash + 1);
    if (!lower_package(dir) || file.find('/') != std::string_view::npos ||
        file.size() <= dir.size() + 6 ||
        lower_name(file.substr(0, dir.size() + 1)) != std::string(dir) + "-" ||
        file.substr(file.size() - 5) != ".reel") {
      return std::nullopt;
    }
    return MemberPath{MemberKind::kArchive, std::string(dir), {}};
  }
  if (strip(rest, "objects/sha256/")) {
    if (rest.size() != 65 || rest[2] != '/') return std::nullopt;
    std::string hex = std::string(rest.substr(0, 2)) + std::string(rest.substr(3));
    auto digest = Digest::from_hex(hex);
    if (!digest || digest->hex() != hex) return std::nullopt;
    return MemberPath{MemberKind::kObject, {}, *digest};
  }
  return std::nullopt;
}

}  // namespace reel::bundle
