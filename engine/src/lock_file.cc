// reel.lock (DESIGN §2): written by hand in a stable order; read back by a fast path for exactly
// that shape (checked by writing it again: the bytes must be the same), else parsed with toml11.
#include "reel/engine/lock_file.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "toml_util.h"

namespace reel {

const LockedPackage* LockFile::find(std::string_view name) const {
  for (const auto& p : packages) {
    if (same_name(p.name, name)) return &p;
  }
  return nullptr;
}

namespace {

// One line `KEY = "VALUE"` with no escapes, or nullopt. `key` empty: any bare key, returned in
// `key_out`.
std::optional<std::string> quoted_value(std::string_view line, std::string_view key,
                                        std::string* key_out = nullptr) {
  std::size_t eq = line.find(" = \"");
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  std::string_view k = line.substr(0, eq);
  if (!key.empty() && k != key) return std::nullopt;
  for (char c : k)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return std::nullopt;
  std::string_view v = line.substr(eq + 4);
  if (v.size() < 1 || v.back() != '"') return std::nullopt;
  v.remove_suffix(1);
  for (char c : v)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
  if (key_out) *key_out = std::string(k);
  return std::string(v);
}

// reel.lock as serialize_lock_file writes it, read without a TOML parser (a 658-package lock
// costs toml11 ~100 ms, the whole budget of a no-op sync). nullopt for anything else, which the
// caller then parses with toml11 (and its error messages).
std::optional<LockFile> parse_lock_fast(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) return std::nullopt;  // the writer ends every line
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  std::size_t i = 0;
  auto next = [&]() -> std::optional<std::string_view> {
    if (i >= lines.size()) return std::nullopt;
    return lines[i++];
  };
  if (next() != std::optional<std::string_view>("version = 1") ||
      next() != std::optional<std::string_view>("") ||
      next() != std::optional<std::string_view>("[requirements]"))
    return std::nullopt;
  LockFile lock;
  while (i < lines.size() && !lines[i].empty()) {
    std::string name;
    auto range = quoted_value(lines[i++], "", &name);
    if (!range) return std::nullopt;
    lock.requirements.emplace_back(name, *range);
  }
  while (i < lines.size()) {
    if (next() != std::optional<std::string_view>("") ||
        next() != std::optional<std::string_view>("[[package]]") || i + 5 > lines.size())
      return std::nullopt;
    auto name = quoted_value(lines[i++], "name");
    auto version = quoted_value(lines[i++], "version");
    auto repo = quoted_value(lines[i++], "repo");
    auto archive = quoted_value(lines[i++], "archive");
    if (!name || !version || !repo || !archive || !check_package_name(*name)) return std::nullopt;
    auto v = Version::parse(*version);
    auto d = Digest::from_prefixed(*archive);
    if (!v || !d) return std::nullopt;
    LockedPackage lp{*name, *v, *repo, *d, {}};
    std::string_view deps = lines[i++];
    if (deps.substr(0, 16) != "dependencies = [" || deps.back() != ']') return std::nullopt;
    deps = deps.substr(16, deps.size() - 17);
    while (!deps.empty()) {
      if (deps.front() != '"') return std::nullopt;
      std::size_t end = deps.find('"', 1);
      if (end == std::string_view::npos) return std::nullopt;
      lp.dependencies.emplace_back(deps.substr(1, end - 1));
      deps.remove_prefix(end + 1);
      if (deps.substr(0, 2) == ", ")
        deps.remove_prefix(2);
      else if (!deps.empty())
        return std::nullopt;
    }
    lock.packages.push_back(std::move(lp));
  }
  return lock;
}

}  // namespace

