// Outputs: editable assets in outputs/NAME, each a git working tree (outputs.h): new, bump, the git
// state, listing and promote. edit is in outputs_edit.cc; build and publish in outputs_publish.cc.
#include "reel/workspace/outputs.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "git_repo.h"
#include "outputs_common.h"
#include "reel/engine/installable.h"
#include "reel/engine/names.h"
#include "reel/workspace/review.h"

namespace reel {
namespace outputs_detail {

fs::path output_dir(const Workspace& ws, const std::string& name) {
  return ws.outputs_dir() / name;
}

Result<AssetManifest> read_output_manifest(Workspace& ws, const std::string& name) {
  REEL_TRY(check_package_name(name));
  fs::path file = output_dir(ws, name) / "asset.toml";
  FileSystem& fs = ws.context().fs;
  auto st = fs.stat(file);
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kRegular) {
    return make_error(ErrorCode::kNotFound,
                      "no output named '" + name + "' (" + file.string() +
                          " does not exist; create it with `reel new` or `reel edit`)");
  }
  auto text = fs.read_file(file);
  if (!text) return tl::unexpected(text.error());
  auto manifest = parse_manifest(*text, file.string());
  if (!manifest) return manifest;
  if (lower_name(manifest->name) != lower_name(name)) {
    return make_error(ErrorCode::kInvalidArgument, file.string() + ": [asset] name is '" +
                                                       manifest->name +
                                                       "' but the output folder is '" + name + "'");
  }
  return manifest;
}

Status ensure_absent(Workspace& ws, const std::string& name) {
  FileSystem& fs = ws.context().fs;
  auto st = fs.stat(ws.outputs_dir());
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return ok();
  auto entries = fs.list_dir(ws.outputs_dir());
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    if (lower_name(e.name) == lower_name(name)) {
      return make_error(ErrorCode::kAlreadyExists,
                        output_dir(ws, e.name).string() + " already exists");
    }
  }
  return ok();
}

}  // namespace outputs_detail

using outputs_detail::output_dir;
using outputs_detail::read_output_manifest;

namespace {

std::string_view trim_left(std::string_view s) {
  std::size_t i = s.find_first_not_of(" \t");
  return i == std::string_view::npos ? std::string_view() : s.substr(i);
}

// Replaces the value of `version = "..."` under the [asset] table of asset.toml text, leaving every
// other byte (comments, layout, line endings) as it was. nullopt if there is no such line (an
// inline table, a dotted key, ...), for the caller to fall back to re-serialising.
std::optional<std::string> replace_asset_version(std::string_view text,
                                                 const std::string& version) {
  bool in_asset = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim_left(text.substr(pos, end - pos));
    if (!line.empty() && line[0] == '[') {
      std::size_t close = line.find(']');
      std::string_view header = close == std::string_view::npos ? line : line.substr(1, close - 1);
      header = trim_left(header);
      while (!header.empty() && (header.back() == ' ' || header.back() == '\t'))
        header.remove_suffix(1);
      in_asset = line.substr(0, 2) != "[[" && header == "asset";
    } else if (in_asset && line.substr(0, 7) == "version") {
      std::string_view rest = trim_left(line.substr(7));
      if (!rest.empty() && rest[0] == '=') {
        rest = trim_left(rest.substr(1));
        if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
          std::size_t close = rest.find(rest[0], 1);
          if (close == std::string_view::npos) return std::nullopt;
          std::size_t start = static_cast<std::size_t>(rest.data() - text.data()) + 1;
          std::string out(text);
          out.replace(start, close - 1, version);
          return out;
        }
      }
    }
    pos = end + 1;
  }
  return std::nullopt;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Status new_output(Workspace& ws, const std::string& name, const NewOutputOptions& options) {
  REEL_TRY(check_package_name(name));
  REEL_TRY(outputs_detail::ensure_absent(ws, name));
  // One spelling per name (DESIGN §2): `reel new table` where a repo has `Table` would publish as
  // new versions of that other asset. Repos that cannot be read now are left to publish's check.
  for (const auto& rc : ws.config().repos) {
    auto repo = ws.repo(rc.name);
    if (!repo) continue;
    auto index = (*repo)->read_index(name);
    if (index && *index && (*index)->name != name) {
      return tl::unexpected(
          Error{ErrorCode::kConflict, "the repo '" + rc.name + "' already has an asset named '" +
                                          (*index)->name + "'; names compare case-insensitively"}
              .with_hint("`reel edit " + (*index)->name + "` to work on it, or choose another name"));
    }
  }
  AssetManifest m;
  m.name = name;
  m.version = options.version;
  m.type = options.type;
  FileSystem& fs = ws.context().fs;
  fs::path dir = output_dir(ws, name);
  REEL_TRY(fs.create_directories(dir));
  REEL_TRY(fs.write_file_atomic(dir / "asset.toml", serialize_manifest(m), true));
  auto commit = git::init_and_commit_all(dir, "reel new " + name);
  if (!commit) return tl::unexpected(commit.error());
  return ok();
}

