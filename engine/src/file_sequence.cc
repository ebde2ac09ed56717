#include "reel/engine/file_sequence.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

namespace reel {
namespace {

// A path split into directory and file name at the last '/'.
std::pair<std::string_view, std::string_view> split_path(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A numbered file: where its last digit run is and what it says.
struct Numbered {
  std::size_t index;  // into the input
  std::uint64_t frame;
  int width;    // digits in the run
  bool padded;  // the run has a leading zero and more than one digit
};

// The last digit run of `name` as (start, length), or nullopt when there is none.
std::optional<std::pair<std::size_t, std::size_t>> last_digit_run(std::string_view name) {
  std::size_t end = name.size();
  while (end > 0 && !is_digit(name[end - 1])) --end;
  if (end == 0) return std::nullopt;
  std::size_t start = end;
  while (start > 0 && is_digit(name[start - 1])) --start;
  return std::make_pair(start, end - start);
}

// The value of a digit string, or nullopt when it does not fit in 64 bits.
std::optional<std::uint64_t> parse_frame(std::string_view digits) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (char c : digits) {
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Sort key of a group: (directory, display name, 0 for a file / 1 for a sequence).
std::tuple<std::string, std::string, int> sort_key(const FileGroup& g) {
  if (const auto* f = std::get_if<FileEntry>(&g)) {
    auto [dir, name] = split_path(f->path);
    return {std::string(dir), std::string(name), 0};
  }
  const auto& s = std::get<FileSequence>(g);
  return {s.directory, s.pattern(), 1};
}

}  // namespace

std::string FileSequence::pattern() const {
  return prefix + std::string(static_cast<std::size_t>(std::max(padding, 1)), '#') + suffix;
}

std::string FileSequence::display_path() const {
  return directory.empty() ? pattern() : directory + "/" + pattern();
}

std::string FileSequence::file_path(std::uint64_t frame) const {
  std::string digits = std::to_string(frame);
  if (digits.size() < static_cast<std::size_t>(padding))
    digits.insert(0, static_cast<std::size_t>(padding) - digits.size(), '0');
  std::string name = prefix + digits + suffix;
  return directory.empty() ? name : directory + "/" + name;
}

std::vector<FileGroup> group_file_sequences(const std::vector<FileEntry>& files) {
  std::vector<FileGroup> out;
  // (directory, prefix, suffix) -> the numbered files sharing them.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<Numbered>> candidates;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const FileEntry& f = files[i];
    auto [dir, name] = split_path(f.path);
    std::optional<std::pair<std::size_t, std::size_t>> run;
    if (!f.symlink) run = last_digit_run(name);
    std::optional<std::uint64_t> frame;
    if (run) frame = parse_frame(name.substr(run->first, run->second));
    if (!frame) {
      out.emplace_back(f);
      continue;
    }
    std::string_view digits = name.substr(run->first, run->second);
    auto width = static_cast<int>(digits.size());
    candidates[{std::string(dir), std::string(name.substr(0, run->first)),
                std::string(name.substr(run->first + run->second))}]
        .push_back(Numbered{i, *frame, width, width > 1 && digits[0] == '0'});
  }

  for (auto& [key, numbered] : candidates) {
    std::set<int> padded_widths;
    for (const auto& n : numbered)
      if (n.padded) padded_widths.insert(n.width);
    // Padding width -> members; width 1 is the unpadded group (a padded run has >= 2 digits).
    std::map<int, std::vector<const Numbered*>> by_width;
    for (const auto& n : numbered) {
      int width = n.padded || padded_widths.count(n.width) ? n.width : 1;
      by_width[width].push_back(&n);
    }
    for (auto& [width, members] : by_width) {
      if (members.size() < 2) {
        out.emplace_back(files[members.front()->index]);
        continue;
      }
      FileSequence seq;
      seq.directory = std::get<0>(key);
      seq.prefix = std::get<1>(key);
      seq.suffix = std::get<2>(key);
      seq.padding = width;
      for (const Numbered* n : members) {
        seq.frames.push_back(n->frame);
        seq.total_size += files[n->index].size;
      }
      std::sort(seq.frames.begin(), seq.frames.end());
      out.emplace_back(std::move(seq));
    }
  }

  std::vector<std::pair<std::tuple<std::string, std::string, int>, std::size_t>> order;
  order.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) order.emplace_back(sort_key(out[i]), i);
  std::sort(order.begin(), order.end());
  std::vector<FileGroup> sorted;
  sorted.reserve(out.size());
  for (const auto& o : order) sorted.push_back(std::move(out[o.second]));
  return sorted;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> frame_ranges(
    const std::vector<std::uint64_t>& frames) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (std::uint64_t f : frames) {
    if (!ranges.empty() && ranges.back().second != std::numeric_limits<std::uint64_t>::max() &&
        ranges.back().second + 1 == f) {
      ranges.back().second = f;
    } else {
      ranges.emplace_back(f, f);
    }
  }
  return ranges;
}

std::string frame_range_text(const std::vector<std::uint64_t>& frames) {
  std::string text;
  for (const auto& [first, last] : frame_ranges(frames)) {
    if (!text.empty()) text += ',';
    text += std::to_string(first);
    if (last != first) text += "-" + std::to_string(last);
  }
  return text;
}

}  // namespace reel
