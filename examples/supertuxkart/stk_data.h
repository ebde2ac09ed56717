// Readers for the pieces of Debian's supertuxkart-data that reel-stk-import needs: XML attributes,
// texture names inside binary .spm meshes, texture families, and reel package names.
// Facts about the data: ../../../shared/notes/supertuxkart-data.md.
#ifndef REEL_EXAMPLES_SUPERTUXKART_STK_DATA_H_
#define REEL_EXAMPLES_SUPERTUXKART_STK_DATA_H_

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace stk {

// The whole file's bytes; "" if it cannot be read (a missing scene.xml is not an error).
std::string read_file(const std::filesystem::path& path);

// The values of attribute `attr` in every element `<tag ...>` of `xml`, in document order.
// A light scan, not an XML parser: enough for STK's flat, machine-written files
// (`<library name="stklib_logBarrier_a" id=... />`); whitespace around '=' and either quote.
std::vector<std::string> xml_attributes(const std::string& xml, const std::string& tag,
                                        const std::string& attr);

// The texture file names a binary .spm mesh names, in file order (empty names skipped).
// Format (STK's SPM, as far as the textures): "SP", 2 bytes, a 24-byte bounding box, a
// little-endian u16 material count, then per material two strings, each a u8 length and that many
// bytes. A truncated or foreign file yields what could be read (possibly nothing), never a crash.
std::vector<std::string> spm_textures(const std::filesystem::path& mesh);

// The family of a texture file: its stem without map suffixes (_nm, _gloss, _mask, ...) and
// variant letters (_a, _b): stktex_foo_a.png, stktex_foo_b.png, stktex_foo_a_nm.png -> stktex_foo.
std::string texture_family(const std::string& file_name);

// `s` with every character outside reel's name alphabet [A-Za-z0-9._-] replaced by '_', cut to
// 64 characters. Callers prefix a letter ("stk-..."), so the result starts alphanumeric.
std::string sanitise(const std::string& s);

// Hands out package names that are unique case-insensitively (reel compares names that way).
// A second source whose sanitised name collides gets "-2", "-3", ... appended.
class PackageNames {
 public:
  // The name for `key` (a kind and a source, e.g. "library:foo"), made from `base` the first time
  // and the same name on every later call.
  std::string get(const std::string& key, const std::string& base);
  // The name already given to `key`, or "" when there is none.
  std::string find(const std::string& key) const;

 private:
  std::set<std::string> claimed_;                // lowercase names in use
  std::map<std::string, std::string> assigned_;  // key -> name
};

}  // namespace stk

#endif  // REEL_EXAMPLES_SUPERTUXKART_STK_DATA_H_