// node-semver's inc() for major/minor/patch/prerelease: a prerelease of the target release bumps
// to that release; `pre` increments the last numeric identifier, or appends ".0" if there is none.
Version bump_version(const Version& v, BumpPart part) {
  switch (part) {
    case BumpPart::kMajor:
      if (v.is_prerelease() && v.minor() == 0 && v.patch() == 0) return v.release();
      return Version(v.major() + 1, 0, 0);
    case BumpPart::kMinor:
      if (v.is_prerelease() && v.patch() == 0) return v.release();
      return Version(v.major(), v.minor() + 1, 0);
    case BumpPart::kPatch:
      if (v.is_prerelease()) return v.release();
      return Version(v.major(), v.minor(), v.patch() + 1);
    case BumpPart::kPre: {
      if (!v.is_prerelease()) {
        Version next(v.major(), v.minor(), v.patch() + 1);
        next.set_prerelease({"0"});
        return next;
      }
      std::vector<std::string> ids = v.prerelease();
      auto numeric = std::find_if(ids.rbegin(), ids.rend(), [](const std::string& id) {
        return all_digits(id) && id.size() < 19;  // fits a uint64 with room to add one
      });
      if (numeric != ids.rend()) {
        *numeric = std::to_string(std::stoull(*numeric) + 1);
      } else {
        ids.push_back("0");
      }
      Version next = v.release();
      next.set_prerelease(std::move(ids));
      return next;
    }
  }
  return v;
}

Result<Version> bump_output(Workspace& ws, const std::string& name, BumpPart part) {
  auto m = read_output_manifest(ws, name);
  if (!m) return tl::unexpected(m.error());
  FileSystem& fs = ws.context().fs;
  fs::path file = output_dir(ws, name) / "asset.toml";
  auto text = fs.read_file(file);
  if (!text) return tl::unexpected(text.error());
  AssetManifest wanted = *m;
  wanted.version = bump_version(m->version, part);
  std::string expected = serialize_manifest(wanted);
  // Edit the version in place (keeps comments and layout) when the result means exactly `wanted`;
  // otherwise write the manifest out again.
  std::string out = expected;
  if (auto edited = replace_asset_version(*text, wanted.version.to_string())) {
    auto check = parse_manifest(*edited, file.string());
    if (check && serialize_manifest(*check) == expected) out = std::move(*edited);
  }
  REEL_TRY(fs.write_file_atomic(file, out, true));
  return wanted.version;
}

Result<OutputSource> output_source(Workspace& ws, const std::string& name) {
  REEL_TRY(check_package_name(name));
  auto s = git::state(output_dir(ws, name));
  if (!s) return tl::unexpected(s.error());
  return OutputSource{s->head, s->dirty, s->changed, s->changed_count};
}

Result<std::vector<std::string>> list_outputs(Workspace& ws) {
  std::vector<std::string> out;
  FileSystem& fs = ws.context().fs;
  auto st = fs.stat(ws.outputs_dir());
  if (!st) return tl::unexpected(st.error());
  if (st->type != FileType::kDirectory) return out;
  auto entries = fs.list_dir(ws.outputs_dir());
  if (!entries) return tl::unexpected(entries.error());
  for (const auto& e : *entries) {
    if (e.type != FileType::kDirectory || !check_package_name(e.name)) continue;  // temp folders
    auto m = fs.stat(ws.outputs_dir() / e.name / "asset.toml");
    if (!m) return tl::unexpected(m.error());
    if (m->type == FileType::kRegular) out.push_back(e.name);
  }
  return out;
}

