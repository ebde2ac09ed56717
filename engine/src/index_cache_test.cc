#include "reel/engine/index_cache.h"

#include <gtest/gtest.h>

#include <mutex>
#include <tuple>

#include "reel/engine/provider.h"
#include "reel/engine/repo.h"
#include "reel/storage/testing.h"

namespace reel {
namespace {

using testing::TempDir;
using testing::write_file;

DependencySpec dep(const std::string& name, const std::string& range) {
  return DependencySpec{name, range, Range::parse(range).value()};
}

// An entry with every field of IndexEntry set to something other than its default.
IndexEntry full_entry() {
  IndexEntry e;
  e.version = Version::parse("3.2.1-rc.1+build.5").value();
  e.type = "prop";
  e.dependencies = {dep("Leg", ">=1.2.3 <2.0"), dep("screw", "^0.3 || ==1.0.0-beta.2")};
  e.groups["build"] = {dep("Lighting", "^2")};
  e.groups["edit"] = {dep("RigTools", "*"), dep("zz-tool", "~=1.2")};
  e.archive = {"packages/table/Table-3.2.1-rc.1+build.5.reel", sha256_bytes("archive"), 1830};
  e.file_count = 12;
  e.file_size = 48213340;
  e.published = "2026-11-20T10:00:00Z";
  e.source = {"0123abcd", true};
  e.yanked = true;
  e.yank = YankRecord{"broken UVs", "Jade <jade@studio>", "2026-11-22T08:00:00Z"};
  e.review.current = {ReviewState::kApproved, "Jade <jade@studio>", "2026-11-21T09:00:00Z", "ok"};
  e.review.history = {
      {ReviewState::kPending, "", "2026-11-20T10:00:00Z", ""},
      {ReviewState::kRejected, "Ann <ann@studio>", "2026-11-20T11:00:00Z", "legs too short"}};
  e.unresolved = true;
  e.metadata_json = R"({"fps":24,"shot":{"in":1001,"out":1048}})";
  return e;
}

void expect_same_deps(const std::vector<DependencySpec>& a, const std::vector<DependencySpec>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].range_text, b[i].range_text);
    EXPECT_TRUE(a[i].range == b[i].range) << a[i].range_text;
    EXPECT_EQ(a[i].range.source_text(), b[i].range.source_text());
  }
}

auto review_fields(const ReviewRecord& r) { return std::make_tuple(r.state, r.by, r.at, r.note); }

// Every field of IndexEntry, one by one.
void expect_same(const IndexEntry& a, const IndexEntry& b) {
  EXPECT_EQ(a.version.to_string(), b.version.to_string());
  EXPECT_TRUE(a.version == b.version);
  EXPECT_EQ(a.version.build(), b.version.build());
  EXPECT_EQ(a.type, b.type);
  expect_same_deps(a.dependencies, b.dependencies);
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (const auto& [name, deps] : a.groups) {
    ASSERT_TRUE(b.groups.count(name)) << name;
    expect_same_deps(deps, b.groups.at(name));
  }
  EXPECT_EQ(a.archive.path, b.archive.path);
  EXPECT_EQ(a.archive.sha256, b.archive.sha256);
  EXPECT_EQ(a.archive.size, b.archive.size);
  EXPECT_EQ(a.file_count, b.file_count);
  EXPECT_EQ(a.file_size, b.file_size);
  EXPECT_EQ(a.published, b.published);
  EXPECT_EQ(a.source.commit, b.source.commit);
  EXPECT_EQ(a.source.dirty, b.source.dirty);
  EXPECT_EQ(a.yanked, b.yanked);
  ASSERT_EQ(a.yank.has_value(), b.yank.has_value());
  if (a.yank) {
    EXPECT_EQ(a.yank->reason, b.yank->reason);
    EXPECT_EQ(a.yank->by, b.yank->by);
    EXPECT_EQ(a.yank->at, b.yank->at);
  }
  EXPECT_EQ(review_fields(a.review.current), review_fields(b.review.current));
  ASSERT_EQ(a.review.history.size(), b.review.history.size());
  for (std::size_t i = 0; i < a.review.history.size(); ++i)
    EXPECT_EQ(review_fields(a.review.history[i]), review_fields(b.review.history[i]));
  EXPECT_EQ(a.unresolved, b.unresolved);
  EXPECT_EQ(a.metadata_json, b.metadata_json);
}