Result<LockFile> parse_lock_file(std::string_view text, std::string_view file) {
  if (auto fast = parse_lock_fast(text)) {
    // Exactly what reel writes for it (sorted, no escapes, nothing else): the same answer as
    // toml11's. A name listed twice is left to the full parse's error.
    bool twice = false;
    for (std::size_t i = 1; i < fast->packages.size(); ++i)
      twice = twice || lower_name(fast->packages[i].name) == lower_name(fast->packages[i - 1].name);
    if (!twice && serialize_lock_file(*fast) == text) return std::move(*fast);
  }
  auto parsed = parse_toml(text, file, kMaxLockBytes);
  if (!parsed) return tl::unexpected(parsed.error());
  const TomlValue& root = *parsed;
  LockFile lock;
  if (!root.contains("version") || !root.at("version").is_integer() ||
      root.at("version").as_integer() != 1) {
    return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": version: expected 1");
  }
  for (const auto& [key, value] : root.as_table()) {
    if (key != "version" && key != "requirements" && key != "package") {
      return tl::unexpected(toml_field_error(
          value, file, key, "unknown key (expected version, requirements or package)"));
    }
  }
  if (root.contains("requirements")) {
    const auto& req = root.at("requirements");
    if (!req.is_table())
      return tl::unexpected(toml_field_error(req, file, "[requirements]", "expected a table"));
    for (const auto& [name, value] : req.as_table()) {
      if (!value.is_string())
        return tl::unexpected(
            toml_field_error(value, file, "[requirements] " + name, "expected a string"));
      lock.requirements.emplace_back(name, value.as_string().str);
    }
  }
  if (root.contains("package")) {
    const auto& packages = root.at("package");
    if (!packages.is_array())
      return tl::unexpected(
          toml_field_error(packages, file, "[[package]]", "expected an array of tables"));
    std::size_t i = 0;
    for (const auto& p : packages.as_array()) {
      std::string where = "[[package]] #" + std::to_string(++i);
      if (!p.is_table())
        return tl::unexpected(toml_field_error(p, file, where, "expected a table"));
      auto str = [&](const char* key) -> Result<std::string> {
        if (!p.contains(key) || !p.at(key).is_string()) {
          return tl::unexpected(toml_field_error(p, file, where + " " + key, "expected a string"));
        }
        return p.at(key).as_string().str;
      };
      LockedPackage lp;
      auto name = str("name");
      if (!name) return tl::unexpected(name.error());
      if (auto okname = check_package_name(*name); !okname)
        return tl::unexpected(toml_field_error(p, file, where + " name", okname.error().message));
      lp.name = *name;
      where = "[[package]] " + lp.name;
      auto version = str("version");
      if (!version) return tl::unexpected(version.error());
      auto v = Version::parse(*version);
      if (!v)
        return tl::unexpected(toml_field_error(p, file, where + " version", v.error().to_string()));
      lp.version = *v;
      auto repo = str("repo");
      if (!repo) return tl::unexpected(repo.error());
      lp.repo = *repo;
      auto archive = str("archive");
      if (!archive) return tl::unexpected(archive.error());
      auto d = Digest::from_prefixed(*archive);
      if (!d)
        return tl::unexpected(toml_field_error(p, file, where + " archive", d.error().message));
      lp.archive = *d;
      if (p.contains("dependencies")) {
        const auto& deps = p.at("dependencies");
        if (!deps.is_array())
          return tl::unexpected(
              toml_field_error(deps, file, where + " dependencies", "expected an array of names"));
        for (const auto& x : deps.as_array()) {
          if (!x.is_string())
            return tl::unexpected(
                toml_field_error(x, file, where + " dependencies", "expected an array of names"));
          lp.dependencies.push_back(x.as_string().str);
        }
      }
      lock.packages.push_back(std::move(lp));
    }
  }
  auto by_lower = [](const std::string& a, const std::string& b) {
    return lower_name(a) < lower_name(b);
  };
  std::sort(lock.requirements.begin(), lock.requirements.end(),
            [&](const auto& a, const auto& b) { return by_lower(a.first, b.first); });
  std::sort(lock.packages.begin(), lock.packages.end(),
            [&](const auto& a, const auto& b) { return by_lower(a.name, b.name); });
  for (std::size_t i = 1; i < lock.packages.size(); ++i) {
    if (lower_name(lock.packages[i].name) == lower_name(lock.packages[i - 1].name)) {
      return make_error(
          ErrorCode::kInvalidArgument,
          std::string(file) + ": [[package]] " + lock.packages[i].name + " is listed twice");
    }
  }
  for (auto& p : lock.packages) std::sort(p.dependencies.begin(), p.dependencies.end(), by_lower);
  return lock;
}

