// fuzz_workspace_config: parse_workspace_config, workspace.toml (DESIGN §2,
// workspace/include/reel/workspace/config.h).
// Invariant (the header's promise): parse(serialize(c)) gives c back, field by field, and
// serializing it again gives the same text.
#include "fuzz_check.h"
#include "reel/workspace/config.h"

using reel::WorkspaceConfig;
using reel::fuzz::check;

namespace {

// The first field that differs, or "" when the configs are equal.
std::string difference(const WorkspaceConfig& a, const WorkspaceConfig& b) {
  if (a.name != b.name) return "[workspace] name";
  if (a.link_mode != b.link_mode) return "[workspace] link-mode";
  if (a.repos.size() != b.repos.size()) return "[[repo]] count";
  for (std::size_t i = 0; i < a.repos.size(); ++i) {
    const auto& x = a.repos[i];
    const auto& y = b.repos[i];
    if (x.name != y.name || x.url != y.url || x.blessed != y.blessed ||
        x.is_default != y.is_default || x.token_file != y.token_file || x.ca_file != y.ca_file)
      return "[[repo]] #" + std::to_string(i + 1);
  }
  if (a.requirements != b.requirements) return "[requirements]";
  if (a.sources != b.sources) return "[sources]";
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto c = reel::parse_workspace_config(reel::fuzz::as_text(data, size), "workspace.toml");
  if (!c) return 0;
  const std::string text = reel::serialize_workspace_config(*c);
  auto back = reel::parse_workspace_config(text, "serialized.toml");
  check(back.has_value(), "serialize_workspace_config's text does not parse",
        [&] { return back.error().message + "\n--- text:\n" + text; });
  const std::string diff = difference(*c, *back);
  check(diff.empty(), "parse(serialize(c)) != c", [&] { return diff + "\n--- text:\n" + text; });
  check(reel::serialize_workspace_config(*back) == text, "serialize_workspace_config is not stable",
        [&] { return text; });
  return 0;
}