Result<std::vector<std::string>> publish_order(Workspace& ws,
                                               const std::vector<std::string>& names) {
  std::map<std::string, std::string> by_lower;  // lower -> name as given
  for (const auto& n : names) by_lower[lower_name(n)] = n;
  std::map<std::string, std::set<std::string>> needs;  // lower -> lower names it waits for
  for (const auto& entry : by_lower) {
    const std::string& key = entry.first;  // not a structured binding: clang 14's lambdas
    auto m = outputs_detail::read_output_manifest(ws, entry.second);
    if (!m) return tl::unexpected(m.error());
    auto add = [&](const std::vector<DependencySpec>& deps) {
      for (const auto& d : deps) {
        const std::string dep = lower_name(d.name);
        if (dep != key && by_lower.count(dep)) needs[key].insert(dep);
      }
    };
    add(m->dependencies);
    for (const auto& [group, deps] : m->groups) add(deps);
  }
  std::vector<std::string> out;
  std::set<std::string> done;
  while (done.size() < by_lower.size()) {
    bool progressed = false;
    for (const auto& [key, n] : by_lower) {  // by name: ties are alphabetical
      if (done.count(key)) continue;
      bool ready = true;
      for (const auto& dep : needs[key]) ready = ready && done.count(dep);
      if (!ready) continue;
      out.push_back(n);
      done.insert(key);
      progressed = true;
    }
    if (!progressed) {  // a cycle: the rest, by name
      for (const auto& [key, n] : by_lower)
        if (done.insert(key).second) out.push_back(n);
    }
  }
  return out;
}

namespace {

// Whether `name` `version` (an entry of `source`) resolves against `target` alone; the
// explanation when it does not.
Result<Installability> installable_in(Repo& target, const std::string& to, const IndexEntry& entry,
                                      const std::string& label) {
  return check_installable({{to, &target}}, label, entry.dependencies, entry.groups);
}

// The index entry of `name` `version` in `repo`, or kNotFound naming the repo.
Result<IndexEntry> entry_in(Repo& repo, const std::string& repo_name, const std::string& name,
                            const Version& version) {
  auto index = repo.read_index(name);
  if (!index) return tl::unexpected(index.error());
  const IndexEntry* e = *index ? (*index)->find(version) : nullptr;
  if (!e) {
    return make_error(ErrorCode::kNotFound, name + " " + version.to_string() +
                                                " is not published in repo '" + repo_name + "'");
  }
  return *e;
}

// The audit record of promoting `entry` (of `label`, in repo `from`), or kConflict when it is
// not approved and not `force`d.
Result<AuditInfo> promote_audit(Context& context, const IndexEntry& entry,
                                const std::string& label, const std::string& from, bool force) {
  AuditInfo audit{audit_actor(context), format_rfc3339_utc(context.clock.now_unix_seconds()),
                  "promote", ""};
  const ReviewRecord& review = entry.review.current;
  if (review.state == ReviewState::kApproved) return audit;
  const std::string state(review_state_name(review.state));
  if (!force) {
    return tl::unexpected(
        Error{ErrorCode::kConflict,
              "cannot promote " + label + ": it is " + state + " in repo '" + from + "'" +
                  (review.note.empty() ? std::string() : " (" + review.note + ")")}
            .with_hint(review.state == ReviewState::kPending
                           ? "approve it first: `reel review approve " +
                                 label.substr(0, label.find(' ')) +
                                 "==" + entry.version.to_string() + " --repo " + from +
                                 "`; or pass --force (recorded in the audit log)"
                           : "publish a fixed version and approve it; or pass --force "
                             "(recorded in the audit log)"));
  }
  audit.note = "forced: " + label + " was " + state + " in '" + from + "'";
  return audit;
}

}  // namespace