void expect_same(const PackageIndex& a, const PackageIndex& b) {
  EXPECT_EQ(a.name, b.name);
  ASSERT_EQ(a.versions.size(), b.versions.size());
  for (std::size_t i = 0; i < a.versions.size(); ++i) {
    SCOPED_TRACE("versions[" + std::to_string(i) + "]");
    expect_same(a.versions[i], b.versions[i]);
  }
}

PackageIndex sample_index() {
  PackageIndex index;
  index.name = "Table";
  IndexEntry plain;
  plain.version = Version(1, 0, 0);
  plain.archive = {"packages/table/Table-1.0.0.reel", sha256_bytes("a"), 10};
  plain.review.current.state = ReviewState::kPending;
  index.versions = {plain, full_entry()};
  return index;
}

TEST(IndexCache, PayloadRoundTripsEveryField) {
  PackageIndex index = sample_index();
  std::string bytes = encode_index_payload(index);
  auto back = decode_index_payload(bytes, "test");
  ASSERT_TRUE(back) << back.error().message;
  expect_same(index, *back);
  EXPECT_EQ(encode_index_payload(*back), bytes);
  // The JSON path and the cache path give the same index.
  auto parsed = parse_index(serialize_index(index), "index/table.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto through_cache = decode_index_payload(encode_index_payload(*parsed), "test");
  ASSERT_TRUE(through_cache) << through_cache.error().message;
  expect_same(*parsed, *through_cache);
}

TEST(IndexCache, PayloadThatParseIndexCouldNotProduceIsRefused) {
  auto bad = [](auto change) {
    PackageIndex index = sample_index();
    change(index);
    return decode_index_payload(encode_index_payload(index), "entry");
  };
  auto refused = [](const Result<PackageIndex>& r, const std::string& why) {
    ASSERT_FALSE(r) << why;
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  };
  refused(bad([](PackageIndex& i) { i.name = "-x"; }), "not a package name");
  refused(bad([](PackageIndex& i) { std::swap(i.versions[0], i.versions[1]); }), "out of order");
  refused(bad([](PackageIndex& i) { i.versions[1].dependencies[0].range_text = ">=1..2"; }),
          "does not parse");
  refused(bad([](PackageIndex& i) {
            std::swap(i.versions[1].dependencies[0], i.versions[1].dependencies[1]);
          }),
          "dependencies out of order");
  refused(bad([](PackageIndex& i) { i.versions[1].review.history[1].note.clear(); }),
          "rejection without a note");
  refused(bad([](PackageIndex& i) { i.versions[1].metadata_json = "[1]"; }), "metadata");
  refused(bad([](PackageIndex& i) { i.versions[1].metadata_json = "{ }"; }), "metadata");
  // Fuzzing found a payload whose note was not UTF-8: serialize_index then threw.
  refused(bad([](PackageIndex& i) { i.versions[1].review.history[1].note = "ok \x9d"; }),
          "not valid UTF-8");
  refused(bad([](PackageIndex& i) { i.versions[0].type = "\xc3"; }), "not valid UTF-8");
  std::string bytes = encode_index_payload(sample_index());
  refused(decode_index_payload(bytes + "x", "entry"), "bytes after");
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(decode_index_payload(bytes.substr(0, n), "entry")) << n;
}

TEST(IndexCache, CacheFileIsCheckedWholeBeforeItIsTrusted) {
  IndexCacheRecord record{"stat 1 2 3", sha256_bytes("json"), sample_index()};
  std::string file = encode_index_cache_file(record);
  auto back = decode_index_cache_file(file, "f");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->validator, "stat 1 2 3");
  EXPECT_EQ(back->source, sha256_bytes("json"));
  expect_same(record.index, back->index);
  for (std::size_t n = 0; n < file.size(); ++n) {  // every truncation
    auto r = decode_index_cache_file(file.substr(0, n), "f");
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  }
  for (std::size_t i = 0; i < file.size(); ++i) {  // every flipped byte
    std::string damaged = file;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    EXPECT_FALSE(decode_index_cache_file(damaged, "f")) << i;
  }
  std::string other_format = file;
  other_format[8] = 1;  // format 1: entries without their lengths
  auto r = decode_index_cache_file(other_format, "f");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("format version"), std::string::npos);
}

