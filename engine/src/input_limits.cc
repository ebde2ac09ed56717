// Size and nesting bounds checked before toml11 and nlohmann-json parse (input_limits.h). Each
// check is one pass over the bytes; the TOML one follows the TOML 1.0 grammar only as far as
// strings, comments, table headers, keys and brackets (https://toml.io/en/v1.0.0).
#include "reel/engine/input_limits.h"

#include <string>
#include <vector>

#include "reel/engine/names.h"

namespace reel {
namespace {

std::string too_deep() {
  return "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels";
}

Status size_check(std::string_view text, std::string_view file, std::uint64_t max_bytes) {
  if (text.size() <= max_bytes) return ok();
  return make_error(ErrorCode::kInvalidArgument,
                    std::string(file) + ": " + std::to_string(text.size()) +
                        " bytes, more than the " + std::to_string(max_bytes) + " accepted");
}

// A one-pass scanner over TOML text that tracks how deep each value sits.
class TomlDepth {
 public:
  TomlDepth(std::string_view text, std::string_view file) : t_(text), file_(file) {}

  Status run() {
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
        if (stack_.empty()) line_start_ = true;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
        continue;
      }
      if (c == '#') {
        while (i_ < t_.size() && t_[i_] != '\n') ++i_;
        continue;
      }
      if (stack_.empty() && line_start_) {
        line_start_ = false;
        REEL_TRY(c == '[' ? header() : line_key());
        continue;
      }
      if (expect_key_) {
        REEL_TRY(inline_key());
        continue;
      }
      REEL_TRY(value_char(c));
    }
    return ok();
  }

 private:
  struct Frame {
    char kind;          // '[' array, '{' inline table
    std::size_t depth;  // the depth of the values directly inside it
  };

  Status fail() const {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(file_) + ":" + std::to_string(line_) + ": " + too_deep() +
                          " (arrays, inline tables, table header and dotted key components)");
  }
  Status check(std::size_t depth) const { return depth > kMaxNestingDepth ? fail() : ok(); }
  std::size_t depth() const { return stack_.empty() ? line_base_ : stack_.back().depth; }

  // Skips a basic or literal string, single- or multi-line, starting at i_ (a quote).
  void skip_string() {
    const char q = t_[i_];
    const bool multi = t_.substr(i_, 3) == std::string_view(q == '"' ? "\"\"\"" : "'''");
    i_ += multi ? 3 : 1;
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == '\n') {
        if (!multi) return;  // unterminated: toml11 reports it
        ++line_;
      }
      if (c == '\\' && q == '"') {
        i_ += 2;
        continue;
      }
      if (c == q && (!multi || t_.substr(i_, 3) == std::string_view(q == '"' ? "\"\"\"" : "'''"))) {
        i_ += multi ? 3 : 1;
        return;
      }
      ++i_;
    }
  }

  // Counts the components of a key (or table header) from i_ up to `stop` or the end of the line,
  // leaving i_ there; quoted components may hold dots.
  Result<std::size_t> key_components(char stop) {
    std::size_t n = 1;
    while (i_ < t_.size() && t_[i_] != stop && t_[i_] != '\n') {
      const char c = t_[i_];
      if (c == '"' || c == '\'') {
        skip_string();
        continue;
      }
      if (c == '.' && ++n > kMaxNestingDepth) return tl::unexpected(fail().error());
      ++i_;
    }
    return n;
  }

  Status header() {
    ++i_;
    if (i_ < t_.size() && t_[i_] == '[') ++i_;
    auto n = key_components(']');
    if (!n) return tl::unexpected(n.error());
    header_ = *n;
    while (i_ < t_.size() && t_[i_] == ']') ++i_;
    return check(header_);
  }

  Status line_key() {
    auto n = key_components('=');
    if (!n) return tl::unexpected(n.error());
    line_base_ = header_ + *n;
    if (i_ < t_.size() && t_[i_] == '=') ++i_;
    return check(line_base_);
  }

  Status inline_key() {
    expect_key_ = false;
    if (t_[i_] == '}') return value_char('}');
    auto n = key_components('=');
    if (!n) return tl::unexpected(n.error());
    pending_ = *n - 1;
    if (i_ < t_.size() && t_[i_] == '=') ++i_;
    return check(depth() + *n);
  }

  Status value_char(char c) {
    if (c == '"' || c == '\'') {
      skip_string();
      return ok();
    }
    ++i_;
    if (c == '[' || c == '{') {
      const std::size_t d = depth() + 1 + pending_;
      pending_ = 0;
      REEL_TRY(check(d));
      stack_.push_back(Frame{c, d});
      expect_key_ = c == '{';
    } else if (c == ']' || c == '}') {
      if (!stack_.empty()) stack_.pop_back();
      pending_ = 0;
    } else if (c == ',') {
      expect_key_ = !stack_.empty() && stack_.back().kind == '{';
      pending_ = 0;
    }
    return ok();
  }

  std::string_view t_;
  std::string_view file_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  std::size_t header_ = 0;     // components of the current [table] header
  std::size_t line_base_ = 0;  // depth of the current top-level value
  std::size_t pending_ = 0;    // extra components of an inline table's dotted key
  bool line_start_ = true;
  bool expect_key_ = false;    // inside an inline table, where a key comes next
  std::vector<Frame> stack_;
};

}  // namespace

Status check_json_input(std::string_view text, std::string_view file, std::uint64_t max_bytes) {
  REEL_TRY(size_check(text, file, max_bytes));
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) {
        return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": " + too_deep() +
                                                           " at byte " + std::to_string(i));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return ok();
}

Status check_toml_input(std::string_view text, std::string_view file, std::uint64_t max_bytes) {
  REEL_TRY(size_check(text, file, max_bytes));
  REEL_TRY(check_text(text, file));
  return TomlDepth(text, file).run();
}

}  // namespace reel
