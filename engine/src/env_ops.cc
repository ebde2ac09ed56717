// [env] operations and their composition (env_ops.h).
#include "reel/engine/env_ops.h"

#include <set>

namespace reel {
namespace {

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

// Walks a template, calling `literal` for plain text, `root` for {root} and `variable` for
// ${NAME}. Returns the first problem, or nullopt.
std::optional<std::string> scan_template(std::string_view text,
                                         const std::function<void(std::string_view)>& literal,
                                         const std::function<void()>& root,
                                         const std::function<void(const std::string&)>& variable) {
  std::size_t i = 0, plain = 0;
  auto flush = [&](std::size_t end) {
    if (end > plain) literal(text.substr(plain, end - plain));
  };
  while (i < text.size()) {
    if (text.compare(i, 6, "{root}") == 0) {
      flush(i);
      root();
      i += 6;
      plain = i;
    } else if (text.compare(i, 2, "$$") == 0) {
      flush(i);
      literal("$");
      i += 2;
      plain = i;
    } else if (text.compare(i, 2, "${") == 0) {
      std::size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        return "'" + std::string(text.substr(i)) + "' never closes (at byte " +
               std::to_string(i + 1) + "; write $$ for a literal $)";
      }
      std::string name(text.substr(i + 2, close - i - 2));
      if (auto bad = env_name_problem(name)) {
        return "'${" + name + "}' (at byte " + std::to_string(i + 1) + "): " + *bad;
      }
      flush(i);
      variable(name);
      i = close + 1;
      plain = i;
    } else {
      ++i;
    }
  }
  flush(i);
  return std::nullopt;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += kPathListSeparator;
    out += parts[i];
  }
  return out;
}

}  // namespace

std::optional<std::string> env_name_problem(std::string_view name) {
  if (name.empty()) return "a variable name cannot be empty";
  if (!name_start(name[0]))
    return "a variable name starts with a letter or '_' ([A-Za-z_][A-Za-z0-9_]*)";
  for (char c : name) {
    if (!name_char(c)) return "a variable name is made of [A-Za-z0-9_]";
  }
  return std::nullopt;
}

std::optional<std::string> env_template_problem(std::string_view text) {
  return scan_template(
      text, [](std::string_view) {}, [] {}, [](const std::string&) {});
}

std::string expand_env_template(
    std::string_view text, std::string_view root,
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  scan_template(
      text, [&](std::string_view s) { out += s; }, [&] { out += root; },
      [&](const std::string& name) {
        if (auto v = lookup(name)) out += *v;
      });
  return out;
}

bool env_template_reads(std::string_view text, std::string_view name) {
  bool reads = false;
  scan_template(
      text, [](std::string_view) {}, [] {},
      [&](const std::string& n) { reads = reads || n == name; });
  return reads;
}

ComposedEnv compose_env(std::map<std::string, std::string> base,
                        const std::vector<EnvLayer>& layers) {
  ComposedEnv out;
  out.variables = std::move(base);
  std::set<std::string> touched;
  // The last assignment (set or unset) of each variable: which asset, and the value (nullopt for
  // an unset), to report two assets that disagree.
  struct Assignment {
    std::string asset;
    std::optional<std::string> value;
  };
  std::map<std::string, Assignment> assigned;
  std::set<std::string> reported;  // "NAME\0A\0B" pairs already warned about
  for (const auto& layer : layers) {
    if (!layer.entries) continue;
    for (const auto& e : *layer.entries) {
      auto lookup = [&](const std::string& n) -> std::optional<std::string> {
        auto it = out.variables.find(n);
        if (it == out.variables.end()) return std::nullopt;
        return it->second;
      };
      std::vector<std::string> expanded;
      for (const auto& v : e.values) expanded.push_back(expand_env_template(v, layer.root, lookup));
      if (touched.insert(e.name).second) out.touched.push_back(e.name);
      auto current = out.variables.find(e.name);
      bool empty = current == out.variables.end() || current->second.empty();
      std::optional<std::string> result;
      bool assignment = false;
      switch (e.action) {
        case EnvAction::kSet:
          result = expanded.empty() ? std::string() : expanded[0];
          assignment = e.values.empty() || !env_template_reads(e.values[0], e.name);
          break;
        case EnvAction::kUnset:
          assignment = true;
          break;
        case EnvAction::kPrepend:
          result = join(expanded) + (empty ? "" : kPathListSeparator + current->second);
          break;
        case EnvAction::kAppend:
          result = (empty ? "" : current->second + kPathListSeparator) + join(expanded);
          break;
      }
      if (assignment) {
        auto prev = assigned.find(e.name);
        if (prev != assigned.end() && prev->second.asset != layer.asset &&
            prev->second.value != result &&
            reported.insert(e.name + '\0' + prev->second.asset + '\0' + layer.asset).second) {
          auto shown = [](const std::optional<std::string>& v) {
            return v ? "'" + *v + "'" : std::string("unset");
          };
          out.warnings.push_back(e.name + " is set by " + prev->second.asset + " (" +
                                 shown(prev->second.value) + ") and by " + layer.asset + " (" +
                                 shown(result) + "); " + layer.asset +
                                 "'s value is used (dependents come after their dependencies)");
        }
        assigned[e.name] = Assignment{layer.asset, result};
      }
      if (result) {
        out.variables[e.name] = *result;
      } else {
        out.variables.erase(e.name);
      }
    }
  }
  return out;
}

}  // namespace reel
