// HttpRepo against a real HTTP server (cpp-httplib on 127.0.0.1): a folder repo served statically
// under /repo, the same files under /faulty through a handler that injects faults per path, and
// a small publish endpoint under /pub that records what it was sent.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine_test_util.h"
#include "reel/engine/repo.h"

namespace reel {
namespace {

using engine_testing::RepoTest;

enum class Fault { kNone, kFail500Twice, kAlways500, kCutOnce, kCutThenIgnoreRange, kWrongBytes };

// The fake server's state: faults to inject and what it saw. Guarded by `mutex`.
struct ServerLog {
  std::mutex mutex;
  std::map<std::string, Fault> faults;                     // by repo-relative path
  std::map<std::string, int> hits;                         // by repo-relative path
  std::map<std::string, std::vector<std::string>> ranges;  // Range headers, by path
  std::vector<std::string> if_none_match;                  // for index files
  int not_modified = 0;                                    // 304s sent
  std::set<std::string> present;                           // /pub: objects it has (relative paths)
  std::vector<std::string> heads, puts;                    // /pub: paths HEADed and PUT
  std::string posted_path, posted_body, posted_commit, posted_dirty, posted_auth;
  bool conflict = false;  // /pub: answer the POST with 409
};

class HttpRepoTest : public RepoTest {
 protected:
  void SetUp() override {
    blessed = make_repo("blessed");
    ASSERT_TRUE(publish(*blessed,
                        asset("Table", "1.0.0", std::string(300000, 't'), "chair = \">=0\"\n"),
                        SourceInfo{"abc", false}));
    ASSERT_TRUE(publish(*blessed, asset("chair", "0.1.0", "chair\n")));
    root = dir.path() / "blessed";
    ASSERT_TRUE(server.set_mount_point("/repo", root.string()));
    server.Get(R"(/faulty/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      serve_faulty(req.matches[1], req, res);
    });
    server.Get(R"(/pub/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> hold(log.mutex);
      std::string path = req.matches[1];
      if (path == "reel-repo.json") {
        res.set_content(R"({"format": 1, "name": "pub"})", "application/json");
        return;
      }
      if (req.method == "HEAD") log.heads.push_back(path);
      res.status = log.present.count(path) ? 200 : 404;
    });
    server.Put(R"(/pub/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> hold(log.mutex);
      std::string path = req.matches[1];
      std::string hex = path.substr(15, 2) + path.substr(18);  // objects/sha256/ab/cdef...
      if (sha256_bytes(req.body).hex() != hex) {
        res.status = 400;
        res.set_content("digest mismatch\n", "text/plain");
        return;
      }
      log.puts.push_back(path);
      log.present.insert(path);
      res.status = 201;
    });
    server.Post(R"(/pub/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> hold(log.mutex);
      log.posted_path = req.matches[1];
      log.posted_body = req.body;
      log.posted_commit = req.get_header_value("Reel-Source-Commit");
      log.posted_dirty = req.get_header_value("Reel-Source-Dirty");
      log.posted_auth = req.get_header_value("Authorization");
      if (log.conflict) {
        res.status = 409;
        res.set_content("Table 1.0.0 is already published with another archive\n", "text/plain");
        return;
      }
      res.status = 201;
    });
    server.Get("/locked/reel-repo.json", [](const httplib::Request&, httplib::Response& res) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      res.set_content("unknown token\n", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void TearDown() override {
    server.stop();
    if (thread.joinable()) thread.join();
  }

  std::string url(const std::string& prefix) {
    return "http://127.0.0.1:" + std::to_string(port) + "/" + prefix;
  }

  RepoOpenOptions options(const std::string& token = "") {
    RepoOpenOptions o;
    o.http_cache_dir = dir.path() / "http-cache";
    o.token = token;
    return o;
  }

  std::unique_ptr<Repo> open(const std::string& prefix) {
    auto repo = open_repo(*fs, url(prefix), options());
    EXPECT_TRUE(repo) << repo.error().message;
    return repo ? std::move(*repo) : nullptr;
  }

  std::string object_rel(const Digest& d) {
    return "objects/sha256/" + d.hex().substr(0, 2) + "/" + d.hex().substr(2);
  }

  // The published Table package's files, read back from the folder repo.
  BuiltPackage table() {
    auto index = blessed->read_index("Table").value();
    auto bytes = blessed->read_archive(index->versions[0].archive).value();
    return read_package(bytes, "Table").value();
  }

  void serve_faulty(const std::string& path, const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> hold(log.mutex);
    int hit = ++log.hits[path];
    Fault fault = log.faults.count(path) ? log.faults[path] : Fault::kNone;
    if (req.has_header("Range")) log.ranges[path].push_back(req.get_header_value("Range"));
    if (path == "index/") {  // nginx autoindex_format json
      std::string listing = "[";
      auto entries = fs->list_dir(root / "index").value();
      for (const auto& e : entries)
        listing += (listing.size() > 1 ? "," : "") + std::string("{\"name\": \"") + e.name +
                   "\", \"type\": \"file\"}";
      res.set_content(listing + "]", "application/json");
      return;
    }
    auto body = fs->read_file(root / path);
    if (!body) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    if (path.rfind("index/", 0) == 0) {
      std::string etag = "\"" + sha256_bytes(*body).hex() + "\"";
      log.if_none_match.push_back(req.get_header_value("If-None-Match"));
      res.set_header("ETag", etag);
      if (req.get_header_value("If-None-Match") == etag) {
        ++log.not_modified;
        res.status = 304;
        return;
      }
    }
    if ((fault == Fault::kFail500Twice && hit <= 2) || fault == Fault::kAlways500) {
      res.status = 500;
      res.set_content("busy, try again\n", "text/plain");
      return;
    }
    if (fault == Fault::kWrongBytes) {
      res.set_content(*body + "tampered", "application/octet-stream");
      return;
    }
    if ((fault == Fault::kCutOnce || fault == Fault::kCutThenIgnoreRange) && hit == 1) {
      auto full = std::make_shared<std::string>(*body);
      res.set_content_provider(full->size(), "application/octet-stream",
                               [full](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 if (offset > 0) return false;
                                 sink.write(full->data(), full->size() / 2);
                                 return false;  // cut the connection mid-body
                               });
      return;
    }
    if (fault == Fault::kCutThenIgnoreRange) {  // a 200 with the whole body despite the Range
      auto full = std::make_shared<std::string>(*body);
      res.status = 200;
      res.set_chunked_content_provider("application/octet-stream",
                                       [full](std::size_t offset, httplib::DataSink& sink) {
                                         if (offset == 0) sink.write(full->data(), full->size());
                                         sink.done();
                                         return true;
                                       });
      return;
    }
    res.set_content(*body, "application/octet-stream");  // Range handled by httplib (206)
  }

  std::unique_ptr<Repo> blessed;
  fs::path root;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  ServerLog log;
};

TEST_F(HttpRepoTest, OpensByNameAndRejectsWhatIsNotARepo) {
  auto repo = open("repo");
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->name(), "blessed");
  EXPECT_EQ(repo->url(), url("repo"));
  EXPECT_EQ(repo->local_store(), nullptr);

  auto missing = open_repo(*fs, url("nothing"), options());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("not a reel repo"), std::string::npos);
  EXPECT_NE(missing.error().message.find(url("nothing")), std::string::npos);

  auto no_cache = open_repo(*fs, url("repo"));
  ASSERT_FALSE(no_cache);
  EXPECT_EQ(no_cache.error().code, ErrorCode::kUnsupported);

  // Nothing listens on port 1: a network error naming the URL, after the retries.
  auto refused = open_repo(*fs, "http://127.0.0.1:1/repo", options());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNetwork);
  EXPECT_NE(refused.error().message.find("http://127.0.0.1:1/repo/reel-repo.json"),
            std::string::npos);
  EXPECT_NE(refused.error().message.find("after 5 attempts"), std::string::npos);
}

