// reel's path rules (path_rules.h). A listing is checked by inserting every path into a tree of
// components (keyed by the ASCII-lower-case spelling), which finds case-only duplicates and
// file/folder clashes as it goes, then by resolving each symlink through that tree the way the
// kernel walks a path (path_resolution(7)), so a link whose target passes through another link is
// followed, not read as text.
#include "reel/storage/path_rules.h"

#include <deque>
#include <memory>
#include <unordered_map>

#include "reel/storage/utf8.h"

namespace reel {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Code points HFS+ ignores when it compares names (git's is_hfs_dotgit list).
bool hfs_ignorable(std::uint32_t cp) {
  return (cp >= 0x200C && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF;
}

// Splits on '/', keeping empty components (callers decide what an empty one means).
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
}

// The checks shared by paths and symlink targets: length, UTF-8, control bytes, backslashes,
// absolute.
std::optional<std::string> text_problem(std::string_view text) {
  if (text.empty()) return "is empty";
  if (text.size() > kMaxPathBytes)
    return "is longer than " + std::to_string(kMaxPathBytes) + " bytes";
  if (first_invalid_utf8(text)) return std::string("is not valid UTF-8");
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return std::string("holds a control character");
    if (c == '\\') return std::string("holds a backslash");
  }
  if (text.front() == '/') return std::string("is absolute");
  return std::nullopt;
}

std::optional<std::string> component_problem(std::string_view c, bool dots_allowed) {
  if (c.empty()) return std::string("has an empty component");
  if (!dots_allowed && (c == "." || c == "..")) return "has a '" + std::string(c) + "' component";
  if (c.size() > kMaxComponentBytes)
    return "has a component longer than " + std::to_string(kMaxComponentBytes) + " bytes";
  if (is_reserved_component(c))
    return "has the component '" + std::string(c) + "' (.git and .reel are never packaged)";
  return std::nullopt;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// A node of the listing's tree: a folder (the root, or a proper prefix of some path), a file or a
// symlink. Children are keyed by their lower-case spelling.
struct Node {
  enum class Kind { kFolder, kFile, kSymlink };
  Kind kind = Kind::kFolder;
  bool listed = false;               // an entry of the listing ends here
  std::string_view spelling;         // the component as first seen
  std::string_view path;             // the entry's (or first path's) full text, for messages
  std::string_view target;           // kSymlink
  std::unordered_map<std::string, std::unique_ptr<Node>> children;

  Node* find(std::string_view component) const {
    auto it = children.find(lower(component));
    return it == children.end() ? nullptr : it->second.get();
  }
};

// Inserts one checked entry; the problem if it clashes with what is there.
std::optional<std::string> insert(Node& root, const TreeEntry& e) {
  Node* node = &root;
  auto parts = split(e.path);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    if (node->kind == Node::Kind::kSymlink)
      return quoted(e.path) + ": is below the symlink " + quoted(node->path);
    if (node->kind == Node::Kind::kFile)
      return quoted(e.path) + ": " + quoted(node->path) + " is a file and a folder";
    auto& slot = node->children[lower(parts[i])];
    if (!slot) {
      slot = std::make_unique<Node>();
      slot->spelling = parts[i];
      slot->path = e.path;
    } else if (slot->spelling != parts[i]) {
      return quoted(e.path) + ": " + quoted(parts[i]) + " and " + quoted(slot->spelling) +
             " differ only in case (they merge on case-insensitive file systems)";
    }
    node = slot.get();
    if (last) {
      if (node->listed) return quoted(e.path) + ": is listed twice";
      if (!node->children.empty())
        return quoted(e.path) + ": is a file and a folder (" + quoted(node->path) + ")";
      node->listed = true;
      node->path = e.path;
      node->kind = e.symlink ? Node::Kind::kSymlink : Node::Kind::kFile;
      if (e.symlink) node->target = *e.symlink;
    }
  }
  return std::nullopt;
}

// Resolves the symlink at `link_parent`/`e` as the kernel would, through the tree's own links;
// the problem if the walk leaves the tree, loops, passes through a file or relies on case.
std::optional<std::string> resolve(const Node& root, const TreeEntry& e) {
  const std::string where = quoted(e.path) + " -> " + quoted(*e.symlink) + ": ";
  // The walk's current folder, as the nodes from the root; nullptr for a folder the listing does
  // not have (a link may point at a path that does not exist yet, inside the tree).
  std::vector<const Node*> stack{&root};
  auto parent = split(e.path);
  parent.pop_back();
  for (auto c : parent) stack.push_back(stack.back()->find(c));
  std::deque<std::string_view> pending;
  for (auto c : split(*e.symlink)) pending.push_back(c);
  int hops = 0;
  while (!pending.empty()) {
    std::string_view c = pending.front();
    pending.pop_front();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (stack.size() == 1) return where + "leaves the asset (followed through its links)";
      stack.pop_back();
      continue;
    }
    const Node* dir = stack.back();
    const Node* child = dir ? dir->find(c) : nullptr;
    if (child && child->spelling != c) {
      return where + quoted(c) + " names " + quoted(child->spelling) +
             " only when case is ignored";
    }
    if (child && child->kind == Node::Kind::kSymlink) {
      if (++hops > kMaxSymlinkHops) return where + "too many levels of symlinks";
      auto more = split(child->target);
      pending.insert(pending.begin(), more.begin(), more.end());
      continue;  // the target is relative to the link's folder: the current one
    }
    if (child && child->kind == Node::Kind::kFile && !pending.empty())
      return where + "passes through the file " + quoted(child->path);
    stack.push_back(child);
  }
  return std::nullopt;
}

}  // namespace

bool is_reserved_component(std::string_view component) {
  std::string folded;
  for (std::size_t i = 0; i < component.size();) {
    std::uint32_t cp = 0;
    std::size_t len = decode_utf8(component, i, cp);
    if (len == 0) return false;  // not UTF-8: refused as such by the callers
    if (!hfs_ignorable(cp)) folded += cp < 0x80 ? ascii_lower(static_cast<char>(cp)) : '\x01';
    i += len;
  }
  if (auto colon = folded.find(':'); colon != std::string::npos) folded.resize(colon);
  while (!folded.empty() && (folded.back() == '.' || folded.back() == ' ')) folded.pop_back();
  return folded == ".git" || folded == ".reel" || folded == "git~1" || folded == "reel~1";
}

std::optional<std::string> path_problem(std::string_view path) {
  if (auto p = text_problem(path)) return p;
  for (auto c : split(path)) {
    if (auto p = component_problem(c, false)) return p;
  }
  return std::nullopt;
}

std::optional<std::string> symlink_target_problem(std::string_view target) {
  if (auto p = text_problem(target)) return p;
  auto parts = split(target);
  if (parts.size() > 1 && parts.back().empty()) parts.pop_back();  // "dir/" names the folder
  for (auto c : parts) {
    if (auto p = component_problem(c, true)) return p;
  }
  return std::nullopt;
}

std::optional<std::string> tree_problem(const std::vector<TreeEntry>& entries) {
  for (const auto& e : entries) {
    if (auto p = path_problem(e.path)) return quoted(e.path) + ": " + *p;
    if (e.symlink) {
      if (auto p = symlink_target_problem(*e.symlink))
        return quoted(e.path) + " -> " + quoted(*e.symlink) + ": the target " + *p;
    }
  }
  Node root;
  for (const auto& e : entries) {
    if (auto p = insert(root, e)) return p;
  }
  for (const auto& e : entries) {
    if (!e.symlink) continue;
    if (auto p = resolve(root, e)) return p;
  }
  return std::nullopt;
}

}  // namespace reel
