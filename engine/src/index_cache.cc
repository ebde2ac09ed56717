// The binary index cache (index_cache.h): its payload codec, its file layout and the read paths
// for folder and HTTP repos.
#include "reel/engine/index_cache.h"

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/storage/utf8.h"

namespace reel {
namespace {

constexpr char kMagic[8] = {'R', 'E', 'E', 'L', 'I', 'D', 'X', '\n'};
constexpr std::size_t kHeaderBytes = 8 + 4 + 4 + 8 + 32;
constexpr std::size_t kChecksumBytes = 32;

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void flag(bool v) { u8(v ? 1 : 0); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void raw(const void* data, std::size_t n) { out_.append(static_cast<const char*>(data), n); }

 private:
  std::string& out_;
};

// Reads what Writer wrote; the first failure sticks (ok() false) and names the offset.
class Reader {
 public:
  Reader(std::string_view bytes, std::string_view what) : bytes_(bytes), what_(what) {}
  bool ok() const { return !failed_; }
  std::size_t left() const { return bytes_.size() - pos_; }
  std::size_t pos() const { return pos_; }
  Error error() const {
    return Error{ErrorCode::kCorruption, std::string(what_) +
                                             ": index cache entry malformed at byte " +
                                             std::to_string(fail_pos_) + ": " + why_};
  }
  void fail(const std::string& why) {
    if (failed_) return;
    failed_ = true;
    fail_pos_ = pos_;
    why_ = why;
  }
  std::uint64_t uint(int n) {
    if (failed_ || left() < static_cast<std::size_t>(n)) {
      fail("truncated");
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(bytes_[pos_ + i])} << (8 * i);
    pos_ += n;
    return v;
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(uint(4)); }
  std::uint64_t u64() { return uint(8); }
  bool flag() {
    std::uint64_t v = uint(1);
    if (v > 1) fail("a flag that is neither 0 nor 1");
    return v == 1;
  }
  std::string_view str() {
    std::uint32_t n = u32();
    if (failed_) return {};
    if (left() < n) {
      fail("a string longer than the entry");
      return {};
    }
    std::string_view s = bytes_.substr(pos_, n);
    // Every string of an index came from JSON text, so it is valid UTF-8; one that is not was
    // damaged, and would make serialize_index throw.
    if (first_invalid_utf8(s)) {
      fail("a string that is not valid UTF-8");
      return {};
    }
    pos_ += n;
    return s;
  }
  // A count of items, each at least `min_item_bytes` long: never more than the bytes left allow.
  std::size_t count(std::size_t min_item_bytes) {
    std::uint32_t n = u32();
    if (!failed_ && static_cast<std::uint64_t>(n) * min_item_bytes > left()) {
      fail("a count larger than the entry");
      return 0;
    }
    return failed_ ? 0 : n;
  }
  // Moves past `n` bytes the caller checked are there.
  void skip(std::size_t n) { pos_ += n; }
  // error() for a Reader over a slice that starts at byte `base` of the payload.
  Error error_at(std::size_t base) const {
    Reader shifted = *this;
    shifted.fail_pos_ += base;
    return shifted.error();
  }
  void raw(void* out, std::size_t n) {
    if (failed_ || left() < n) {
      fail("truncated");
      return;
    }
    std::memcpy(out, bytes_.data() + pos_, n);
    pos_ += n;
  }