TEST_F(HttpRepoTest, ReadsIndexesArchivesAndObjectsFromAStaticServer) {
  auto repo = open("repo");
  ASSERT_TRUE(repo);
  auto index = repo->read_index("TABLE");
  ASSERT_TRUE(index) << index.error().message;
  ASSERT_TRUE(*index);
  auto local = blessed->read_index("Table").value();
  EXPECT_EQ(serialize_index(**index), serialize_index(*local));
  EXPECT_FALSE(repo->read_index("Sofa").value());
  EXPECT_FALSE(repo->read_index("../etc").value());

  const IndexEntry& entry = (*index)->versions[0];
  auto bytes = repo->read_archive(entry.archive);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(sha256_bytes(*bytes), entry.archive.sha256);

  ObjectStore other(*fs, dir.path() / "other");
  std::vector<ObjectRef> digests;
  for (const auto& f : table().files) digests.push_back(ObjectRef{f.sha256, f.size});
  ASSERT_EQ(digests.size(), 2u);
  auto fetched = repo->fetch_objects(digests, other);
  ASSERT_TRUE(fetched) << fetched.error().message;
  for (const auto& d : digests) EXPECT_TRUE(other.verify(d.digest));
  ASSERT_TRUE(repo->fetch_objects(digests, other));  // already there: nothing to do

  auto absent = repo->fetch_object(ObjectRef{sha256_bytes("never stored"), 12}, other);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
  EXPECT_NE(absent.error().message.find("lacks object sha256:"), std::string::npos);

  // A static server without listings: a clear error, not an empty list.
  auto listed = repo->list_packages();
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(listed.error().message.find("no listing of index/"), std::string::npos);
}

