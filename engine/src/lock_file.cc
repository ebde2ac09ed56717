// reel.lock (DESIGN §2): parsed with toml11, written by hand in a stable order.
#include "reel/engine/lock_file.h"

#include <algorithm>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "toml_util.h"

namespace reel {

const LockedPackage* LockFile::find(std::string_view name) const {
  std::string key = lower_name(name);
  for (const auto& p : packages) {
    if (lower_name(p.name) == key) return &p;
  }
  return nullptr;
}

Result<LockFile> parse_lock_file(std::string_view text, std::string_view file) {
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
  if (before) {
    for (const auto& old : before->packages) {
      const LockedPackage* now = after.find(old.name);
      if (now == nullptr) {
        out.push_back({LockChange::Kind::kRemoved, old.name, old.version, std::nullopt});
      } else if (now->version != old.version || now->archive != old.archive ||
                 now->repo != old.repo) {
        out.push_back({LockChange::Kind::kUpdated, now->name, old.version, now->version});
      }
    }
  }
  for (const auto& now : after.packages) {
    if (before == nullptr || before->find(now.name) == nullptr)
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