 private:
  std::string_view bytes_;
  std::string_view what_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::size_t fail_pos_ = 0;
  std::string why_;
};

void put_deps(Writer& w, const std::vector<DependencySpec>& deps) {
  w.u32(static_cast<std::uint32_t>(deps.size()));
  for (const auto& d : deps) {
    w.str(d.name);
    w.str(d.range_text);
  }
}

void put_review(Writer& w, const ReviewRecord& r) {
  w.u8(static_cast<std::uint8_t>(r.state));
  w.str(r.by);
  w.str(r.at);
  w.str(r.note);
}

std::vector<DependencySpec> get_deps(Reader& r, RangeMemo* memo) {
  std::vector<DependencySpec> out;
  std::size_t n = r.count(8);
  out.reserve(n);
  std::string_view last;
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    std::string_view name = r.str();
    std::string_view text = r.str();
    if (!r.ok()) break;
    if (!check_package_name(name)) {
      r.fail("a dependency name that is not a package name");
      return out;
    }
    if (i > 0 && name_less(name, last)) {
      r.fail("dependencies out of order");
      return out;
    }
    last = name;
    auto range = memo ? memo->parse(text) : Range::parse(text);
    if (!range) {
      r.fail("a dependency range that does not parse");
      return out;
    }
    out.push_back(DependencySpec{std::string(name), std::string(text), std::move(*range)});
  }
  return out;
}

ReviewRecord get_review(Reader& r) {
  ReviewRecord rec;
  std::uint64_t state = r.uint(1);
  if (state > static_cast<std::uint64_t>(ReviewState::kRejected)) r.fail("an unknown review state");
  rec.state = static_cast<ReviewState>(state);
  rec.by = r.str();
  rec.at = r.str();
  rec.note = r.str();
  if (r.ok() && rec.state == ReviewState::kRejected && rec.note.empty())
    r.fail("a rejection without a note");
  return rec;
}

// True when `text` is what parse_index stores as metadata: "{}" or a non-empty object as dumped.
bool canonical_metadata(const std::string& text) {
  if (text == "{}") return true;
  if (!check_json_input(text, "metadata", kMaxIndexBytes)) return false;
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_object() && !j.empty() && j.dump() == text;
}

// The front of an entry, what the resolver reads of every version (VersionSummary): version and
// yanked flag. `e` is left default on failure.
void get_summary(Reader& r, VersionSummary& e) {
  std::string_view vtext = r.str();
  if (!r.ok()) return;
  auto version = Version::parse(vtext);
  if (!version || version->to_string() != vtext) {
    r.fail("a version that is not canonical");
    return;
  }
  e.version = std::move(*version);
  e.yanked = r.flag();
}

// The rest of an entry, after get_summary's fields and the dependencies.
void get_rest(Reader& r, RangeMemo* memo, IndexEntry& e) {
  e.type = r.str();
  std::size_t groups = r.count(8);
  std::string last_group;
  for (std::size_t g = 0; g < groups && r.ok(); ++g) {
    std::string name(r.str());
    if (g > 0 && !(last_group < name)) {
      r.fail("dependency groups out of order");
      return;
    }
    last_group = name;
    e.groups[name] = get_deps(r, memo);
  }
  e.archive.path = r.str();
  r.raw(e.archive.sha256.bytes.data(), e.archive.sha256.bytes.size());
  e.archive.size = r.u64();
  e.file_count = r.u64();
  e.file_size = r.u64();
  e.published = r.str();
  e.source.commit = r.str();
  e.source.dirty = r.flag();
  if (e.yanked) {
    YankRecord y;
    y.reason = r.str();
    y.by = r.str();
    y.at = r.str();
    e.yank = std::move(y);
  }
  e.review.current = get_review(r);
  std::size_t history = r.count(13);
  for (std::size_t h = 0; h < history && r.ok(); ++h) e.review.history.push_back(get_review(r));
  e.unresolved = r.flag();
  e.metadata_json = r.str();
  if (r.ok() && !canonical_metadata(e.metadata_json)) r.fail("metadata that is not a JSON object");
}

// One entry's bytes (after its length prefix), all of them.
IndexEntry get_entry(Reader& r, RangeMemo* memo) {
  IndexEntry e;
  VersionSummary front;
  get_summary(r, front);
  e.version = std::move(front.version);
  e.yanked = front.yanked;
  if (r.ok()) e.dependencies = get_deps(r, memo);
  if (r.ok()) get_rest(r, memo, e);
  if (r.ok() && r.left() != 0) r.fail("bytes after the entry's last field");
  return e;
}

// The next entry's bytes: its u32 length prefix, then that many bytes (at least a version's).
std::string_view get_entry_bytes(Reader& r, std::string_view payload) {
  std::size_t at = r.pos();
  std::uint32_t n = r.u32();
  if (r.ok() && (n < 5 || n > r.left())) r.fail("an entry length larger than the payload");
  if (!r.ok()) return {};
  r.skip(n);
  return payload.substr(at + 4, n);
}

}  // namespace

