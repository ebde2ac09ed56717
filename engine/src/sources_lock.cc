// sources.lock (sources_lock.h): parsed with toml11, written by hand in a stable order.
#include "reel/engine/sources_lock.h"

#include <algorithm>
#include <cstdio>

#include "record_toml.h"
#include "reel/engine/input_limits.h"
#include "reel/storage/clock.h"
#include "reel/storage/path_rules.h"
#include "toml_util.h"

namespace reel {
namespace {

using namespace record_toml;

std::string_view without_slash(std::string_view p) {
  if (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return p;
}

bool by_path(const SourceRecord& a, const SourceRecord& b) { return a.path < b.path; }

bool is_http_url(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

}  // namespace

bool SourceRecord::is_url() const { return is_http_url(url); }

const SourceRecord* SourcesLock::find(std::string_view path) const {
  for (const auto& s : sources) {
    if (without_slash(s.path) == without_slash(path)) return &s;
  }
  return nullptr;
}

void SourcesLock::put(SourceRecord record) {
  sources.erase(std::remove_if(sources.begin(), sources.end(),
                               [&](const SourceRecord& s) {
                                 return without_slash(s.path) == without_slash(record.path);
                               }),
                sources.end());
  sources.insert(std::upper_bound(sources.begin(), sources.end(), record, by_path),
                 std::move(record));
}

Result<SourcesLock> parse_sources_lock(std::string_view text, std::string_view file) {
  auto parsed = parse_toml(text, file, kMaxManifestBytes);
  if (!parsed) return tl::unexpected(parsed.error());
  const TomlValue& root = *parsed;
  REEL_TRY(check_format(root, file));
  REEL_TRY(known_keys(root, file, "", "version source"));
  SourcesLock lock;
  if (!root.contains("source")) return lock;
  const auto& list = root.at("source");
  if (!list.is_array())
    return tl::unexpected(
        toml_field_error(list, file, "[[source]]", "expected an array of tables"));
  std::size_t i = 0;
  for (const auto& t : list.as_array()) {
    std::string where = "[[source]] #" + std::to_string(++i);
    if (!t.is_table()) return tl::unexpected(toml_field_error(t, file, where, "expected a table"));
    REEL_TRY(known_keys(t, file, where, "path url size files mtime etag sha256"));
    SourceRecord r;
    auto path = string_field(t, file, where, "path", true);
    if (!path) return tl::unexpected(path.error());
    if (auto bad = path_problem(without_slash(*path)))
      return tl::unexpected(toml_field_error(t, file, where + " path", "the path " + *bad));
    r.path = *path;
    where = "[[source]] " + r.path;
    auto url = string_field(t, file, where, "url", true);
    if (!url) return tl::unexpected(url.error());
    if (!is_http_url(*url) && (url->empty() || (*url)[0] != '/'))
      return tl::unexpected(
          toml_field_error(t, file, where + " url", "expected an absolute path or an http(s) URL"));
    r.url = *url;
    auto size = count_field(t, file, where, "size");
    if (!size) return tl::unexpected(size.error());
    r.size = *size;
    auto files = count_field(t, file, where, "files");
    if (!files) return tl::unexpected(files.error());
    r.files = *files;
    auto mtime = string_field(t, file, where, "mtime", false);
    if (!mtime) return tl::unexpected(mtime.error());
    r.mtime = *mtime;
    auto etag = string_field(t, file, where, "etag", false);
    if (!etag) return tl::unexpected(etag.error());
    r.etag = *etag;
    auto digest = digest_field(t, file, where, "sha256");
    if (!digest) return tl::unexpected(digest.error());
    r.sha256 = *digest;
    if (lock.find(r.path))
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(file) + ": [[source]] " + r.path + " is listed twice");
    lock.sources.push_back(std::move(r));
  }
  std::sort(lock.sources.begin(), lock.sources.end(), by_path);
  return lock;
}

std::string serialize_sources_lock(const SourcesLock& lock) {
  std::string out =
      "# sources.lock: written by `reel ingest`. Where each ingested file or folder came from,\n"
      "# and what it was (`reel ingest --check` compares, `--update` takes it in again).\n"
      "version = 1\n";
  std::vector<SourceRecord> sources = lock.sources;
  std::sort(sources.begin(), sources.end(), by_path);
  for (const auto& s : sources) {
    out += "\n[[source]]\npath = " + toml_quote(s.path) + "\nurl = " + toml_quote(s.url) + "\n";
    out += "size = " + std::to_string(s.size) + "\n";
    if (s.files) out += "files = " + std::to_string(s.files) + "\n";
    if (!s.mtime.empty()) out += "mtime = " + toml_quote(s.mtime) + "\n";
    if (!s.etag.empty()) out += "etag = " + toml_quote(s.etag) + "\n";
    out += "sha256 = " + toml_quote(s.sha256.hex()) + "\n";
  }
  return out;
}

std::string rfc3339_nanos(std::int64_t unix_nanos) {
  std::int64_t seconds = unix_nanos / 1000000000;
  std::int64_t nanos = unix_nanos % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --seconds;
  }
  std::string s = format_rfc3339_utc(seconds);  // "...:SSZ"
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos));
  s.insert(s.size() - 1, frac);
  return s;
}

}  // namespace reel