Result<std::vector<std::string>> promote_version(Workspace& ws, const std::string& name,
                                                 const Version& version, const std::string& from,
                                                 const std::string& to, bool with_deps,
                                                 bool force) {
  REEL_TRY(check_package_name(name));
  auto a = ws.repo(from);
  if (!a) return tl::unexpected(a.error());
  auto b = ws.repo(to);
  if (!b) return tl::unexpected(b.error());
  if (*a == *b) {
    return make_error(ErrorCode::kInvalidArgument,
                      "promote: --from and --to name the same repo '" + from + "'");
  }
  auto result = promote_between(**a, from, **b, to, name, version, with_deps, force, ws.context());
  if (!result) return tl::unexpected(result.error());
  return std::move(result->dependencies);
}

Result<PromoteResult> promote_between(Repo& source, const std::string& from, Repo& target,
                                      const std::string& to, const std::string& name,
                                      const Version& version, bool with_deps, bool force,
                                      Context& context) {
  ObjectStore& staging = context.cache.objects();
  REEL_TRY(check_package_name(name));
  const std::string label = name + " " + version.to_string();
  auto entry = entry_in(source, from, name, version);
  if (!entry) return tl::unexpected(entry.error());
  PromoteResult result;
  {
    auto there = target.read_index(name);
    if (!there) return tl::unexpected(there.error());
    const IndexEntry* present = *there ? (*there)->find(version) : nullptr;
    if (present && present->archive.sha256 == entry->archive.sha256) {
      result.already_present = true;
      return result;
    }
  }
  auto audit = promote_audit(context, *entry, label, from, force);
  if (!audit) return tl::unexpected(audit.error());
  std::vector<std::string>& promoted = result.dependencies;
  auto check = installable_in(target, to, *entry, label);
  if (!check) return tl::unexpected(check.error());
  if (!check->explanation.empty()) {
    // What it needs from `from`: its closure resolved against `to` first (what is there already
    // is used), then `from`.
    auto closure = check_installable({{to, &target}, {from, &source}}, label, entry->dependencies,
                                     entry->groups);
    if (!closure) return tl::unexpected(closure.error());
    std::vector<std::pair<std::string, Version>> missing;
    for (const auto& [dep, where] : closure->closure)
      if (where.second == from) missing.emplace_back(dep, where.first);
    if (!with_deps || missing.empty()) {
      std::string list;
      for (const auto& [dep, v] : missing) list += (list.empty() ? "" : ", ") + dep + " " + v.to_string();
      return tl::unexpected(
          Error{ErrorCode::kConflict,
                "cannot promote " + label + " to '" + to + "': its dependencies cannot be "
                "installed from '" + to + "' alone:\n" + check->explanation}
              .with_hint(missing.empty()
                             ? "its dependencies cannot be resolved against '" + from + "' either"
                             : "promote first " + list + " (or pass --with-deps)"));
    }
    // Dependencies before dependents: promote each missing version once everything it needs is
    // in `to`, until none is left.
    while (!missing.empty()) {
      bool progressed = false;
      for (auto it = missing.begin(); it != missing.end();) {
        auto dep_entry = entry_in(source, from, it->first, it->second);
        if (!dep_entry) return tl::unexpected(dep_entry.error());
        const std::string dep_label = it->first + " " + it->second.to_string();
        auto ready = installable_in(target, to, *dep_entry, dep_label);
        if (!ready) return tl::unexpected(ready.error());
        if (!ready->explanation.empty()) {
          ++it;
          continue;
        }
        auto dep_audit = promote_audit(context, *dep_entry, dep_label, from, force);
        if (!dep_audit) return tl::unexpected(dep_audit.error());
        REEL_TRY(promote(source, target, it->first, it->second, staging, *dep_audit));
        promoted.push_back(dep_label);
        it = missing.erase(it);
        progressed = true;
      }
      if (!progressed) {
        return make_error(ErrorCode::kConflict, "cannot promote the dependencies of " + label +
                                                    " to '" + to + "' in any order");
      }
    }
  }
  REEL_TRY(promote(source, target, name, version, staging, *audit));
  return result;
}

}  // namespace reel