std::string encode_index_payload(const PackageIndex& index) {
  std::string out;
  out.reserve(256 + index.versions.size() * 256);
  Writer w(out);
  w.str(index.name);
  w.u32(static_cast<std::uint32_t>(index.versions.size()));
  for (const IndexEntry& e : index.versions) {
    const std::size_t length_at = out.size();
    w.u32(0);  // the entry's length, filled in below
    w.str(e.version.to_string());
    w.flag(e.yanked);
    put_deps(w, e.dependencies);
    w.str(e.type);
    w.u32(static_cast<std::uint32_t>(e.groups.size()));
    for (const auto& [name, deps] : e.groups) {
      w.str(name);
      put_deps(w, deps);
    }
    w.str(e.archive.path);
    w.raw(e.archive.sha256.bytes.data(), e.archive.sha256.bytes.size());
    w.u64(e.archive.size);
    w.u64(e.file_count);
    w.u64(e.file_size);
    w.str(e.published);
    w.str(e.source.commit);
    w.flag(e.source.dirty);
    if (e.yanked) {
      const YankRecord y = e.yank.value_or(YankRecord{});
      w.str(y.reason);
      w.str(y.by);
      w.str(y.at);
    }
    put_review(w, e.review.current);
    w.u32(static_cast<std::uint32_t>(e.review.history.size()));
    for (const auto& rec : e.review.history) put_review(w, rec);
    w.flag(e.unresolved);
    w.str(e.metadata_json);
    const auto length = static_cast<std::uint32_t>(out.size() - length_at - 4);
    for (int i = 0; i < 4; ++i) out[length_at + i] = static_cast<char>((length >> (8 * i)) & 0xff);
  }
  return out;
}

tl::expected<Range, ParseError> RangeMemo::parse(std::string_view text) {
  std::string key(text);
  {
    std::lock_guard<std::mutex> hold(mutex_);
    auto it = ranges_.find(key);
    if (it != ranges_.end()) return it->second;
  }
  auto range = Range::parse(text);
  if (range) {
    std::lock_guard<std::mutex> hold(mutex_);
    if (ranges_.size() < kMaxEntries) ranges_.emplace(std::move(key), *range);
  }
  return range;
}

Result<PackageIndex> decode_index_payload(std::string_view bytes, std::string_view what,
                                          RangeMemo* memo) {
  Reader r(bytes, what);
  PackageIndex index;
  index.name = r.str();
  if (r.ok() && !check_package_name(index.name)) r.fail("a name that is not a package name");
  std::size_t n = r.count(9);
  index.versions.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    std::string_view entry_bytes = get_entry_bytes(r, bytes);
    if (!r.ok()) break;
    Reader er(entry_bytes, what);
    IndexEntry e = get_entry(er, memo);
    if (!er.ok()) return tl::unexpected(er.error_at(r.pos() - entry_bytes.size()));
    if (i > 0 && e.version < index.versions.back().version) r.fail("versions out of order");
    index.versions.push_back(std::move(e));
  }
  if (r.ok() && r.left() != 0) r.fail("bytes after the last version");
  if (!r.ok()) return tl::unexpected(r.error());
  return index;
}

std::string encode_index_cache_file(const IndexCacheRecord& record) {
  std::string payload = encode_index_payload(record.index);
  std::string out;
  out.reserve(kHeaderBytes + record.validator.size() + payload.size() + kChecksumBytes);
  Writer w(out);
  w.raw(kMagic, sizeof kMagic);
  w.u32(kIndexCacheFormat);
  w.u32(static_cast<std::uint32_t>(record.validator.size()));
  w.u64(payload.size());
  w.raw(record.source.bytes.data(), record.source.bytes.size());
  out += record.validator;
  out += payload;
  Digest sum = sha256_bytes(out);
  w.raw(sum.bytes.data(), sum.bytes.size());
  return out;
}

namespace {

// Where a cache file's parts are, once its magic, format, lengths and checksum check out.
struct FileParts {
  Digest source;
  std::string_view validator;
  std::size_t payload_at = 0;
  std::size_t payload_len = 0;
};

Result<FileParts> check_file(std::string_view bytes, std::string_view what) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kCorruption, std::string(what) + ": index cache entry " + why);
  };
  if (bytes.size() < kHeaderBytes + kChecksumBytes) return bad("truncated");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return bad("has no magic");
  Reader r(bytes.substr(0, kHeaderBytes), what);
  char magic[8];
  r.raw(magic, sizeof magic);
  if (r.u32() != kIndexCacheFormat) return bad("has another format version");
  std::uint64_t validator_len = r.u32();
  std::uint64_t payload_len = r.u64();
  FileParts parts;
  r.raw(parts.source.bytes.data(), parts.source.bytes.size());
  if (validator_len > kMaxIndexCacheValidator ||
      payload_len != bytes.size() - kHeaderBytes - kChecksumBytes - validator_len ||
      bytes.size() - kHeaderBytes - kChecksumBytes < validator_len)
    return bad("has lengths that do not match its size");
  std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  Digest sum = sha256_bytes(body);
  if (std::memcmp(sum.bytes.data(), bytes.data() + body.size(), kChecksumBytes) != 0)
    return bad("fails its checksum");
  parts.validator = bytes.substr(kHeaderBytes, validator_len);
  parts.payload_at = kHeaderBytes + validator_len;
  parts.payload_len = payload_len;
  return parts;
}