TEST_F(HttpRepoTest, ListsPackagesFromAnAutoindexListing) {
  auto repo = open("faulty");
  ASSERT_TRUE(repo);
  auto names = repo->list_packages();
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, (std::vector<std::string>{"chair", "Table"}));
  auto all = repo->read_all_indexes().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].versions[0].dependencies[0].name, "chair");
}

TEST_F(HttpRepoTest, IndexIsCachedAndRevalidatedWithItsETag) {
  auto repo = open("faulty");
  ASSERT_TRUE(repo);
  auto first = repo->read_index("Table").value();
  auto second = repo->read_index("table").value();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(serialize_index(*first), serialize_index(*second));
  std::lock_guard<std::mutex> hold(log.mutex);
  ASSERT_EQ(log.if_none_match.size(), 2u);
  EXPECT_EQ(log.if_none_match[0], "");
  EXPECT_EQ(log.if_none_match[1], "\"" + sha256_bytes(index_text("blessed", "table")).hex() + "\"");
  EXPECT_EQ(log.not_modified, 1);
  EXPECT_EQ(log.hits["index/table.json"], 2);
}

TEST_F(HttpRepoTest, RetriesServerErrorsThenGivesAClearError) {
  auto repo = open("faulty");
  ASSERT_TRUE(repo);
  auto files = table().files;
  {
    std::lock_guard<std::mutex> hold(log.mutex);
    log.faults[object_rel(files[0].sha256)] = Fault::kFail500Twice;
    log.faults[object_rel(files[1].sha256)] = Fault::kAlways500;
  }
  ObjectStore other(*fs, dir.path() / "other");
  ASSERT_TRUE(repo->fetch_object(ObjectRef{files[0].sha256, files[0].size}, other));
  EXPECT_TRUE(other.verify(files[0].sha256));
  auto failed = repo->fetch_object(ObjectRef{files[1].sha256, files[1].size}, other);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kNetwork);
  EXPECT_NE(failed.error().message.find("HTTP 500: busy, try again (after 5 attempts)"),
            std::string::npos)
      << failed.error().message;
  EXPECT_FALSE(other.contains(files[1].sha256).value());
  std::lock_guard<std::mutex> hold(log.mutex);
  EXPECT_EQ(log.hits[object_rel(files[0].sha256)], 3);
  EXPECT_EQ(log.hits[object_rel(files[1].sha256)], 5);
}

TEST_F(HttpRepoTest, ResumesACutDownloadWithRange) {
  auto repo = open("faulty");
  ASSERT_TRUE(repo);
  Digest big = table().files[0].sha256;  // mesh/model.obj, 300000 bytes
  const std::uint64_t big_size = table().files[0].size;
  std::string rel = object_rel(big);
  log.faults[rel] = Fault::kCutOnce;
  ObjectStore other(*fs, dir.path() / "other");
  auto fetched = repo->fetch_object(ObjectRef{big, big_size}, other);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_TRUE(other.verify(big));
  std::lock_guard<std::mutex> hold(log.mutex);
  EXPECT_EQ(log.hits[rel], 2);
  ASSERT_EQ(log.ranges[rel].size(), 1u);
  EXPECT_EQ(log.ranges[rel][0].rfind("bytes=", 0), 0u);
  EXPECT_GT(std::stoul(log.ranges[rel][0].substr(6)), 0u);
}

