#include "reel/engine/index.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "index_sax.h"
#include "reel/engine/index_cache.h"

namespace reel {
namespace {

IndexEntry entry(const std::string& version, const std::string& payload) {
  IndexEntry e;
  e.version = Version::parse(version).value();
  e.type = "prop";
  e.dependencies.push_back({"Leg", ">=1", Range::parse(">=1").value()});
  e.groups["build"].push_back({"Lighting", "^2", Range::parse("^2").value()});
  e.archive = {"packages/table/Table-" + version + ".reel", sha256_bytes(payload), 1830};
  e.file_count = 12;
  e.file_size = 48213340;
  e.published = "2026-11-20T10:00:00Z";
  e.source = {"0123abcd", true};
  e.metadata_json = R"({"fps":24})";
  return e;
}

TEST(Index, RoundTripIsStableWithFixedKeyOrderAndAscendingVersions) {
  PackageIndex index;
  index.name = "Table";
  index.versions = {entry("3.2.1", "c"), entry("1.0.0", "a"), entry("3.2.1-rc.1", "b")};
  index.versions[1].yanked = true;
  std::string text = serialize_index(index);
  auto back = parse_index(text, "index/table.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->name, "Table");
  ASSERT_EQ(back->versions.size(), 3u);
  EXPECT_EQ(back->versions[0].version.to_string(), "1.0.0");
  EXPECT_EQ(back->versions[1].version.to_string(), "3.2.1-rc.1");
  EXPECT_EQ(back->versions[2].version.to_string(), "3.2.1");
  const IndexEntry& e = back->versions[2];
  EXPECT_EQ(e.type, "prop");
  ASSERT_EQ(e.dependencies.size(), 1u);
  EXPECT_EQ(e.dependencies[0].name, "Leg");
  EXPECT_TRUE(e.dependencies[0].range.contains(Version(1, 5, 0)));
  EXPECT_EQ(e.groups.at("build").at(0).range_text, "^2");
  EXPECT_EQ(e.archive.path, "packages/table/Table-3.2.1.reel");
  EXPECT_EQ(e.archive.sha256, sha256_bytes("c"));
  EXPECT_EQ(e.archive.size, 1830u);
  EXPECT_EQ(e.file_count, 12u);
  EXPECT_EQ(e.file_size, 48213340u);
  EXPECT_EQ(e.published, "2026-11-20T10:00:00Z");
  EXPECT_EQ(e.source.commit, "0123abcd");
  EXPECT_TRUE(e.source.dirty);
  EXPECT_FALSE(e.yanked);
  EXPECT_TRUE(back->versions[0].yanked);
  EXPECT_EQ(nlohmann::json::parse(e.metadata_json), nlohmann::json::parse(R"({"fps":24})"));
  EXPECT_EQ(back->find(Version(1, 0, 0)), &back->versions[0]);
  EXPECT_EQ(back->find(Version(9, 0, 0)), nullptr);
  EXPECT_EQ(serialize_index(*back), text);
  // Keys in DESIGN §2's order.
  std::size_t last = 0;
  for (const char* key : {"\"format\"", "\"name\"", "\"versions\"", "\"version\"", "\"type\"",
                          "\"dependencies\"", "\"dependency-groups\"", "\"archive\"", "\"files\"",
                          "\"published\"", "\"source\"", "\"review\"", "\"yanked\""}) {
    std::size_t at = text.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at, last) << key << " out of order in\n" << text;
    last = at;
  }
  EXPECT_EQ(text.back(), '\n');
}

TEST(Index, MalformedFieldsAreNamedByTheirJsonPath) {
  const std::string sha = sha256_bytes("x").hex();
  auto version = [&](const std::string& v, const std::string& extra = "") {
    return R"({"version": ")" + v + R"(", "archive": {"path": "p", "sha256": ")" + sha +
           R"(", "size": 1})" + extra + "}";
  };
  auto index = [&](const std::string& versions) {
    return R"({"format": 1, "name": "Table", "versions": [)" + versions + "]}";
  };
  struct Case {
    std::string text;
    std::string needle;
  };
  std::vector<Case> cases = {
      {R"({"name": "Table", "versions": []})", "format"},
      {R"({"format": 2, "name": "Table", "versions": []})", "format"},
      {R"({"format": 1, "versions": []})", "name"},
      {R"({"format": 1, "name": "-x", "versions": []})", "name"},
      {R"({"format": 1, "name": "Table", "versions": {}})", "versions"},
      {"[1, 2]", "(root)"},
      {index("3"), "versions[0]"},
      {index(version("1.0.0") + "," + version("1.2")), "versions[1].version"},
      {index(R"({"version": "1.0.0"})"), "versions[0].archive"},
      {index(R"({"version": "1.0.0", "archive": {"sha256": ")" + sha + R"(", "size": 1}})"),
       "versions[0].archive.path"},
      {index(version("1.0.0") + "," + version("1.1.0") + "," +
             R"({"version": "2.0.0", "archive": {"path": "p", "sha256": "zz", "size": 1}})"),
       "versions[2].archive.sha256"},
      {index(R"({"version": "1.0.0", "archive": {"path": "p", "sha256": ")" + sha +
             R"(", "size": -4}})"),
       "versions[0].archive.size"},
      {index(version("1.0.0", R"(, "dependencies": {"Leg": ">=1..2"})")),
       "versions[0].dependencies.Leg"},
      {index(version("1.0.0", R"(, "dependencies": ["Leg"])")), "versions[0].dependencies"},
      {index(version("1.0.0", R"(, "dependency-groups": {"build": {"Lighting": 2}})")),
       "versions[0].dependency-groups.build.Lighting"},
      {index(version("1.0.0", R"(, "yanked": "no")")), "versions[0].yanked"},
      {index(version("1.0.0", R"(, "yanked": {"reason": 3})")), "versions[0].yanked.reason"},
      {index(version("1.0.0", R"(, "review": "approved")")), "versions[0].review"},
      {index(version("1.0.0", R"(, "review": {"state": "blessed"})")), "versions[0].review.state"},
      {index(version("1.0.0", R"(, "review": {"state": "rejected", "by": "x"})")),
       "versions[0].review.note"},
      {index(version("1.0.0", R"(, "review": {"state": "approved", "history": {}})")),
       "versions[0].review.history"},
      {index(version("1.0.0",
                     R"(, "review": {"state": "approved", "history": [{"state": "rejected"}]})")),
       "versions[0].review.history[0].note"},
      {index(version("1.0.0", R"(, "files": {"count": "many"})")), "versions[0].files.count"},
      {index(version("1.0.0", R"(, "metadata": [1])")), "versions[0].metadata"},
      {index(version("1.0.0", R"(, "type": 7)")), "versions[0].type"},
  };
  for (const auto& c : cases) {
    auto r = parse_index(c.text, "index/table.json");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message.find("index/table.json: " + c.needle + ":"), 0u)
        << "wanted the path '" << c.needle << "' in: " << r.error().message;
  }
}