std::string serialize_lock_file(const LockFile& lock) {
  auto by_lower = [](const std::string& a, const std::string& b) {
    return lower_name(a) < lower_name(b);
  };
  std::string out = "version = 1\n\n[requirements]\n";
  auto reqs = lock.requirements;
  std::sort(reqs.begin(), reqs.end(),
            [&](const auto& a, const auto& b) { return by_lower(a.first, b.first); });
  for (const auto& [name, range] : reqs) out += toml_key(name) + " = " + toml_quote(range) + "\n";
  auto packages = lock.packages;
  std::sort(packages.begin(), packages.end(),
            [&](const auto& a, const auto& b) { return by_lower(a.name, b.name); });
  for (auto& p : packages) {
    std::sort(p.dependencies.begin(), p.dependencies.end(), by_lower);
    out += "\n[[package]]\n";
    out += "name = " + toml_quote(p.name) + "\n";
    out += "version = " + toml_quote(p.version.to_string()) + "\n";
    out += "repo = " + toml_quote(p.repo) + "\n";
    out += "archive = " + toml_quote(p.archive.prefixed()) + "\n";
    out += "dependencies = [";
    for (std::size_t i = 0; i < p.dependencies.size(); ++i)
      out += (i ? ", " : "") + toml_quote(p.dependencies[i]);
    out += "]\n";
  }
  return out;
}

std::vector<LockChange> diff_locks(const LockFile* before, const LockFile& after) {
  std::vector<LockChange> out;
  // By lower name, once: LockFile::find is linear, and a lock of 658 packages made this O(n²).
  auto by_name = [](const LockFile& lock) {
    std::unordered_map<std::string, const LockedPackage*> map;
    map.reserve(lock.packages.size());
    for (const auto& p : lock.packages) map.emplace(lower_name(p.name), &p);
    return map;
  };
  const auto after_by_name = by_name(after);
  const auto before_by_name =
      before ? by_name(*before) : std::unordered_map<std::string, const LockedPackage*>{};
  if (before) {
    for (const auto& old : before->packages) {
      auto found = after_by_name.find(lower_name(old.name));
      const LockedPackage* now = found == after_by_name.end() ? nullptr : found->second;
      if (now == nullptr) {
        out.push_back({LockChange::Kind::kRemoved, old.name, old.version, std::nullopt});
      } else if (now->version != old.version || now->archive != old.archive ||
                 now->repo != old.repo) {
        out.push_back({LockChange::Kind::kUpdated, now->name, old.version, now->version});
      }
    }
  }
  for (const auto& now : after.packages) {
    if (before == nullptr || !before_by_name.count(lower_name(now.name)))
      out.push_back({LockChange::Kind::kAdded, now.name, std::nullopt, now.version});
  }
  std::sort(out.begin(), out.end(), [](const LockChange& a, const LockChange& b) {
    return lower_name(a.name) < lower_name(b.name);
  });
  return out;
}

std::string describe(const LockChange& change) {
  switch (change.kind) {
    case LockChange::Kind::kAdded:
      return "Added " + change.name + " " + change.to->to_string();
    case LockChange::Kind::kRemoved:
      return "Removed " + change.name + " " + change.from->to_string();
    case LockChange::Kind::kUpdated:
      break;
  }
  if (*change.from == *change.to)
    return "Updated " + change.name + " " + change.to->to_string() + " (another archive)";
  return "Updated " + change.name + " " + change.from->to_string() + " -> " +
         change.to->to_string();
}

}  // namespace reel