Result<IndexCacheRecord> decode_file(std::string_view bytes, std::string_view what,
                                     RangeMemo* memo) {
  auto parts = check_file(bytes, what);
  if (!parts) return tl::unexpected(parts.error());
  auto index =
      decode_index_payload(bytes.substr(parts->payload_at, parts->payload_len), what, memo);
  if (!index) return tl::unexpected(index.error());
  return IndexCacheRecord{std::string(parts->validator), parts->source, std::move(*index)};
}

// The summaries of a payload at bytes[at, at + len), as decode_index_view.
Result<IndexView> decode_view(std::string bytes, std::size_t at, std::size_t len,
                              std::string_view what, std::shared_ptr<RangeMemo> memo) {
  const std::string_view payload = std::string_view(bytes).substr(at, len);
  Reader r(payload, what);
  std::string name(r.str());
  if (r.ok() && !check_package_name(name)) r.fail("a name that is not a package name");
  std::size_t n = r.count(9);
  std::vector<VersionSummary> versions(n);
  std::vector<std::pair<std::size_t, std::size_t>> entries;
  entries.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    std::string_view entry_bytes = get_entry_bytes(r, payload);
    if (!r.ok()) break;
    Reader er(entry_bytes, what);
    get_summary(er, versions[i]);
    if (!er.ok()) return tl::unexpected(er.error_at(r.pos() - entry_bytes.size()));
    if (i > 0 && versions[i].version < versions[i - 1].version) r.fail("versions out of order");
    entries.emplace_back(at + static_cast<std::size_t>(entry_bytes.data() - payload.data()),
                         entry_bytes.size());
  }
  if (r.ok() && r.left() != 0) r.fail("bytes after the last version");
  if (!r.ok()) return tl::unexpected(r.error());
  return IndexView(std::move(name), std::move(versions), std::move(bytes), std::move(entries),
                   std::string(what), std::move(memo));
}

}  // namespace

Result<IndexCacheRecord> decode_index_cache_file(std::string_view bytes, std::string_view what) {
  return decode_file(bytes, what, nullptr);
}

Result<IndexEntry> decode_index_entry(std::string_view bytes, std::string_view what,
                                      std::size_t offset, RangeMemo* memo) {
  Reader r(bytes, what);
  IndexEntry e = get_entry(r, memo);
  if (!r.ok()) return tl::unexpected(r.error_at(offset));
  return e;
}

Result<std::vector<DependencySpec>> decode_index_dependencies(std::string_view bytes,
                                                              std::string_view what,
                                                              std::size_t offset, RangeMemo* memo) {
  Reader r(bytes, what);
  VersionSummary front;
  get_summary(r, front);
  std::vector<DependencySpec> deps;
  if (r.ok()) deps = get_deps(r, memo);
  if (!r.ok()) return tl::unexpected(r.error_at(offset));
  return deps;
}

Result<IndexCacheView> decode_index_cache_view(std::string bytes, std::string_view what,
                                               std::shared_ptr<RangeMemo> memo) {
  auto parts = check_file(bytes, what);
  if (!parts) return tl::unexpected(parts.error());
  IndexCacheView out{std::string(parts->validator), parts->source, {}};
  auto view =
      decode_view(std::move(bytes), parts->payload_at, parts->payload_len, what, std::move(memo));
  if (!view) return tl::unexpected(view.error());
  out.view = std::move(*view);
  return out;
}

IndexCache::IndexCache(FileSystem& fs, std::filesystem::path dir)
    : fs_(fs), dir_(std::move(dir)), ranges_(std::make_shared<RangeMemo>()) {}

std::filesystem::path IndexCache::file_for(std::string_view key) const {
  std::string hex = sha256_bytes(key).hex();
  return dir_ / hex.substr(0, 2) / (hex.substr(2) + ".idx");
}

std::optional<IndexCacheRecord> IndexCache::load(std::string_view key) {
  std::filesystem::path file = file_for(key);
  // An entry is at most an index file's size plus its header (the payload is smaller than JSON).
  auto bytes =
      fs_.read_file(file, kMaxIndexBytes + kHeaderBytes + kMaxIndexCacheValidator + kChecksumBytes);
  if (!bytes) return std::nullopt;
  auto record = decode_file(*bytes, file.string(), ranges_.get());
  if (!record) return std::nullopt;
  return std::move(*record);
}

