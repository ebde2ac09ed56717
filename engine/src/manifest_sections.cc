// asset.toml's [env], [scripts] and [[step]] (manifest_sections.h).
#include "manifest_sections.h"

#include <algorithm>
#include <set>

#include "reel/engine/names.h"

namespace reel {
namespace {

// The entries of a table in file order (toml11 keeps them in a std::map, sorted by key).
std::vector<std::pair<std::string, const TomlValue*>> in_file_order(const TomlValue& table) {
  std::vector<std::pair<std::string, const TomlValue*>> out;
  for (const auto& [k, v] : table.as_table()) out.emplace_back(k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    auto la = a.second->location(), lb = b.second->location();
    if (la.line() != lb.line()) return la.line() < lb.line();
    return la.column() < lb.column();
  });
  return out;
}

Result<std::string> template_string(const TomlValue& v, std::string_view file,
                                    const std::string& field, std::string_view what) {
  if (!v.is_string()) return tl::unexpected(toml_field_error(v, file, field, what));
  std::string s = v.as_string().str;
  if (auto bad = env_template_problem(s))
    return tl::unexpected(toml_field_error(v, file, field, *bad));
  return s;
}

// A string, or an array of one or more strings, each a checked template.
Result<std::vector<std::string>> template_list(const TomlValue& v, std::string_view file,
                                               const std::string& field) {
  constexpr std::string_view what = "expected a string or an array of strings";
  std::vector<std::string> out;
  if (v.is_array()) {
    if (v.as_array().empty())
      return tl::unexpected(toml_field_error(v, file, field, "an empty array: nothing to add"));
    for (const auto& x : v.as_array()) {
      auto s = template_string(x, file, field, what);
      if (!s) return tl::unexpected(s.error());
      out.push_back(*s);
    }
    return out;
  }
  auto s = template_string(v, file, field, what);
  if (!s) return tl::unexpected(s.error());
  out.push_back(*s);
  return out;
}

Status parse_env_operations(const std::string& name, const TomlValue& table, std::string_view file,
                            const std::string& field, std::vector<EnvEntry>& out) {
  const auto& t = table.as_table();
  if (t.empty())
    return tl::unexpected(toml_field_error(
        table, file, field, "an empty table: expected prepend, append, set or unset"));
  for (const auto& [op, value] : t) {
    if (op != "prepend" && op != "append" && op != "set" && op != "unset") {
      return tl::unexpected(toml_field_error(
          value, file, field,
          "unknown operation '" + op + "' (expected prepend, append, set or unset)"));
    }
  }
  bool exclusive = t.count("set") || t.count("unset");
  if (exclusive && t.size() > 1) {
    return tl::unexpected(toml_field_error(
        table, file, field, "set and unset stand alone (only prepend and append combine)"));
  }
  if (t.count("set")) {
    auto s = template_string(t.at("set"), file, field + ".set", "expected a string");
    if (!s) return tl::unexpected(s.error());
    out.push_back(EnvEntry{name, EnvAction::kSet, {*s}});
    return ok();
  }
  if (t.count("unset")) {
    const auto& u = t.at("unset");
    if (!u.is_boolean() || !u.as_boolean())
      return tl::unexpected(toml_field_error(u, file, field + ".unset", "expected true"));
    out.push_back(EnvEntry{name, EnvAction::kUnset, {}});
    return ok();
  }
  for (const char* op : {"prepend", "append"}) {
    if (!t.count(op)) continue;
    auto values = template_list(t.at(op), file, field + "." + op);
    if (!values) return tl::unexpected(values.error());
    out.push_back(
        EnvEntry{name, std::string_view(op) == "prepend" ? EnvAction::kPrepend : EnvAction::kAppend,
                 *values});
  }
  return ok();
}

Result<std::vector<std::string>> string_list(const TomlValue& v, std::string_view file,
                                             const std::string& field) {
  if (!v.is_array())
    return tl::unexpected(toml_field_error(v, file, field, "expected an array of strings"));
  std::vector<std::string> out;
  for (const auto& x : v.as_array()) {
    if (!x.is_string())
      return tl::unexpected(toml_field_error(x, file, field, "expected an array of strings"));
    out.push_back(x.as_string().str);
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_quote(items[i]);
  return out + "]";
}

Result<StepSpec> parse_step(const TomlValue& t, std::size_t index, std::string_view file) {
  std::string field = "[[step]] #" + std::to_string(index + 1);
  if (!t.is_table()) return tl::unexpected(toml_field_error(t, file, field, "expected a table"));
  StepSpec step;
  const auto& table = t.as_table();
  if (table.count("name")) {
    const auto& n = table.at("name");
    if (!n.is_string())
      return tl::unexpected(toml_field_error(n, file, field + " name", "expected a string"));
    step.name = n.as_string().str;
    auto ok_name = check_package_name(step.name);
    if (!ok_name) {
      return tl::unexpected(toml_field_error(
          n, file, field + " name",
          "a step name is 1-64 of [A-Za-z0-9._-], starting alphanumeric ('" + step.name + "')"));
    }
    field = "[[step]] " + step.name;
  } else {
    return tl::unexpected(toml_field_error(t, file, field, "missing name"));
  }
  for (const auto& [key, value] : table) {
    if (key == "name") continue;
    if (key == "cmd") {
      if (!value.is_string() || value.as_string().str.empty())
        return tl::unexpected(
            toml_field_error(value, file, field + " cmd", "expected a non-empty string"));
      step.cmd = value.as_string().str;
    } else if (key == "deps" || key == "outs") {
      auto list = string_list(value, file, field + " " + key);
      if (!list) return tl::unexpected(list.error());
      for (const auto& item : *list) {
        auto bad = key == "deps" ? step_dep_problem(item) : step_out_problem(item);
        if (bad)
          return tl::unexpected(
              toml_field_error(value, file, field + " " + key, "'" + item + "': " + *bad));
      }
      (key == "deps" ? step.deps : step.outs) = *list;
    } else {
      return tl::unexpected(toml_field_error(value, file, field + " " + key,
                                             "unknown key (expected name, cmd, deps or outs)"));
    }
  }
  if (step.cmd.empty()) return tl::unexpected(toml_field_error(t, file, field, "missing cmd"));
  return step;
}

}  // namespace

Result<std::vector<EnvEntry>> parse_env_section(const TomlValue& env, std::string_view file) {
  if (!env.is_table())
    return tl::unexpected(toml_field_error(env, file, "[env]", "expected a table"));
  std::vector<EnvEntry> out;
  for (const auto& [name, value] : in_file_order(env)) {
    std::string field = "[env] " + name;
    if (auto bad = env_name_problem(name))
      return tl::unexpected(toml_field_error(*value, file, field, *bad));
    if (value->is_string()) {
      auto s = template_string(*value, file, field, "expected a string");
      if (!s) return tl::unexpected(s.error());
      out.push_back(EnvEntry{name, EnvAction::kSet, {*s}});
    } else if (value->is_table()) {
      REEL_TRY(parse_env_operations(name, *value, file, field, out));
    } else {
      return tl::unexpected(
          toml_field_error(*value, file, field,
                           "expected a string (a set) or a table of operations: { prepend = ... }, "
                           "{ append = ... }, { set = ... } or { unset = true }"));
    }
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_scripts_section(
    const TomlValue& scripts, std::string_view file) {
  if (!scripts.is_table())
    return tl::unexpected(toml_field_error(scripts, file, "[scripts]", "expected a table"));
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& [name, value] : scripts.as_table()) {
    std::string field = "[scripts] " + name;
    if (!check_package_name(name)) {
      return tl::unexpected(toml_field_error(
          value, file, field, "a script name is 1-64 of [A-Za-z0-9._-], starting alphanumeric"));
    }
    if (!seen.insert(lower_name(name)).second)
      return tl::unexpected(toml_field_error(value, file, field,
                                             "listed twice (names compare "
                                             "case-insensitively)"));
    if (!value.is_string() || value.as_string().str.empty())
      return tl::unexpected(toml_field_error(value, file, field, "expected a non-empty string"));
    out.emplace_back(name, value.as_string().str);
  }
  return out;
}

Result<std::vector<StepSpec>> parse_steps_section(const TomlValue& steps, std::string_view file) {
  if (!steps.is_array())
    return tl::unexpected(
        toml_field_error(steps, file, "[[step]]", "expected an array of tables ([[step]])"));
  std::vector<StepSpec> out;
  std::set<std::string> seen;
  const auto& array = steps.as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    auto step = parse_step(array[i], i, file);
    if (!step) return tl::unexpected(step.error());
    if (!seen.insert(lower_name(step->name)).second) {
      return tl::unexpected(toml_field_error(array[i], file, "[[step]] " + step->name,
                                             "a second step with this name"));
    }
    out.push_back(std::move(*step));
  }
  auto order = step_order(out);
  if (!order) return tl::unexpected(order.error().with_context(std::string(file) + ": [[step]]"));
  return out;
}

std::string serialize_env_section(const std::vector<EnvEntry>& env) {
  if (env.empty()) return "";
  std::string out = "\n[env]\n";
  for (std::size_t i = 0; i < env.size(); ++i) {
    const EnvEntry& e = env[i];
    auto values = [](const std::vector<std::string>& v) {
      return v.size() == 1 ? toml_quote(v[0]) : quoted_list(v);
    };
    std::string line = toml_key(e.name) + " = ";
    switch (e.action) {
      case EnvAction::kSet:
        line += toml_quote(e.values.empty() ? std::string() : e.values[0]);
        break;
      case EnvAction::kUnset:
        line += "{ unset = true }";
        break;
      case EnvAction::kAppend:
        line += "{ append = " + values(e.values) + " }";
        break;
      case EnvAction::kPrepend:
        line += "{ prepend = " + values(e.values);
        if (i + 1 < env.size() && env[i + 1].name == e.name &&
            env[i + 1].action == EnvAction::kAppend) {
          line += ", append = " + values(env[++i].values);
        }
        line += " }";
        break;
    }
    out += line + "\n";
  }
  return out;
}

std::string serialize_scripts_section(const std::vector<std::pair<std::string, std::string>>& s) {
  if (s.empty()) return "";
  std::string out = "\n[scripts]\n";
  for (const auto& [name, cmd] : s) out += toml_key(name) + " = " + toml_quote(cmd) + "\n";
  return out;
}

std::string serialize_steps_section(const std::vector<StepSpec>& steps) {
  std::string out;
  for (const auto& s : steps) {
    out += "\n[[step]]\nname = " + toml_quote(s.name) + "\ncmd = " + toml_quote(s.cmd) + "\n";
    if (!s.deps.empty()) out += "deps = " + quoted_list(s.deps) + "\n";
    if (!s.outs.empty()) out += "outs = " + quoted_list(s.outs) + "\n";
  }
  return out;
}

}  // namespace reel
