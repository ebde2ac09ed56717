// The help text's manners (issue 15): a metavar that says what goes there (`NAME`, `DIR`, not
// CLI11's `TEXT`), "(not with --frozen)" in the description instead of CLI11's bare
// "Excludes: --frozen", and the global options under every command's help.
#include <algorithm>
#include <cctype>
#include <map>

#include "cli.h"

namespace reel::cli {
namespace {

// What an option's value is, by its long (or short) name; other options get their name in
// capitals (--from: FROM).
const std::map<std::string, std::string>& metavars() {
  static const std::map<std::string, std::string> table = {
      {"C", "DIR"},
      {"cache-dir", "DIR"},
      {"token-file", "FILE"},
      {"read-token-file", "FILE"},
      {"ca-file", "FILE"},
      {"color", "WHEN"},
      {"repo", "REPO"},
      {"group", "GROUP"},
      {"upgrade-package", "NAME"},
      {"link-mode", "MODE"},
      {"requirements", "FILE"},
      {"output", "FILE"},
      {"version", "VERSION"},
      {"name", "NAME"},
      {"workspace", "DIR"},
      {"type", "TYPE"},
      {"threads", "N"},
      {"shell", "SHELL"},
      {"repo-dir", "DIR"},
      {"path", "DIR"},
      {"max-partial-heads", "N"},
      {"max-connections", "N"},
      {"max-body", "BYTES"},
      {"level", "LEVEL"},
      {"invert", "NAME"},
      {"idle-timeout", "SECONDS"},
      {"head-timeout", "SECONDS"},
      {"files", "NAME"},
      {"bind", "ADDR:PORT"},
      {"from", "REPO"},
      {"to", "REPO"},
      {"blessed", "NAME"},
      {"default", "NAME"},
  };
  return table;
}

// CLI11's own type names, which say how a value is parsed rather than what it is.
bool generic_type_name(const std::string& type) {
  std::string base = type.substr(0, type.find(':'));
  return base.empty() || base == "TEXT" || base == "INT" || base == "UINT" || base == "FLOAT" ||
         base == "NUMBER" || base == "ENUM" || base == "BOOLEAN";
}

class Formatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string out;
    if (opt->get_type_size() != 0) {
      std::string type = opt->get_type_name();
      type = type.substr(0, type.find(':'));  // the allowed values are in the description
      if (!type.empty()) out += " " + type;
      if (opt->get_expected_max() == CLI::detail::expected_max_vector_size && !type.empty() &&
          type.find("...") == std::string::npos)
        out += " ...";
      if (opt->get_required()) out += " (required)";
    }
    return out;
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string out = opt->get_description();
    if (!opt->get_excludes().empty()) {
      out += " (not with";
      bool first = true;
      for (const CLI::Option* other : opt->get_excludes()) {
        out += (first ? " " : ", ") + other->get_name();
        first = false;
      }
      out += ")";
    }
    return out;
  }
};

void finish(CLI::App& app, const std::shared_ptr<Formatter>& formatter, const std::string& footer) {
  app.formatter(formatter);
  for (CLI::Option* opt : app.get_options([](const CLI::Option*) { return true; })) {
    if (opt->get_positional() && !opt->nonpositional()) {
      opt->type_name("");  // the name says it: `NAME (required)`, not `NAME TEXT REQUIRED`
      continue;
    }
    // Flags have no type name: they take no value and get no metavar.
    if (opt->get_type_name().empty() || !generic_type_name(opt->get_type_name())) continue;
    std::string key =
        opt->get_lnames().empty() ? opt->get_snames().front() : opt->get_lnames().front();
    auto it = metavars().find(key);
    std::string metavar;
    if (it != metavars().end()) {
      metavar = it->second;
    } else {
      for (char c : key) metavar += c == '-' ? '_' : static_cast<char>(std::toupper(c));
    }
    opt->type_name(metavar);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->footer(footer);
    finish(*sub, formatter, footer);
  }
}

}  // namespace

void finish_help(CLI::App& app) {
  auto formatter = std::make_shared<Formatter>();
  formatter->column_width(32);
  // The metavars first, so the footer shows them too.
  finish(app, formatter, "");
  std::string footer = "Global options (every command takes them):\n";
  for (const CLI::Option* opt : app.get_options()) {
    const auto& longs = opt->get_lnames();
    bool skip = std::find(longs.begin(), longs.end(), "help") != longs.end() ||
                std::find(longs.begin(), longs.end(), "version") != longs.end();
    if (skip || !opt->nonpositional()) continue;
    std::string left =
        "  " + formatter->make_option_name(opt, false) + formatter->make_option_opts(opt);
    std::string desc = formatter->make_option_desc(opt);
    if (left.size() >= 32)
      footer += left + "\n" + std::string(32, ' ') + desc + "\n";
    else
      footer += left + std::string(32 - left.size(), ' ') + desc + "\n";
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->footer(footer);
    finish(*sub, formatter, footer);
  }
}

}  // namespace reel::cli
