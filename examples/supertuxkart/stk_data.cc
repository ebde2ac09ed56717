#include "stk_data.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace stk {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The quoted value after `attr` at `at` in `element`, if `attr` is a whole attribute name there.
bool attribute_value_at(const std::string& element, std::size_t at, std::size_t attr_size,
                        std::string& value) {
  if (at == 0 || !is_space(element[at - 1])) return false;
  std::size_t k = at + attr_size;
  while (k < element.size() && is_space(element[k])) ++k;
  if (k >= element.size() || element[k] != '=') return false;
  ++k;
  while (k < element.size() && is_space(element[k])) ++k;
  if (k >= element.size() || (element[k] != '"' && element[k] != '\'')) return false;
  std::size_t close = element.find(element[k], k + 1);
  if (close == std::string::npos) return false;
  value = element.substr(k + 1, close - k - 1);
  return true;
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> xml_attributes(const std::string& xml, const std::string& tag,
                                        const std::string& attr) {
  std::vector<std::string> out;
  const std::string open = "<" + tag;
  for (std::size_t pos = 0; (pos = xml.find(open, pos)) != std::string::npos; pos += open.size()) {
    std::size_t after = pos + open.size();
    if (after < xml.size() && !is_space(xml[after]) && xml[after] != '>' && xml[after] != '/') {
      continue;  // a longer tag name, e.g. <libraryFoo
    }
    std::size_t end = xml.find('>', pos);
    std::string element = xml.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    std::string value;
    for (std::size_t a = 0; (a = element.find(attr, a)) != std::string::npos; a += attr.size()) {
      if (attribute_value_at(element, a, attr.size(), value)) {
        out.push_back(value);
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> spm_textures(const std::filesystem::path& mesh) {
  std::vector<std::string> out;
  std::ifstream in(mesh, std::ios::binary);
  char header[30];
  if (!in.read(header, sizeof header) || header[0] != 'S' || header[1] != 'P') return out;
  unsigned count = static_cast<unsigned char>(header[28]) |
                   (static_cast<unsigned>(static_cast<unsigned char>(header[29])) << 8);
  for (unsigned m = 0; m < count; ++m) {
    for (int s = 0; s < 2; ++s) {
      char length = 0;
      if (!in.get(length)) return out;
      std::string name(static_cast<unsigned char>(length), '\0');
      if (!in.read(name.data(), static_cast<std::streamsize>(name.size()))) return out;
      if (!name.empty()) out.push_back(name);
    }
  }
  return out;
}

std::string texture_family(const std::string& file_name) {
  std::string stem = std::filesystem::path(file_name).stem().string();
  static const char* const kSuffixes[] = {"_colormask", "_gloss", "_normal", "_nm", "_mask",
                                          "_spec",      "_emit",  "_n",      "_s"};
  for (bool changed = true; changed;) {
    changed = false;
    for (const std::string suffix : kSuffixes) {
      if (stem.size() > suffix.size() + 1 &&
          stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0) {
        stem.resize(stem.size() - suffix.size());
        changed = true;
      }
    }
    if (stem.size() > 3 && stem[stem.size() - 2] == '_' &&
        std::islower(static_cast<unsigned char>(stem.back()))) {
      stem.resize(stem.size() - 2);  // variant letter
      changed = true;
    }
  }
  return stem;
}

std::string sanitise(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.substr(0, 64);
}

std::string PackageNames::get(const std::string& key, const std::string& base) {
  auto it = assigned_.find(key);
  if (it != assigned_.end()) return it->second;
  std::string name = sanitise(base);
  for (int n = 2; claimed_.count(lower(name)) != 0; ++n) {
    std::string suffix = "-" + std::to_string(n);
    name = sanitise(base).substr(0, 64 - suffix.size()) + suffix;
  }
  claimed_.insert(lower(name));
  return assigned_[key] = name;
}

std::string PackageNames::find(const std::string& key) const {
  auto it = assigned_.find(key);
  return it == assigned_.end() ? "" : it->second;
}

}  // namespace stk