TEST(Index, ReviewAndYankRecordsRoundTrip) {
  PackageIndex index;
  index.name = "Table";
  index.versions = {entry("1.0.0", "a"), entry("2.0.0", "b")};
  IndexEntry& first = index.versions[0];
  first.review.history = {
      {ReviewState::kPending, "Ann <ann@studio>", "2026-11-20T10:00:00Z", ""},
      {ReviewState::kRejected, "Jade <jade@studio>", "2026-11-20T11:00:00Z", "legs too short"}};
  first.review.current = {ReviewState::kApproved, "Jade <jade@studio>", "2026-11-21T09:00:00Z",
                          "ok for lighting"};
  first.yanked = true;
  first.yank = YankRecord{"broken UVs", "Jade <jade@studio>", "2026-11-22T08:00:00Z"};
  std::string text = serialize_index(index);
  auto back = parse_index(text, "index/table.json");
  ASSERT_TRUE(back) << back.error().message;
  const IndexEntry& e = back->versions[0];
  EXPECT_EQ(e.review.current.state, ReviewState::kApproved);
  EXPECT_EQ(e.review.current.by, "Jade <jade@studio>");
  EXPECT_EQ(e.review.current.note, "ok for lighting");
  ASSERT_EQ(e.review.history.size(), 2u);
  EXPECT_EQ(e.review.history[1].state, ReviewState::kRejected);
  EXPECT_EQ(e.review.history[1].note, "legs too short");
  ASSERT_TRUE(e.yanked);
  ASSERT_TRUE(e.yank);
  EXPECT_EQ(e.yank->reason, "broken UVs");
  // A new entry is pending, with no history and not yanked.
  const IndexEntry& second = back->versions[1];
  EXPECT_EQ(second.review.current.state, ReviewState::kPending);
  EXPECT_TRUE(second.review.history.empty());
  EXPECT_FALSE(second.yanked);
  EXPECT_EQ(serialize_index(*back), text);
  auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json["versions"][0]["yanked"]["reason"], "broken UVs");
  EXPECT_EQ(json["versions"][1]["yanked"], false);
  EXPECT_EQ(json["versions"][1]["review"]["state"], "pending");
  EXPECT_FALSE(json["versions"][1]["review"].contains("history"));
}

