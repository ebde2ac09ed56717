// steps.lock (steps_lock.h): parsed with toml11, written by hand in a stable order.
#include "reel/engine/steps_lock.h"

#include <algorithm>

#include "record_toml.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/engine/step_spec.h"
#include "toml_util.h"

namespace reel {
namespace {

using namespace record_toml;

Result<std::vector<StepFile>> parse_files(const TomlValue& step, std::string_view file,
                                          const std::string& where, const char* key, bool deps) {
  std::vector<StepFile> out;
  if (!step.contains(key)) return out;
  const auto& list = step.at(key);
  if (!list.is_array())
    return tl::unexpected(toml_field_error(list, file, where + " " + key, "expected an array"));
  for (const auto& t : list.as_array()) {
    std::string at = where + " " + key;
    if (!t.is_table()) return tl::unexpected(toml_field_error(t, file, at, "expected a table"));
    REEL_TRY(known_keys(t, file, at, "path sha256 size files version"));
    StepFile f;
    auto path = string_field(t, file, at, "path", true);
    if (!path) return tl::unexpected(path.error());
    auto bad = deps ? step_dep_problem(*path) : step_out_problem(*path);
    if (bad) return tl::unexpected(toml_field_error(t, file, at, "'" + *path + "': " + *bad));
    f.path = *path;
    // A pkg: dependency is recorded by its archive digest and version; a path by its size and
    // file count. Keys of the other kind are refused rather than dropped on the next write.
    const bool package = deps && step_dep_package(*path).has_value();
    static const std::vector<std::string> kPackageOnly{"version"}, kPathOnly{"size", "files"};
    for (const std::string& other : package ? kPathOnly : kPackageOnly) {
      if (t.contains(other))
        return tl::unexpected(
            toml_field_error(t, file, at,
                             "'" + *path + "': " + other + " is not recorded for a " +
                                 (package ? "package dependency" : "file or folder")));
    }
    if (package && !t.contains("version"))
      return tl::unexpected(
          toml_field_error(t, file, at, "'" + *path + "': a package dependency needs its version"));
    auto digest = digest_field(t, file, at, "sha256");
    if (!digest) return tl::unexpected(digest.error());
    f.sha256 = *digest;
    auto size = count_field(t, file, at, "size");
    if (!size) return tl::unexpected(size.error());
    f.size = *size;
    auto files = count_field(t, file, at, "files");
    if (!files) return tl::unexpected(files.error());
    f.files = *files;
    auto version = string_field(t, file, at, "version", false);
    if (!version) return tl::unexpected(version.error());
    f.version = *version;
    out.push_back(std::move(f));
  }
  return out;
}

std::string file_line(const StepFile& f) {
  std::string line =
      "  { path = " + toml_quote(f.path) + ", sha256 = " + toml_quote(f.sha256.hex());
  if (!step_dep_package(f.path)) line += ", size = " + std::to_string(f.size);
  if (f.files) line += ", files = " + std::to_string(f.files);
  if (!f.version.empty()) line += ", version = " + toml_quote(f.version);
  return line + " },\n";
}

bool by_name(const StepRecord& a, const StepRecord& b) {
  return lower_name(a.name) < lower_name(b.name);
}

}  // namespace

const StepRecord* StepsLock::find(std::string_view name) const {
  for (const auto& s : steps) {
    if (lower_name(s.name) == lower_name(name)) return &s;
  }
  return nullptr;
}

void StepsLock::put(StepRecord record) {
  for (auto& s : steps) {
    if (lower_name(s.name) == lower_name(record.name)) {
      s = std::move(record);
      return;
    }
  }
  steps.insert(std::upper_bound(steps.begin(), steps.end(), record, by_name), std::move(record));
}

Result<StepsLock> parse_steps_lock(std::string_view text, std::string_view file) {
  auto parsed = parse_toml(text, file, kMaxManifestBytes);
  if (!parsed) return tl::unexpected(parsed.error());
  const TomlValue& root = *parsed;
  REEL_TRY(check_format(root, file));
  REEL_TRY(known_keys(root, file, "", "version step"));
  StepsLock lock;
  if (!root.contains("step")) return lock;
  const auto& steps = root.at("step");
  if (!steps.is_array())
    return tl::unexpected(toml_field_error(steps, file, "[[step]]", "expected an array of tables"));
  std::size_t i = 0;
  for (const auto& s : steps.as_array()) {
    std::string where = "[[step]] #" + std::to_string(++i);
    if (!s.is_table()) return tl::unexpected(toml_field_error(s, file, where, "expected a table"));
    StepRecord r;
    auto name = string_field(s, file, where, "name", true);
    if (!name) return tl::unexpected(name.error());
    if (auto okname = check_package_name(*name); !okname)
      return tl::unexpected(toml_field_error(s, file, where + " name", okname.error().message));
    r.name = *name;
    where = "[[step]] " + r.name;
    REEL_TRY(known_keys(s, file, where, "name cmd deps outs"));
    auto cmd = string_field(s, file, where, "cmd", true);
    if (!cmd) return tl::unexpected(cmd.error());
    r.cmd = *cmd;
    auto deps = parse_files(s, file, where, "deps", true);
    if (!deps) return tl::unexpected(deps.error());
    r.deps = std::move(*deps);
    auto outs = parse_files(s, file, where, "outs", false);
    if (!outs) return tl::unexpected(outs.error());
    r.outs = std::move(*outs);
    if (lock.find(r.name))
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(file) + ": [[step]] " + r.name + " is listed twice");
    lock.steps.push_back(std::move(r));
  }
  std::sort(lock.steps.begin(), lock.steps.end(), by_name);
  return lock;
}

std::string serialize_steps_lock(const StepsLock& lock) {
  std::string out =
      "# steps.lock: written by `reel build`. What each [[step]] of asset.toml last ran, with the\n"
      "# SHA-256 of what it read (deps) and wrote (outs). Do not edit.\n"
      "version = 1\n";
  std::vector<StepRecord> steps = lock.steps;
  std::sort(steps.begin(), steps.end(), by_name);
  for (const auto& s : steps) {
    out += "\n[[step]]\nname = " + toml_quote(s.name) + "\ncmd = " + toml_quote(s.cmd) + "\n";
    out += "deps = [\n";
    for (const auto& f : s.deps) out += file_line(f);
    out += "]\nouts = [\n";
    for (const auto& f : s.outs) out += file_line(f);
    out += "]\n";
  }
  return out;
}

Digest folder_digest(const std::vector<std::pair<std::string, Digest>>& files) {
  Sha256 h;
  for (const auto& [path, digest] : files) {
    h.update(path);
    h.update(std::string_view("\0", 1));
    h.update(digest.hex());
    h.update("\n");
  }
  return h.finish();
}

}  // namespace reel