TEST(IndexCache, ViewHoldsEverySummaryAndDecodesWholeEntriesOnDemand) {
  PackageIndex index = sample_index();
  IndexCacheRecord record{"stat 1 2 3", sha256_bytes("json"), index};
  auto view = decode_index_cache_view(encode_index_cache_file(record), "f");
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->validator, "stat 1 2 3");
  EXPECT_EQ(view->source, sha256_bytes("json"));
  EXPECT_EQ(view->view.name(), "Table");
  ASSERT_EQ(view->view.versions().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const VersionSummary& s = view->view.versions()[i];
    EXPECT_EQ(s.version.to_string(), index.versions[i].version.to_string());
    EXPECT_EQ(s.yanked, index.versions[i].yanked);
    auto deps = view->view.dependencies(s.version);
    ASSERT_TRUE(deps && *deps) << i;
    expect_same_deps(**deps, index.versions[i].dependencies);
    EXPECT_EQ(view->view.dependencies(s.version).value(), *deps);  // decoded once
    auto entry = view->view.entry(index.versions[i].version);
    ASSERT_TRUE(entry && *entry) << i;
    expect_same(index.versions[i], **entry);
    EXPECT_EQ(view->view.entry(index.versions[i].version).value(), *entry);  // decoded once
  }
  auto absent = view->view.entry(Version(9, 9, 9));
  ASSERT_TRUE(absent);
  EXPECT_EQ(*absent, nullptr);
  auto no_deps = view->view.dependencies(Version(9, 9, 9));
  ASSERT_TRUE(no_deps);
  EXPECT_EQ(*no_deps, nullptr);
  auto whole = std::move(view->view).to_index();
  ASSERT_TRUE(whole) << whole.error().message;
  expect_same(index, *whole);
  // A whole index wrapped as a view answers the same.
  IndexView wrapped(index);
  expect_same(index.versions[1], *wrapped.entry(index.versions[1].version).value());
}

TEST(IndexCache, ViewOfADamagedEntryFailsWhenThatEntryIsRead) {
  // Metadata that is not an object (bytes no parse could give, under a valid checksum): the
  // summaries decode, the whole entry does not, and the error names the file.
  PackageIndex index = sample_index();
  index.versions[1].metadata_json = "[1]";
  std::string file = encode_index_cache_file({"", sha256_bytes("json"), index});
  EXPECT_FALSE(decode_index_cache_file(file, "cache/ab/cd.idx"));
  auto view = decode_index_cache_view(file, "cache/ab/cd.idx");
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_TRUE(view->view.entry(index.versions[0].version));
  EXPECT_TRUE(view->view.dependencies(index.versions[1].version));  // read before the metadata
  auto bad = view->view.entry(index.versions[1].version);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kCorruption);
  EXPECT_NE(bad.error().message.find("cache/ab/cd.idx"), std::string::npos);
  EXPECT_NE(bad.error().message.find("metadata"), std::string::npos) << bad.error().message;
  // Dependencies are checked when they are read: a range that does not parse.
  index = sample_index();
  index.versions[1].dependencies[0].range_text = ">=1..2";
  view = decode_index_cache_view(encode_index_cache_file({"", {}, index}), "cache/ef.idx");
  ASSERT_TRUE(view) << view.error().message;
  auto deps = view->view.dependencies(index.versions[1].version);
  ASSERT_FALSE(deps);
  EXPECT_EQ(deps.error().code, ErrorCode::kCorruption);
  EXPECT_NE(deps.error().message.find("does not parse"), std::string::npos) << deps.error().message;
  EXPECT_FALSE(view->view.entry(index.versions[1].version));
  // The summaries are checked as the whole payload's are.
  index = sample_index();
  std::swap(index.versions[0], index.versions[1]);
  auto swapped = decode_index_cache_view(encode_index_cache_file({"", {}, index}), "f");
  ASSERT_FALSE(swapped);
  EXPECT_NE(swapped.error().message.find("out of order"), std::string::npos);
  // Every truncation and flipped byte of a good file is refused (the checksum covers it all).
  file = encode_index_cache_file({"v", sha256_bytes("json"), sample_index()});
  for (std::size_t n = 0; n < file.size(); ++n)
    EXPECT_FALSE(decode_index_cache_view(file.substr(0, n), "f")) << n;
  for (std::size_t i = 0; i < file.size(); ++i) {
    std::string damaged = file;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    EXPECT_FALSE(decode_index_cache_view(damaged, "f")) << i;
  }
}

// A folder repo with one index file whose mtime is an hour old (so its stat can be trusted).
struct FolderCacheTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  fs::path root = dir.path() / "blessed";
  fs::path cache_dir = dir.path() / "cache" / "index-v1";
  fs::path json = root / "index" / "table.json";

  void SetUp() override {
    ASSERT_TRUE(init_folder_repo(*fs, root, "blessed"));
    write_index(sample_index());
  }
  void write_index(const PackageIndex& index) {
    write_file(json, serialize_index(index));
    auto st = fs->stat(json).value();
    ASSERT_TRUE(fs->set_mtime(json, st.mtime_ns - std::int64_t{3600} * 1000000000));
  }
  std::unique_ptr<Repo> open() {
    RepoOpenOptions options;
    options.index_cache_dir = cache_dir;
    return open_repo(*fs, root.string(), options).value();
  }
  IndexCache cache() { return IndexCache(*fs, cache_dir); }
};

