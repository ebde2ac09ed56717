// fuzz_manifest: parse_manifest, asset.toml (DESIGN §2, engine/include/reel/engine/manifest.h).
// Invariant (the header's promise): parse(serialize(m)) == m, field by field ([metadata] compared
// as JSON values), and serializing the re-parsed manifest gives the same text.
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "reel/engine/manifest.h"

using reel::AssetManifest;
using reel::DependencySpec;
using reel::fuzz::check;

namespace {

bool same_deps(const std::vector<DependencySpec>& a, const std::vector<DependencySpec>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].range_text != b[i].range_text || !(a[i].range == b[i].range))
      return false;
  }
  return true;
}

// The first field that differs, or "" when the manifests are equal.
std::string difference(const AssetManifest& a, const AssetManifest& b) {
  if (a.name != b.name) return "name";
  if (!(a.version == b.version) || a.version.to_string() != b.version.to_string()) return "version";
  if (a.type != b.type) return "type";
  if (a.description != b.description) return "description";
  if (a.tags != b.tags) return "tags";
  if (!same_deps(a.dependencies, b.dependencies)) return "dependencies";
  if (a.groups.size() != b.groups.size()) return "dependency-groups";
  for (const auto& [group, deps] : a.groups) {
    auto it = b.groups.find(group);
    if (it == b.groups.end() || !same_deps(deps, it->second)) return "dependency-groups " + group;
  }
  if (a.include != b.include) return "files include";
  if (a.exclude != b.exclude) return "files exclude";
  if (a.env != b.env) return "env";
  auto meta_a = nlohmann::json::parse(a.metadata_json, nullptr, false);
  auto meta_b = nlohmann::json::parse(b.metadata_json, nullptr, false);
  if (meta_a.is_discarded() || meta_a != meta_b)
    return "metadata: " + a.metadata_json + " vs " + b.metadata_json;
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = reel::parse_manifest(reel::fuzz::as_text(data, size), "asset.toml");
  if (!m) return 0;
  const std::string text = reel::serialize_manifest(*m);
  auto back = reel::parse_manifest(text, "serialized.toml");
  check(back.has_value(), "serialize_manifest's text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  const std::string diff = difference(*m, *back);
  check(diff.empty(), "parse(serialize(m)) != m", [&] { return diff + "\n--- text:\n" + text; });
  check(reel::serialize_manifest(*back) == text, "serialize_manifest is not stable",
        [&] { return text; });
  return 0;
}