std::optional<IndexCacheView> IndexCache::load_view(std::string_view key) {
  std::filesystem::path file = file_for(key);
  auto bytes =
      fs_.read_file(file, kMaxIndexBytes + kHeaderBytes + kMaxIndexCacheValidator + kChecksumBytes);
  if (!bytes) return std::nullopt;
  auto view = decode_index_cache_view(std::move(*bytes), file.string(), ranges_);
  if (!view) return std::nullopt;
  return std::move(*view);
}

std::optional<std::filesystem::path> IndexCache::store(std::string_view key,
                                                       const IndexCacheRecord& record) {
  if (record.validator.size() > kMaxIndexCacheValidator) return std::nullopt;
  std::filesystem::path file = file_for(key);
  if (!fs_.create_directories(file.parent_path())) return std::nullopt;
  if (!fs_.write_file_atomic(file, encode_index_cache_file(record), false)) return std::nullopt;
  return file;
}

namespace {

std::string stat_validator(const FileStat& st) {
  return "stat " + std::to_string(st.size) + " " + std::to_string(st.mtime_ns) + " " +
         std::to_string(st.ctime_ns) + " " + std::to_string(st.inode) + " " +
         std::to_string(st.device);
}

// Stores `index` for `path` with the stat validator, unless the file is racily new (modified
// less than kRacyIndexNs before the entry's own mtime): then with an empty one (git's rule).
void store_for_file(FileSystem& fs, IndexCache& cache, const std::string& key, const FileStat& st,
                    const Digest& source, const PackageIndex& index) {
  IndexCacheRecord record{stat_validator(st), source, index};
  auto written = cache.store(key, record);
  if (!written) return;
  auto entry = fs.stat(*written);
  if (!entry || entry->type != FileType::kRegular || entry->mtime_ns - st.mtime_ns < kRacyIndexNs) {
    record.validator.clear();
    (void)cache.store(key, record);
  }
}

}  // namespace

Result<PackageIndex> read_index_file_cached(FileSystem& fs, IndexCache* cache,
                                            const std::filesystem::path& path, const FileStat& stat,
                                            std::string_view read_context, IndexSource* source) {
  IndexSource ignored;
  IndexSource& from = source ? *source : ignored;
  std::optional<IndexCacheRecord> cached;
  const std::string key = path.string();
  if (cache) {
    cached = cache->load(key);
    if (cached && !cached->validator.empty() && cached->validator == stat_validator(stat)) {
      from = IndexSource::kCacheByStat;
      return std::move(cached->index);
    }
  }
  auto text = fs.read_file(path, kMaxIndexBytes);
  if (!text) return tl::unexpected(text.error().with_context(std::string(read_context)));
  from = IndexSource::kParsed;
  if (!cache) return parse_index(*text, key);
  Digest digest = sha256_bytes(*text);
  if (cached && cached->source == digest) {
    store_for_file(fs, *cache, key, stat, digest, cached->index);
    from = IndexSource::kCacheByDigest;
    return std::move(cached->index);
  }
  auto index = parse_index(*text, key);
  if (!index) return tl::unexpected(index.error());
  store_for_file(fs, *cache, key, stat, digest, *index);
  return index;
}

Result<IndexView> read_index_view_cached(FileSystem& fs, IndexCache* cache,
                                         const std::filesystem::path& path, const FileStat& stat,
                                         std::string_view read_context, IndexSource* source) {
  if (cache) {
    auto cached = cache->load_view(path.string());
    if (cached && !cached->validator.empty() && cached->validator == stat_validator(stat)) {
      if (source) *source = IndexSource::kCacheByStat;
      return std::move(cached->view);
    }
  }
  auto index = read_index_file_cached(fs, cache, path, stat, read_context, source);
  if (!index) return tl::unexpected(index.error());
  return IndexView(std::move(*index));
}

Result<PackageIndex> parse_index_cached(IndexCache* cache, std::string_view key,
                                        std::string_view text, std::string_view file,
                                        IndexSource* source) {
  IndexSource ignored;
  IndexSource& from = source ? *source : ignored;
  from = IndexSource::kParsed;
  if (!cache) return parse_index(text, file);
  Digest digest = sha256_bytes(text);
  auto cached = cache->load(key);
  if (cached && cached->source == digest) {
    from = IndexSource::kCacheByDigest;
    return std::move(cached->index);
  }
  auto index = parse_index(text, file);
  if (!index) return tl::unexpected(index.error());
  (void)cache->store(key, IndexCacheRecord{"", digest, *index});
  return index;
}

}  // namespace reel