TEST_F(FolderCacheTest, SecondReadComesFromTheCacheWithoutTheJson) {
  auto repo = open();
  auto first = repo->read_index("Table");
  ASSERT_TRUE(first && *first);
  expect_same(sample_index(), **first);
  IndexCache c = cache();
  auto record = c.load(json.string());
  ASSERT_TRUE(record);
  EXPECT_FALSE(record->validator.empty());
  EXPECT_EQ(record->source, sha256_bytes(fs->read_file(json).value()));
  // An entry doctored under the same validator is what the next read returns: the JSON was not
  // read (a hit costs a stat and one cache file).
  record->index.versions[0].type = "from-the-cache";
  ASSERT_TRUE(c.store(json.string(), *record));
  auto second = open()->read_index("table");
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->versions[0].type, "from-the-cache");
}

TEST_F(FolderCacheTest, ViewComesFromTheCacheWhenItsStatIsTrusted) {
  auto repo = open();
  auto first = repo->read_index_view("Table");  // a miss: parsed, the entry written
  ASSERT_TRUE(first && *first) << (first ? "" : first.error().message);
  expect_same(sample_index().versions[1],
              *(*first)->entry(Version::parse("3.2.1-rc.1+build.5").value()).value());
  IndexCache c = cache();
  auto record = c.load(json.string());
  ASSERT_TRUE(record);
  record->index.versions[1].type = "from-the-cache";
  ASSERT_TRUE(c.store(json.string(), *record));
  auto second = open()->read_index_view("TABLE");
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->name(), "Table");
  auto entry = (*second)->entry(record->index.versions[1].version);
  ASSERT_TRUE(entry && *entry);
  EXPECT_EQ((*entry)->type, "from-the-cache");
  auto none = open()->read_index_view("Chair");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(FolderCacheTest, ProviderNamesADamagedCachedEntryItPicks) {
  ASSERT_TRUE(open()->read_index("Table").value());
  IndexCache c = cache();
  auto record = c.load(json.string());
  ASSERT_TRUE(record);
  record->index.versions[1].metadata_json = "[1]";  // under the file's own validator
  ASSERT_TRUE(c.store(json.string(), *record));
  auto repo = open();
  RepoProvider provider({{"blessed", repo.get()}});
  EXPECT_EQ(provider.versions("Table").size(), 2u);
  EXPECT_TRUE(provider.entry("Table", Version(1, 0, 0)));
  EXPECT_FALSE(provider.error());
  EXPECT_EQ(provider.entry("Table", record->index.versions[1].version), nullptr);
  ASSERT_TRUE(provider.error());
  EXPECT_EQ(provider.error()->code, ErrorCode::kCorruption);
  EXPECT_NE(provider.error()->message.find(c.file_for(json.string()).string()), std::string::npos)
      << provider.error()->message;
}

TEST_F(FolderCacheTest, ChangedIndexFileIsReadAgain) {
  ASSERT_TRUE(open()->read_index("Table").value());
  PackageIndex changed = sample_index();
  IndexEntry next = changed.versions[1];
  next.version = Version(4, 0, 0);
  changed.versions.push_back(next);
  write_index(changed);
  auto back = open()->read_index("Table");
  ASSERT_TRUE(back && *back);
  expect_same(changed, **back);
  auto record = cache().load(json.string());
  ASSERT_TRUE(record);
  EXPECT_EQ(record->index.versions.size(), 3u);
}

TEST_F(FolderCacheTest, SameBytesWithANewStatReuseTheEntryAndRenewItsValidator) {
  ASSERT_TRUE(open()->read_index("Table").value());
  IndexCache c = cache();
  auto before = c.load(json.string()).value();
  before.index.versions[0].type = "kept";  // proves the payload is reused, not re-parsed
  ASSERT_TRUE(c.store(json.string(), before));
  auto st = fs->stat(json).value();
  ASSERT_TRUE(fs->set_mtime(json, st.mtime_ns - 1000000000));  // same bytes, another stat
  auto back = open()->read_index("Table");
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->versions[0].type, "kept");
  auto after = c.load(json.string()).value();
  EXPECT_NE(after.validator, before.validator);
  EXPECT_FALSE(after.validator.empty());
}