TEST(Index, EntriesWithoutReviewPredateTheWorkflowAndReadAsApproved) {
  const std::string sha = sha256_bytes("x").hex();
  auto r = parse_index(R"({"format": 1, "name": "Table", "versions": [{"version": "1.0.0",
      "archive": {"path": "p", "sha256": ")" +
                           sha + R"(", "size": 1}, "yanked": true}]})",
                       "index/table.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->versions[0].review.current.state, ReviewState::kApproved);
  EXPECT_TRUE(r->versions[0].yanked);
  ASSERT_TRUE(r->versions[0].yank);
  EXPECT_EQ(r->versions[0].yank->reason, "");
}

TEST(Index, InvalidJsonNamesFileAndBytePosition) {
  auto r = parse_index("{\"format\": 1,\n \"name\": ", "index/table.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("index/table.json"), std::string::npos);
  // nlohmann counts bytes from 1: the input is 23 bytes and ends too early.
  EXPECT_NE(r.error().message.find("at byte 24: parse error at line 2, column 10"),
            std::string::npos)
      << r.error().message;
}

TEST(Index, SaxParseReadsWhatTheDocumentParseReads) {
  // encode_index_payload writes every field of every entry: equal bytes, equal indexes.
  auto same = [](const std::string& text) {
    auto document = parse_index_document(text, "index/table.json");
    ASSERT_TRUE(document) << document.error().message;
    auto sax = parse_index_sax(text);
    ASSERT_TRUE(sax) << "the SAX parse gave up on\n" << text;
    EXPECT_EQ(encode_index_payload(*sax), encode_index_payload(*document)) << text;
  };
  PackageIndex index;
  index.name = "Table";
  index.versions = {entry("3.2.1", "c"), entry("1.0.0", "a"), entry("3.2.1-rc.1", "b")};
  index.versions[1].yanked = true;
  index.versions[1].yank = YankRecord{"broken", "Jade", "2026-11-22T08:00:00Z"};
  index.versions[1].review.history = {{ReviewState::kRejected, "Ann", "x", "uvs"}};
  index.versions[2].unresolved = true;
  index.versions[2].metadata_json = R"({"shot":{"in":1001,"tags":["a",1.5,null,true]},"fps":24})";
  same(serialize_index(index));
  const std::string sha = sha256_bytes("x").hex();
  const std::string archive =
      R"("archive": {"path": "p", "sha256": ")" + sha + R"(", "size": 1, "x": [1]})";
  auto one = [&](const std::string& fields) {
    return R"({"format": 1.0, "name": "Table", "extra": {"a": [1, {"b": 2}]}, "versions": [{"version": "1.0.0", )" +
           archive + fields + "}]}";
  };
  for (const std::string& fields :
       {std::string(),
        std::string(
            R"(, "type": null, "dependencies": null, "dependency-groups": {"build": null})"),
        std::string(R"(, "files": "many", "source": 3, "yanked": true, "review": null)"),
        std::string(R"(, "files": {"count": 2}, "source": {"dirty": "yes", "commit": null})"),
        std::string(
            R"(, "yanked": {"reason": null, "other": {}}, "unresolved": false, "metadata": {})"),
        std::string(R"(, "review": {"state": "approved", "history": null, "x": 1})"),
        std::string(R"(, "dependencies": {"leg": "*", "Arm": "^1", "body": ">=1 <2"})"),
        std::string(R"(, "metadata": {"a": 1, "a": 2, "b": {"c": []}})")}) {
    same(one(fields));
  }
  // It gives up where the document parse fails (that parse names the field) and where only the
  // whole document knows the answer (a key the reader uses given twice: the last one wins).
  for (const std::string& text :
       {one(R"(, "type": 7)"), one(R"(, "type": "a", "type": "b")"),
        one(R"(, "dependencies": {"Leg": "*", "Leg": "^1"})"), std::string("[1]"),
        std::string(R"({"format": 1, "name": "Table", "versions": [], "versions": []})"),
        std::string(R"({"format": 2, "name": "Table", "versions": []})"),
        std::string("{\"format\": 1,")}) {
    EXPECT_FALSE(parse_index_sax(text)) << text;
    auto document = parse_index_document(text, "f");
    auto full = parse_index(text, "f");
    ASSERT_EQ(document.has_value(), full.has_value()) << text;
    if (!document) {
      EXPECT_EQ(document.error().message, full.error().message);
    }
  }
}

}  // namespace
}  // namespace reel