TEST_F(HttpRepoTest, AServerIgnoringRangeStartsTheObjectOver) {
  auto repo = open("faulty");
  ASSERT_TRUE(repo);
  Digest big = table().files[0].sha256;
  const std::uint64_t big_size = table().files[0].size;
  std::string rel = object_rel(big);
  log.faults[rel] = Fault::kCutThenIgnoreRange;
  ObjectStore other(*fs, dir.path() / "other");
  auto fetched = repo->fetch_object(ObjectRef{big, big_size}, other);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_TRUE(other.verify(big));
  EXPECT_EQ(log.ranges[rel].size(), 1u);
}

TEST_F(HttpRepoTest, WrongBytesAreCorruptionAndNothingIsStored) {
  auto repo = open("faulty");
  ASSERT_TRUE(repo);
  Digest d = table().files[1].sha256;
  log.faults[object_rel(d)] = Fault::kWrongBytes;
  ObjectStore other(*fs, dir.path() / "other");
  auto fetched = repo->fetch_object(ObjectRef{d, table().files[1].size}, other);
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code, ErrorCode::kCorruption);
  EXPECT_NE(fetched.error().message.find(d.hex()), std::string::npos);
  EXPECT_FALSE(other.contains(d).value());
  EXPECT_TRUE(other.list_objects().value().empty());

  // A damaged archive is caught against its index entry.
  auto index = repo->read_index("chair").value();
  log.faults[index->versions[0].archive.path] = Fault::kWrongBytes;
  auto archive = repo->read_archive(index->versions[0].archive);
  ASSERT_FALSE(archive);
  EXPECT_EQ(archive.error().code, ErrorCode::kCorruption);
}

TEST_F(HttpRepoTest, PublishUploadsOnlyMissingObjectsThenPostsTheArchive) {
  auto repo_or = open_repo(*fs, url("pub"), options("sekrit-token"));
  ASSERT_TRUE(repo_or) << repo_or.error().message;
  auto& repo = *repo_or;
  EXPECT_EQ(repo->name(), "pub");
  auto built = build_package(*fs, cache, asset("Table", "1.0.0", "v 0 0 0\n")).value();
  ASSERT_EQ(built.files.size(), 2u);
  std::string have = object_rel(built.files[0].sha256);
  std::string lacks = object_rel(built.files[1].sha256);
  log.present.insert(have);
  auto published =
      repo->publish(built, cache, make_index_entry(built, SourceInfo{"cafe01", true}, clock));
  ASSERT_TRUE(published) << published.error().message;
  {
    std::lock_guard<std::mutex> hold(log.mutex);
    EXPECT_EQ(std::set<std::string>(log.heads.begin(), log.heads.end()),
              (std::set<std::string>{have, lacks}));
    EXPECT_EQ(log.puts, (std::vector<std::string>{lacks}));
    EXPECT_EQ(log.posted_path, "publish/Table/1.0.0");
    EXPECT_EQ(log.posted_body, built.archive_bytes);
    EXPECT_EQ(log.posted_commit, "cafe01");
    EXPECT_EQ(log.posted_dirty, "true");
    EXPECT_EQ(log.posted_auth, "Bearer sekrit-token");
    log.conflict = true;
  }
  auto conflict =
      repo->publish(built, cache, make_index_entry(built, SourceInfo{"cafe01", true}, clock));
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(conflict.error().message,
            "publishing Table 1.0.0 to repo 'pub': Table 1.0.0 is already published with another "
            "archive");
  EXPECT_EQ(conflict.error().message.find("sekrit"), std::string::npos);
  EXPECT_EQ(log.puts.size(), 1u);  // both objects present now: nothing uploaded again
}

TEST_F(HttpRepoTest, AuthErrorsHintAtTheTokenWithoutShowingIt) {
  auto repo = open_repo(*fs, url("locked"), options("wrong-token-123"));
  ASSERT_FALSE(repo);
  EXPECT_EQ(repo.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(repo.error().message.find("HTTP 401"), std::string::npos);
  EXPECT_NE(repo.error().message.find("REEL_TOKEN"), std::string::npos);
  EXPECT_EQ(repo.error().message.find("wrong-token-123"), std::string::npos);
}

}  // namespace
}  // namespace reel