// A sink recording the -vv lines (storage/detail.h).
struct RecordingSink : DetailSink {
  std::mutex mutex;
  std::vector<std::string> lines;
  int detail_level() const override { return 2; }
  void detail(int, std::string_view line) override {
    std::lock_guard<std::mutex> lock(mutex);
    lines.emplace_back(line);
  }
};

TEST_F(FolderCacheTest, DetailSinkCountsEachReadByWhereItCameFrom) {
  RecordingSink sink;
  RepoOpenOptions options;
  options.index_cache_dir = cache_dir;
  options.detail = &sink;
  auto repo = open_repo(*fs, root.string(), options).value();
  ASSERT_TRUE(repo->read_index("Table").value());  // parsed
  ASSERT_TRUE(repo->read_index("Table").value());  // trusted by its stat
  auto st = fs->stat(json).value();
  ASSERT_TRUE(fs->set_mtime(json, st.mtime_ns - 1000000000));
  ASSERT_TRUE(repo->read_index("Table").value());  // same bytes, another stat: by digest
  const DetailCounters& c = sink.counters();
  EXPECT_EQ(c.repos_opened.load(), 1u);
  EXPECT_EQ(c.index_files.load(), 3u);
  EXPECT_EQ(c.index_parsed.load(), 1u);
  EXPECT_EQ(c.index_cache_stat.load(), 1u);
  EXPECT_EQ(c.index_cache_digest.load(), 1u);
  EXPECT_EQ(c.index_not_modified.load() + c.index_fetched.load(), 0u);
  ASSERT_EQ(sink.lines.size(), 4u);
  EXPECT_EQ(sink.lines[0].rfind("repo blessed: folder " + root.string() + " (", 0), 0u)
      << sink.lines[0];
  EXPECT_EQ(sink.lines[1], "index table.json (repo blessed): parsed");
  EXPECT_EQ(sink.lines[2], "index table.json (repo blessed): index cache (stat)");
  EXPECT_EQ(sink.lines[3], "index table.json (repo blessed): index cache (digest)");
}

TEST_F(FolderCacheTest, CorruptOrTruncatedEntryIsIgnoredAndRewritten) {
  ASSERT_TRUE(open()->read_index("Table").value());
  IndexCache c = cache();
  fs::path entry = c.file_for(json.string());
  std::string good = fs->read_file(entry).value();
  for (const std::string& bad :
       {std::string(), good.substr(0, good.size() / 2), good.substr(0, good.size() - 1),
        std::string(good.size(), '\0'), std::string("garbage")}) {
    write_file(entry, bad);
    auto back = open()->read_index("Table");
    ASSERT_TRUE(back && *back) << back.error().message;
    expect_same(sample_index(), **back);
    ASSERT_TRUE(c.load(json.string())) << "not rewritten after " << bad.size() << " bytes";
  }
  // An entry whose source digest is not the file's is a miss too, whatever its payload says.
  auto record = c.load(json.string()).value();
  record.validator.clear();
  record.source = sha256_bytes("other");
  record.index.versions.pop_back();
  ASSERT_TRUE(c.store(json.string(), record));
  auto back = open()->read_index("Table");
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->versions.size(), 2u);
}

TEST_F(FolderCacheTest, RacilyNewFileIsHashedNotTrustedByItsStat) {
  write_file(json, serialize_index(sample_index()));  // mtime now
  ASSERT_TRUE(open()->read_index("Table").value());
  auto record = cache().load(json.string());
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->validator.empty());
}

TEST_F(FolderCacheTest, MalformedIndexKeepsItsErrorAndIsNotCached) {
  write_file(json, R"({"format": 1, "name": "Table", "versions": [{"version": "1.2"}]})");
  auto direct = parse_index(fs->read_file(json).value(), json.string());
  ASSERT_FALSE(direct);
  auto through = open()->read_index("Table");
  ASSERT_FALSE(through);
  EXPECT_EQ(through.error().message, direct.error().message);
  EXPECT_NE(through.error().message.find("versions[0].version"), std::string::npos);
  EXPECT_FALSE(cache().load(json.string()));
}

TEST_F(FolderCacheTest, NoCacheDirectoryMeansNoCache) {
  auto repo = open_repo(*fs, root.string()).value();
  ASSERT_TRUE(repo->read_index("Table").value());
  EXPECT_EQ(fs->stat(cache_dir).value().type, FileType::kMissing);
}

}  // namespace
}  // namespace reel
