// RepoServer against real folder repos, over real sockets (httplib::Client, and raw requests
// where a client would tidy the path up).
#include "reel/server/repo_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "reel/engine/package.h"
#include "reel/engine/repo.h"
#include "reel/storage/object_store.h"
#include "reel/storage/testing.h"
#include "request_path.h"
#include "tokens.h"

namespace reel {
namespace {

using reel::testing::write_file;

constexpr const char* kWriteToken = "w-secret-token";
constexpr const char* kReadToken = "r-token";

// A server on 127.0.0.1 (any port) running in a thread; stopped and joined when destroyed.
struct Running {
  std::unique_ptr<RepoServer> server;
  int port = 0;
  std::thread thread;
  std::mutex mutex;
  std::vector<std::string> log;

  ~Running() {
    if (server) server->stop();
    if (thread.joinable()) thread.join();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    return c;
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> hold(mutex);
    return log;
  }
};

struct RepoServerTest : ::testing::Test {
  reel::testing::TempDir dir{"reel-server-test"};
  std::unique_ptr<FileSystem> fs = make_real_file_system();
  ObjectStore cache{*fs, dir.path() / "cache"};
  reel::testing::FixedClock clock;
  fs::path root = dir.path() / "blessed";
  int counter = 0;

  void SetUp() override { ASSERT_TRUE(init_folder_repo(*fs, root, "blessed")); }

  // An asset folder with asset.toml and two content files (one holding `payload`).
  fs::path asset(const std::string& name, const std::string& version, const std::string& payload) {
    fs::path src = dir.path() / "src" / (name + "-" + std::to_string(counter++));
    write_file(src / "asset.toml", "[asset]\nname = \"" + name + "\"\nversion = \"" + version +
                                       "\"\ntype = \"prop\"\n");
    write_file(src / "mesh" / "model.obj", payload);
    write_file(src / "tex" / "wood.png", "png:" + name);
    return src;
  }
  // Builds an asset into the cache store (not the repo).
  BuiltPackage build(const std::string& name, const std::string& version,
                     const std::string& payload) {
    auto built = build_package(*fs, cache, asset(name, version, payload));
    EXPECT_TRUE(built) << built.error().message;
    return std::move(*built);
  }
  // Publishes straight into the folder repo.
  BuiltPackage publish_direct(const std::string& name, const std::string& version,
                              const std::string& payload) {
    BuiltPackage p = build(name, version, payload);
    auto repo = open_repo(*fs, root.string());
    EXPECT_TRUE(repo);
    EXPECT_TRUE((*repo)->publish(p, cache, make_index_entry(p, SourceInfo{}, clock)));
    return p;
  }

  std::unique_ptr<Running> start(ServeOptions options = {}) {
    options.repo = root;
    options.host = "127.0.0.1";
    options.port = 0;
    auto running = std::make_unique<Running>();
    Running* r = running.get();
    auto server = RepoServer::open(*fs, clock, options, [r](std::string_view line) {
      std::lock_guard<std::mutex> hold(r->mutex);
      r->log.emplace_back(line);
    });
    EXPECT_TRUE(server) << server.error().message;
    if (!server) return nullptr;
    running->server = std::move(*server);
    auto port = running->server->bind();
    EXPECT_TRUE(port) << port.error().message;
    running->port = *port;
    running->thread = std::thread([r] { r->server->run(); });
    return running;
  }
  ServeOptions with_tokens(bool read_tokens = false) {
    ServeOptions o;
    write_file(dir.path() / "write.tokens", std::string("# writers\n\n  ") + kWriteToken + "  \n");
    o.token_file = dir.path() / "write.tokens";
    if (read_tokens) {
      write_file(dir.path() / "read.tokens", std::string(kReadToken) + "\n");
      o.read_token_file = dir.path() / "read.tokens";
    }
    return o;
  }

  std::string object_url(const Digest& d) {
    return "/objects/sha256/" + d.hex().substr(0, 2) + "/" + d.hex().substr(2);
  }
  std::string read(const fs::path& p) {
    auto text = fs->read_file(p);
    return text ? *text : std::string("<missing>");
  }
  bool exists(const fs::path& p) { return fs->stat(p).value().type != FileType::kMissing; }
  std::size_t temp_files() {
    auto entries = fs->list_dir(root / "objects" / "tmp");
    return entries ? entries->size() : 0;
  }
};

httplib::Headers bearer(const char* token) {
  return {{"Authorization", std::string("Bearer ") + token}};
}

// Sends `request` verbatim and returns the whole response text.
std::string raw_request(int port, const std::string& request) {
  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(sock);
    return "";
  }
  (void)::send(sock, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(sock, buf, sizeof buf, 0)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    // Stop at the end of the first response (the server may keep the connection open).
    std::size_t end = out.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    std::smatch m;
    std::string head = out.substr(0, end);
    if (std::regex_search(head, m, std::regex("Content-Length: (\\d+)", std::regex::icase)) &&
        out.size() >= end + 4 + std::stoul(m[1].str()))
      break;
  }
  ::close(sock);
  return out;
}

int status_of(const std::string& response) {
  if (response.size() < 12 || response.rfind("HTTP/1.", 0) != 0) return -1;
  return std::stoi(response.substr(9, 3));
}

// One client connection on 127.0.0.1 kept open across calls: for heads a client library would
// never send, and for watching when and how the server answers and closes. Sending from one
// thread while another reads is fine (a socket's two directions are independent).
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // Sends all of `data`; false once the server has closed or reset the connection.
  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // The next whole response (head, and a body of its Content-Length), waiting up to `seconds`
  // for each read; "" when the server closes, resets or stays silent first.
  std::string response(int seconds = 20) {
    while (true) {
      std::size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        std::smatch m;
        std::string head = buffer_.substr(0, end);
        if (std::regex_search(head, m,
                              std::regex("\r\nContent-Length: *(\\d+)", std::regex::icase)))
          length = std::stoul(m[1].str());
        if (buffer_.size() >= end + 4 + length) {
          std::string out = buffer_.substr(0, end + 4 + length);
          buffer_.erase(0, out.size());
          return out;
        }
      }
      if (!fill(seconds)) return "";
    }
  }
  // The bytes of one read (waiting up to `seconds`); "" on close, reset or silence.
  std::string read_once(int seconds = 20) {
    if (!fill(seconds)) return "";
    std::string out;
    out.swap(buffer_);
    return out;
  }
  // Whether the server closes the connection (end of stream or reset) within `seconds`; what
  // it sends meanwhile is dropped.
  bool closes_within(int seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (!fill(1)) {
        if (eof_) return true;
      } else {
        buffer_.clear();
      }
    }
    return false;
  }

 private:
  // One recv() into buffer_; false on end of stream or reset (eof_ set), or after `seconds`
  // without data.
  bool fill(int seconds) {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, seconds * 1000);
    if (ready <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

std::string body_of(const std::string& response) {
  std::size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

bool logged(Running& running, const std::string& text) {
  for (const auto& l : running.lines())
    if (l.find(text) != std::string::npos) return true;
  return false;
}

TEST_F(RepoServerTest, ServesTheLayout) {
  BuiltPackage table = publish_direct("Table", "1.0.0", "v 0 0 0\n");
  auto running = start();
  ASSERT_TRUE(running);
  auto c = running->client();

  auto marker = c.Get("/reel-repo.json");
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->status, 200);
  EXPECT_EQ(nlohmann::json::parse(marker->body)["name"], "blessed");

  auto index = c.Get("/index/table.json");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, read(root / "index" / "table.json"));
  const std::string etag = "\"" + sha256_bytes(index->body).hex() + "\"";
  EXPECT_EQ(index->get_header_value("ETag"), etag);
  auto again = c.Get("/index/table.json", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto stale = c.Get("/index/table.json", {{"If-None-Match", "\"0000\""}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);

  auto list = c.Get("/index/");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  auto entries = nlohmann::json::parse(list->body);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["name"], "table.json");
  EXPECT_EQ(entries[0]["type"], "file");

  auto archive = c.Get("/packages/table/Table-1.0.0.reel");
  ASSERT_TRUE(archive);
  EXPECT_EQ(archive->status, 200);
  EXPECT_EQ(archive->body, table.archive_bytes);

  const FileEntry& mesh = table.files[0];
  ASSERT_EQ(mesh.path, "mesh/model.obj");
  auto object = c.Get(object_url(mesh.sha256));
  ASSERT_TRUE(object);
  EXPECT_EQ(object->status, 200);
  EXPECT_EQ(object->body, "v 0 0 0\n");
  auto head = c.Head(object_url(mesh.sha256));
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "8");
  EXPECT_TRUE(head->body.empty());

  for (const char* missing :
       {"/index/chair.json", "/packages/table/Table-9.9.9.reel", "/", "/index", "/objects/",
        "/other.txt", "/objects/tmp/x", "/.reel-lock"}) {
    auto r = c.Get(missing);
    ASSERT_TRUE(r) << missing;
    EXPECT_EQ(r->status, 404) << missing;
  }
  auto absent = c.Get(object_url(sha256_bytes("never stored")));
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->status, 404);

  // One log line a request: remote, method, path, status, bytes, time.
  // (Each request here is a new connection, served on any thread: lines may come in any order.)
  auto lines = running->lines();
  ASSERT_FALSE(lines.empty());
  bool logged_marker = false;
  for (const auto& l : lines) {
    logged_marker |=
        std::regex_match(l, std::regex(R"(127\.0\.0\.1 GET /reel-repo\.json 200 \d+ \d+ms)"));
  }
  EXPECT_TRUE(logged_marker) << lines[0];
  bool logged_304 = false;
  for (const auto& l : lines)
    logged_304 |= l.find("GET /index/table.json 304 0 ") != std::string::npos;
  EXPECT_TRUE(logged_304);
}

TEST_F(RepoServerTest, RangesOnObjectsAndArchives) {
  BuiltPackage table = publish_direct("Table", "1.0.0", "0123456789");
  auto running = start();
  ASSERT_TRUE(running);
  auto c = running->client();
  const std::string url = object_url(table.files[0].sha256);

  auto mid = c.Get(url, {{"Range", "bytes=2-5"}});
  ASSERT_TRUE(mid);
  EXPECT_EQ(mid->status, 206);
  EXPECT_EQ(mid->body, "2345");
  EXPECT_EQ(mid->get_header_value("Content-Range"), "bytes 2-5/10");
  auto tail = c.Get(url, {{"Range", "bytes=7-"}});
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, "789");
  auto suffix = c.Get(url, {{"Range", "bytes=-3"}});
  ASSERT_TRUE(suffix);
  EXPECT_EQ(suffix->status, 206);
  EXPECT_EQ(suffix->body, "789");
  auto clamped = c.Get(url, {{"Range", "bytes=8-100"}});
  ASSERT_TRUE(clamped);
  EXPECT_EQ(clamped->status, 206);
  EXPECT_EQ(clamped->body, "89");
  auto beyond = c.Get(url, {{"Range", "bytes=10-"}});
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->get_header_value("Content-Range"), "bytes */10");

  const std::size_t size = table.archive_bytes.size();
  auto resumed = c.Get("/packages/table/Table-1.0.0.reel",
                       {{"Range", "bytes=" + std::to_string(size / 2) + "-"}});
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 206);
  EXPECT_EQ(resumed->body, table.archive_bytes.substr(size / 2));
}

TEST_F(RepoServerTest, RefusesPathsOutsideTheLayout) {
  publish_direct("Table", "1.0.0", "v\n");
  write_file(dir.path() / "secret.json", "SECRET");
  write_file(root / "index" / "..secret.json", "SECRET");
  // Symlinks planted in the repo are not followed.
  fs::create_symlink(dir.path() / "secret.json", root / "index" / "evil.json");
  const Digest d = sha256_bytes("SECRET");
  fs::create_directories(root / "objects" / "sha256" / d.hex().substr(0, 2));
  fs::create_symlink(dir.path() / "secret.json",
                     root / "objects" / "sha256" / d.hex().substr(0, 2) / d.hex().substr(2));
  auto running = start();
  ASSERT_TRUE(running);

  for (const std::string& target : std::vector<std::string>{
           "/../reel-repo.json", "/../secret.json", "/objects/sha256/%2e%2e/x",
           "/index/..%2fsecret.json", "/index/%2e%2e/secret.json", "/index/..%2Fsecret.json",
           "/index\\..\\secret.json", "//secret.json", "/index/./table.json",
           "/packages/table/../../../secret.json", "/index/%252e%252e/secret.json",
           "/index/evil.json", object_url(d), "/index/..secret.json", "http://x/reel-repo.json",
           "/index/%00.json", "/index/table.json%00"}) {
    std::string response = raw_request(
        running->port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    int status = status_of(response);
    EXPECT_TRUE(status == 400 || status == 404) << target << " → " << status;
    EXPECT_EQ(response.find("SECRET"), std::string::npos) << target;
  }
  for (std::string target : {"/../reel-repo.json", "/objects/sha256/%2e%2e/x",
                             "/index/..%2fsecret.json", "/index\\..\\secret.json"}) {
    std::string response = raw_request(
        running->port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(status_of(response), 400) << target;
  }
}

TEST_F(RepoServerTest, PutObject) {
  ServeOptions options = with_tokens();
  options.max_body = 64;
  auto running = start(options);
  ASSERT_TRUE(running);
  auto c = running->client();
  const std::string body = "a content object\n";
  const Digest d = sha256_bytes(body);
  const fs::path stored = root / "objects" / "sha256" / d.hex().substr(0, 2) / d.hex().substr(2);

  auto created =
      c.Put(object_url(d).c_str(), bearer(kWriteToken), body, "application/octet-stream");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(read(stored), body);
  const auto inode = fs->stat(stored).value().inode;

  auto again = c.Put(object_url(d).c_str(), bearer(kWriteToken), body, "application/octet-stream");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(fs->stat(stored).value().inode, inode);  // not rewritten

  // The wrong bytes for an existing object are still refused.
  auto wrong_existing =
      c.Put(object_url(d).c_str(), bearer(kWriteToken), "other", "application/octet-stream");
  ASSERT_TRUE(wrong_existing);
  EXPECT_EQ(wrong_existing->status, 400);
  EXPECT_EQ(read(stored), body);

  const Digest other = sha256_bytes("what the name says");
  const fs::path not_stored =
      root / "objects" / "sha256" / other.hex().substr(0, 2) / other.hex().substr(2);
  auto mismatch = c.Put(object_url(other).c_str(), bearer(kWriteToken), "something else",
                        "application/octet-stream");
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_EQ(mismatch->body, "digest mismatch: expected " + other.prefixed() + ", got " +
                                sha256_bytes("something else").prefixed() + "\n");
  EXPECT_FALSE(exists(not_stored));
  EXPECT_EQ(temp_files(), 0u);

  const std::string big(100, 'x');
  auto too_big = c.Put(object_url(sha256_bytes(big)).c_str(), bearer(kWriteToken), big,
                       "application/octet-stream");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  EXPECT_FALSE(exists(root / "objects" / "sha256" / sha256_bytes(big).hex().substr(0, 2) /
                      sha256_bytes(big).hex().substr(2)));
  EXPECT_EQ(temp_files(), 0u);

  // PUT only takes objects.
  auto elsewhere = c.Put("/index/table.json", bearer(kWriteToken), "{}", "application/json");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 405);
  EXPECT_FALSE(exists(root / "index" / "table.json"));
  auto traversal = c.Put("/objects/sha256/../../x", bearer(kWriteToken), "x", "text/plain");
  ASSERT_TRUE(traversal);
  EXPECT_EQ(traversal->status, 400);
}

TEST_F(RepoServerTest, ChunkedUploadOverTheLimitIsRefused) {
  ServeOptions options = with_tokens();
  options.max_body = 64;
  auto running = start(options);
  ASSERT_TRUE(running);
  const std::string big(100, 'y');
  const Digest d = sha256_bytes(big);
  std::string response =
      raw_request(running->port,
                  "PUT " + object_url(d) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                      kWriteToken + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                      "64\r\n" + big + "\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_FALSE(exists(root / "objects" / "sha256" / d.hex().substr(0, 2) / d.hex().substr(2)));
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(RepoServerTest, StalledUploadIsDroppedAfterTheReadTimeout) {
  ServeOptions options = with_tokens();
  options.read_timeout_seconds = 1;
  auto running = start(options);
  ASSERT_TRUE(running);
  const std::string body(100, 'z');
  const Digest d = sha256_bytes(body);
  // Half the body, then nothing: the server gives up after 1 s and stores nothing.
  std::string response = raw_request(
      running->port, "PUT " + object_url(d) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                         kWriteToken + "\r\nContent-Length: 100\r\n\r\n" + body.substr(0, 50));
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_FALSE(exists(root / "objects" / "sha256" / d.hex().substr(0, 2) / d.hex().substr(2)));
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(RepoServerTest, AuthMatrix) {
  publish_direct("Table", "1.0.0", "v\n");
  auto running = start(with_tokens(/*read_tokens=*/true));
  ASSERT_TRUE(running);
  auto c = running->client();
  const std::string body = "auth object";
  const std::string url = object_url(sha256_bytes(body));

  auto anonymous = c.Get("/index/table.json");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
  auto unknown = c.Get("/index/table.json", bearer("nope"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  auto basic = c.Get("/index/table.json", {{"Authorization", std::string("Basic ") + kReadToken}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
  auto prefix = c.Get("/index/table.json", bearer("r-tok"));
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->status, 401);
  auto reader = c.Get("/index/table.json", bearer(kReadToken));
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->status, 200);
  auto writer_reads =
      c.Get("/index/table.json", {{"Authorization", std::string("bearer  ") + kWriteToken}});
  ASSERT_TRUE(writer_reads);
  EXPECT_EQ(writer_reads->status, 200);

  auto put_anonymous = c.Put(url.c_str(), body, "application/octet-stream");
  ASSERT_TRUE(put_anonymous);
  EXPECT_EQ(put_anonymous->status, 401);
  EXPECT_EQ(put_anonymous->get_header_value("WWW-Authenticate"), "Bearer");
  auto put_reader = c.Put(url.c_str(), bearer(kReadToken), body, "application/octet-stream");
  ASSERT_TRUE(put_reader);
  EXPECT_EQ(put_reader->status, 403);
  auto post_reader =
      c.Post("/publish/Table/2.0.0", bearer(kReadToken), "x", "application/octet-stream");
  ASSERT_TRUE(post_reader);
  EXPECT_EQ(post_reader->status, 403);
  EXPECT_FALSE(exists(root / "objects" / "sha256" / sha256_bytes(body).hex().substr(0, 2) /
                      sha256_bytes(body).hex().substr(2)));
  auto put_writer = c.Put(url.c_str(), bearer(kWriteToken), body, "application/octet-stream");
  ASSERT_TRUE(put_writer);
  EXPECT_EQ(put_writer->status, 201);
}

TEST_F(RepoServerTest, WithoutTokenFilesReadsAreOpenAndWritesRefused) {
  publish_direct("Table", "1.0.0", "v\n");
  auto running = start();
  ASSERT_TRUE(running);
  auto c = running->client();
  auto read = c.Get("/index/table.json");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
  const std::string body = "x";
  auto put = c.Put(object_url(sha256_bytes(body)).c_str(), bearer(kWriteToken), body,
                   "application/octet-stream");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 403);
  auto del = c.Delete("/index/table.json");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  EXPECT_TRUE(exists(root / "index" / "table.json"));
}

TEST_F(RepoServerTest, OpenFailsOnMissingTokenFileOrRepo) {
  ServeOptions options;
  options.repo = root;
  options.token_file = dir.path() / "no-such.tokens";
  auto missing = RepoServer::open(*fs, clock, options, nullptr);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no-such.tokens"), std::string::npos)
      << missing.error().message;
  write_file(dir.path() / "empty.tokens", "# nobody\n\n");
  options.token_file = dir.path() / "empty.tokens";
  auto empty = RepoServer::open(*fs, clock, options, nullptr);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty.tokens"), std::string::npos);
  options = {};
  options.repo = dir.path() / "cache";
  auto not_repo = RepoServer::open(*fs, clock, options, nullptr);
  ASSERT_FALSE(not_repo);
  EXPECT_EQ(not_repo.error().code, ErrorCode::kNotFound);
}

TEST_F(RepoServerTest, BindFailsWhenThePortIsTaken) {
  auto first = start();
  ASSERT_TRUE(first);
  ServeOptions options;
  options.repo = root;
  options.port = first->port;
  auto second = RepoServer::open(*fs, clock, options, nullptr);
  ASSERT_TRUE(second);
  auto port = (*second)->bind();
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find(std::to_string(first->port)), std::string::npos);
}

TEST_F(RepoServerTest, PublishFlow) {
  auto running = start(with_tokens());
  ASSERT_TRUE(running);
  auto c = running->client();
  BuiltPackage table = build("Table", "1.0.0", "v 1 2 3\n");
  for (const auto& f : table.files) {
    auto r = c.Put(object_url(f.sha256).c_str(), bearer(kWriteToken),
                   read(cache.object_path(f.sha256)), "application/octet-stream");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201) << f.path << ": " << r->body;
  }
  httplib::Headers headers = bearer(kWriteToken);
  headers.emplace("Reel-Source-Commit", "abc123");
  headers.emplace("Reel-Source-Dirty", "true");
  auto published =
      c.Post("/publish/Table/1.0.0", headers, table.archive_bytes, "application/octet-stream");
  ASSERT_TRUE(published);
  EXPECT_EQ(published->status, 201) << published->body;

  auto index = c.Get("/index/table.json");
  ASSERT_TRUE(index);
  ASSERT_EQ(index->status, 200);
  auto json = nlohmann::json::parse(index->body);
  ASSERT_EQ(json["versions"].size(), 1u);
  EXPECT_NE(index->body.find("1.0.0"), std::string::npos);

  auto repo = open_repo(*fs, root.string());
  ASSERT_TRUE(repo);
  auto read_back = (*repo)->read_index("Table").value();
  ASSERT_TRUE(read_back);
  const IndexEntry* entry = read_back->find(Version(1, 0, 0));
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->source.commit, "abc123");
  EXPECT_TRUE(entry->source.dirty);
  EXPECT_EQ(entry->archive.sha256, table.archive_digest);
  EXPECT_EQ((*repo)->read_archive(entry->archive).value(), table.archive_bytes);
  ObjectStore fetched(*fs, dir.path() / "fetched");
  for (const auto& f : table.files) EXPECT_TRUE((*repo)->fetch_object(ObjectRef{f.sha256, f.size}, fetched)) << f.path;

  auto same = c.Post("/publish/Table/1.0.0", bearer(kWriteToken), table.archive_bytes,
                     "application/octet-stream");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;

  // Another archive under the same version: 409, index unchanged.
  const std::string before = read(root / "index" / "table.json");
  BuiltPackage other = build("Table", "1.0.0", "v 9 9 9\n");
  for (const auto& f : other.files) {
    auto r = c.Put(object_url(f.sha256).c_str(), bearer(kWriteToken),
                   read(cache.object_path(f.sha256)), "application/octet-stream");
    ASSERT_TRUE(r);
  }
  auto conflict = c.Post("/publish/Table/1.0.0", bearer(kWriteToken), other.archive_bytes,
                         "application/octet-stream");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409) << conflict->body;
  EXPECT_EQ(read(root / "index" / "table.json"), before);
}

TEST_F(RepoServerTest, PublishWithAMissingObjectIsRefused) {
  auto running = start(with_tokens());
  ASSERT_TRUE(running);
  auto c = running->client();
  BuiltPackage table = build("Table", "1.0.0", "v 4 5 6\n");
  ASSERT_EQ(table.files.size(), 2u);
  auto r = c.Put(object_url(table.files[0].sha256).c_str(), bearer(kWriteToken),
                 read(cache.object_path(table.files[0].sha256)), "application/octet-stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  auto refused = c.Post("/publish/Table/1.0.0", bearer(kWriteToken), table.archive_bytes,
                        "application/octet-stream");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409);
  EXPECT_EQ(refused->body,
            "1 of 2 objects missing, first " + table.files[1].sha256.prefixed() + "\n");
  EXPECT_FALSE(exists(root / "index" / "table.json"));
  EXPECT_FALSE(exists(root / "packages" / "table"));
}

TEST_F(RepoServerTest, PublishRefusesBadArchivesAndMismatchedUrls) {
  auto running = start(with_tokens());
  ASSERT_TRUE(running);
  auto c = running->client();
  BuiltPackage table = build("Table", "1.0.0", "v\n");
  for (const auto& f : table.files) {
    auto r = c.Put(object_url(f.sha256).c_str(), bearer(kWriteToken),
                   read(cache.object_path(f.sha256)), "application/octet-stream");
    ASSERT_TRUE(r);
  }
  struct Case {
    std::string url;
    std::string body;
  };
  for (const Case& k : {Case{"/publish/Table/1.0.0", "not an archive"},
                        Case{"/publish/Table/2.0.0", table.archive_bytes},
                        Case{"/publish/Chair/1.0.0", table.archive_bytes},
                        Case{"/publish/Table/not-a-version", table.archive_bytes}}) {
    auto r = c.Post(k.url.c_str(), bearer(kWriteToken), k.body, "application/octet-stream");
    ASSERT_TRUE(r) << k.url;
    EXPECT_EQ(r->status, 400) << k.url << ": " << r->body;
    EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n'), 1) << r->body;
  }
  httplib::Headers bad_dirty = bearer(kWriteToken);
  bad_dirty.emplace("Reel-Source-Dirty", "maybe");
  auto r =
      c.Post("/publish/Table/1.0.0", bad_dirty, table.archive_bytes, "application/octet-stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_FALSE(exists(root / "index" / "table.json"));
  auto wrong_place = c.Post("/objects/sha256/aa/bb", bearer(kWriteToken), "x", "text/plain");
  ASSERT_TRUE(wrong_place);
  EXPECT_TRUE(wrong_place->status == 404 || wrong_place->status == 405);
}

// --- Limits on the request head, the body and connections (docs/http.md "Auth, limits, errors").

using namespace std::chrono_literals;

std::string get_head(const std::string& target = "/reel-repo.json") {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n";
}

TEST_F(RepoServerTest, HeadDeadlineClosesATricklingConnection) {
  ServeOptions options;
  options.head_timeout_seconds = 1;
  auto running = start(options);
  ASSERT_TRUE(running);
  RawClient c(running->port);
  ASSERT_TRUE(c.connected());
  // A byte every 50 ms, each well inside the read timeout (30 s): only a deadline for the whole
  // head stops this client.
  const std::string head = "X-Slow: " + std::string(2000, 'a');
  ASSERT_TRUE(c.send(get_head()));
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> sent{0};
  std::thread trickle([&] {
    for (char ch : head) {
      if (stop || !c.send(std::string(1, ch))) return;
      ++sent;
      std::this_thread::sleep_for(50ms);
    }
  });
  EXPECT_TRUE(c.closes_within(30));
  stop = true;
  trickle.join();
  EXPECT_LT(sent.load(), head.size()) << "the whole head was sent";
  EXPECT_TRUE(logged(*running, "127.0.0.1 GET /reel-repo.json 408 "));
}

std::string head_with_headers(int count, std::size_t value_size) {
  std::string head = get_head();  // Host is one of the count
  for (int i = 1; i < count; ++i)
    head += "X-H" + std::to_string(i) + ": " + std::string(value_size, 'v') + "\r\n";
  return head + "\r\n";
}

TEST_F(RepoServerTest, HeaderCountAndHeadSizeAreCapped) {
  auto running = start();
  ASSERT_TRUE(running);
  EXPECT_EQ(status_of(raw_request(running->port, head_with_headers(100, 10))), 200);
  std::string over = raw_request(running->port, head_with_headers(101, 10));
  EXPECT_EQ(status_of(over), 431) << over;
  EXPECT_NE(over.find("Connection: close"), std::string::npos) << over;
  // Lines of 7,000 bytes (each under httplib's 8 KiB line limit): 9 stay under 64 KiB, 10 do not.
  EXPECT_EQ(status_of(raw_request(running->port, head_with_headers(1 + 9, 7000))), 200);
  EXPECT_EQ(status_of(raw_request(running->port, head_with_headers(1 + 10, 7000))), 431);
}

TEST_F(RepoServerTest, HeaderFloodIsCutOff) {
  auto running = start();
  ASSERT_TRUE(running);
  RawClient c(running->port);
  ASSERT_TRUE(c.connected());
  // 4,000,000 header lines (48 MB): the server stops reading at 64 KiB and closes, so the
  // sender's writes fail long before the end.
  std::string chunk;
  for (int i = 0; i < 4000; ++i) chunk += "X-Flood: 1\r\n";
  bool sending = c.send(get_head());
  int chunks = 0;
  for (; sending && chunks < 1000; ++chunks) sending = c.send(chunk);
  EXPECT_FALSE(sending) << "the server took all " << chunks * 4000 << " header lines";
  EXPECT_LT(chunks, 500);
}

TEST_F(RepoServerTest, MalformedContentLengthIsRefusedBeforeTheBody) {
  auto running = start(with_tokens());
  ASSERT_TRUE(running);
  const std::string put = "PUT " + object_url(sha256_bytes("x")) +
                          " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kWriteToken + "\r\n";
  for (const std::string framing :
       {"Content-Length: 1e9\r\n", "Content-Length: -1\r\n", "Content-Length: +1\r\n",
        "Content-Length: 1 1\r\n", "Content-Length: 1,1\r\n", "Content-Length:\r\n",
        "Content-Length: 0x1\r\n", "Content-Length: 1\r\nContent-Length: 1\r\n",
        "Content-Length: 99999999999999999999\r\n",
        "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n"}) {
    for (const std::string& start : {put, get_head()}) {
      RawClient c(running->port);
      ASSERT_TRUE(c.send(start + framing + "\r\nx"));
      std::string r = c.response();
      EXPECT_EQ(status_of(r), 400) << start << framing << r;
      EXPECT_NE(r.find("malformed Content-Length"), std::string::npos) << framing << r;
      EXPECT_TRUE(c.closes_within(20)) << framing;
    }
  }
  EXPECT_FALSE(exists(root / "objects" / "sha256" / sha256_bytes("x").hex().substr(0, 2) /
                      sha256_bytes("x").hex().substr(2)));
  // Only chunked is a transfer coding a request may use.
  RawClient gzip(running->port);
  ASSERT_TRUE(gzip.send(put + "Transfer-Encoding: gzip\r\n\r\nx"));
  std::string r = gzip.response();
  EXPECT_EQ(status_of(r), 400) << r;
  EXPECT_TRUE(gzip.closes_within(20));
  // Digits with spaces around them are a length; leading zeros are allowed.
  RawClient ok(running->port);
  ASSERT_TRUE(ok.send(put + "Content-Length:  001 \r\n\r\nx"));
  EXPECT_EQ(status_of(ok.response()), 201);
}

TEST_F(RepoServerTest, RequestWithoutLengthHasNoBody) {
  auto running = start(with_tokens());
  ASSERT_TRUE(running);
  RawClient c(running->port);
  // No Content-Length, no Transfer-Encoding: an empty body (RFC 9112 §6.3), answered at once (not
  // after the read timeout of 30 s, waiting for a body until the client closes), and the
  // connection stays usable.
  ASSERT_TRUE(c.send("POST /publish/Table/1.0.0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                     std::string(kWriteToken) + "\r\n\r\n"));
  std::string r = c.response(10);
  EXPECT_EQ(status_of(r), 400) << r;
  ASSERT_TRUE(c.send(get_head() + "\r\n"));
  EXPECT_EQ(status_of(c.response()), 200);
}

TEST_F(RepoServerTest, PublishBodiesStopAtTheArchiveLimit) {
  ServeOptions options = with_tokens();
  options.max_body = std::uint64_t{1} << 30;  // object PUTs may be larger; publish is capped anyway
  options.read_timeout_seconds = 2;           // bounds a server that waits for the body
  auto running = start(options);
  ASSERT_TRUE(running);
  const std::string head =
      "POST /publish/Table/1.0.0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      std::string(kWriteToken) + "\r\n";
  // Declared over 64 MiB: refused before any of the body is read.
  RawClient declared(running->port);
  ASSERT_TRUE(
      declared.send(head + "Content-Length: " + std::to_string((64 << 20) + 1) + "\r\n\r\n"));
  std::string r = declared.response();
  EXPECT_EQ(status_of(r), 413) << r;
  EXPECT_TRUE(declared.closes_within(20));
  // Chunked, 65 MiB: stopped once it passes 64 MiB (sent from another thread: the server answers
  // while the client is still sending).
  RawClient chunked(running->port);
  ASSERT_TRUE(chunked.send(head + "Transfer-Encoding: chunked\r\n\r\n"));
  std::thread sender([&] {
    const std::string chunk = "100000\r\n" + std::string(1 << 20, 'a') + "\r\n";
    for (int i = 0; i < 65; ++i)
      if (!chunked.send(chunk)) return;
    chunked.send("0\r\n\r\n");
  });
  r = chunked.response();
  sender.join();
  EXPECT_EQ(status_of(r), 413) << r.substr(0, 200);
  EXPECT_FALSE(exists(root / "index" / "table.json"));
}

TEST_F(RepoServerTest, TrickledBodyIsDroppedBelowTheMinimumRate) {
  ServeOptions options = with_tokens();
  options.body_grace_seconds = 1;
  options.min_body_rate = 1 << 20;  // so 400 bytes may take 1 s and a little more
  auto running = start(options);
  ASSERT_TRUE(running);
  const std::string body(400, 't');
  const Digest d = sha256_bytes(body);
  RawClient c(running->port);
  ASSERT_TRUE(c.send("PUT " + object_url(d) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                     kWriteToken + "\r\nContent-Length: 400\r\n\r\n"));
  // A byte every 50 ms: never a stall of the read timeout (30 s), but 20 s for the whole body.
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> sent{0};
  std::thread trickle([&] {
    for (char ch : body) {
      if (stop || !c.send(std::string(1, ch))) return;
      ++sent;
      std::this_thread::sleep_for(50ms);
    }
  });
  std::string r = c.response(30);
  stop = true;
  trickle.join();
  EXPECT_EQ(status_of(r), 400) << r;
  EXPECT_LT(sent.load(), body.size());
  EXPECT_FALSE(exists(root / "objects" / "sha256" / d.hex().substr(0, 2) / d.hex().substr(2)));
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(RepoServerTest, PartialHeadsArePerClientCapped) {
  publish_direct("Table", "1.0.0", "v\n");
  ServeOptions options;
  options.max_partial_heads_per_client = 2;
  options.head_timeout_seconds = 60;
  auto running = start(options);
  ASSERT_TRUE(running);
  // Three connections each send half a head; the server takes two and refuses the third it sees.
  std::vector<std::unique_ptr<RawClient>> partial;
  for (int i = 0; i < 3; ++i) {
    partial.push_back(std::make_unique<RawClient>(running->port));
    ASSERT_TRUE(partial.back()->send("GET /index/table.json HTTP/1.1\r\nHo"));
  }
  int refused = -1;
  for (int round = 0; round < 20 && refused < 0; ++round) {
    for (int i = 0; i < 3 && refused < 0; ++i) {
      std::string r = partial[i]->read_once(0);
      if (!r.empty()) {
        EXPECT_EQ(status_of(r), 503) << r;
        refused = i;
      }
    }
    if (refused < 0) {
      RawClient waiter(running->port);  // a whole request: not limited, and a pause between rounds
      ASSERT_TRUE(waiter.send(get_head() + "\r\n"));
      EXPECT_EQ(status_of(waiter.response()), 200);
    }
  }
  ASSERT_GE(refused, 0) << "no connection was refused";
  EXPECT_TRUE(partial[refused]->closes_within(20));
  // Whole heads from the same address are served meanwhile, and the two held heads complete.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(status_of(raw_request(running->port, get_head() + "\r\n")), 200);
  for (int i = 0; i < 3; ++i) {
    if (i == refused) continue;
    ASSERT_TRUE(partial[i]->send("st: x\r\n\r\n"));
    EXPECT_EQ(status_of(partial[i]->response()), 200) << i;
  }
}

TEST_F(RepoServerTest, ConnectionsAboveTheCapAreRefused) {
  ServeOptions options;
  options.max_connections = 3;
  options.idle_timeout_seconds = 60;
  auto running = start(options);
  ASSERT_TRUE(running);
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<RawClient>(running->port));
    ASSERT_TRUE(open.back()->send(get_head() + "\r\n"));
    EXPECT_EQ(status_of(open.back()->response()), 200);  // served, then kept alive
  }
  RawClient fourth(running->port);
  std::string r = fourth.response();
  EXPECT_EQ(status_of(r), 503) << r;
  EXPECT_TRUE(fourth.closes_within(20));
  // Once one closes, a new connection is served (the server sees the close asynchronously).
  open.pop_back();
  int status = -1;
  for (int attempt = 0; attempt < 200 && status != 200; ++attempt) {
    RawClient next(running->port);
    next.send(get_head() + "\r\n");
    status = status_of(next.response());
  }
  EXPECT_EQ(status, 200);
}

TEST_F(RepoServerTest, KeptAliveResponsesComeWholeInOneWrite) {
  publish_direct("Table", "1.0.0", "v 0 0 0\n");
  auto running = start();
  ASSERT_TRUE(running);
  RawClient c(running->port);
  // Each small response arrives in one piece (head and body in one write: no wait on a delayed
  // ACK), and one connection serves many requests.
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(c.send(get_head("/index/table.json") + "\r\n")) << i;
    std::string r = c.read_once();
    ASSERT_EQ(status_of(r), 200) << i;
    EXPECT_EQ(body_of(r), read(root / "index" / "table.json")) << i;
  }
}

TEST_F(RepoServerTest, PipelinedRequestsAreAnsweredInOrder) {
  publish_direct("Table", "1.0.0", "v\n");
  auto running = start();
  ASSERT_TRUE(running);
  RawClient c(running->port);
  ASSERT_TRUE(c.send(get_head("/index/table.json") + "\r\n" + get_head("/reel-repo.json") + "\r\n" +
                     get_head("/index/none.json") + "\r\n"));
  EXPECT_EQ(body_of(c.response()), read(root / "index" / "table.json"));
  EXPECT_EQ(body_of(c.response()), read(root / "reel-repo.json"));
  EXPECT_EQ(status_of(c.response()), 404);
}

TEST_F(RepoServerTest, ClientGoneMidDownload) {
  const std::string big(8 << 20, 'b');  // larger than the socket buffers hold
  BuiltPackage shot = publish_direct("Shot", "1.0.0", big);
  auto running = start();
  ASSERT_TRUE(running);
  const std::string url = object_url(shot.files[0].sha256);
  {
    RawClient gone(running->port);
    ASSERT_TRUE(gone.send(get_head(url) + "\r\n"));
    EXPECT_EQ(status_of(gone.read_once()), 200);
  }  // closed with most of the body unsent: the server's sendfile gets EPIPE, not SIGPIPE
  auto c = running->client();
  auto whole = c.Get(url);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body.size(), big.size());
  EXPECT_TRUE(whole->body == big);
}

TEST_F(RepoServerTest, BasicAuthCarriesTheToken) {
  publish_direct("Table", "1.0.0", "v\n");
  auto running = start(with_tokens(/*read_tokens=*/true));
  ASSERT_TRUE(running);
  auto status = [&](const std::string& user, const std::string& password) {
    auto c = running->client();
    c.set_basic_auth(user, password);
    auto r = c.Get("/index/table.json");
    return r ? r->status : -1;
  };
  EXPECT_EQ(status("reel", kReadToken), 200);  // netrc: machine HOST login reel password TOKEN
  EXPECT_EQ(status("anyone", kReadToken), 200);
  EXPECT_EQ(status("reel", kWriteToken), 200);
  EXPECT_EQ(status("reel", "nope"), 401);
  EXPECT_EQ(status(kReadToken, ""), 401);
  auto c = running->client();
  auto challenge = c.Get("/index/table.json");
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->status, 401);
  EXPECT_EQ(challenge->get_header_value_count("WWW-Authenticate"), 2u);
  const std::string body = "basic object";
  const std::string url = object_url(sha256_bytes(body));
  c.set_basic_auth("reel", kReadToken);
  auto put_reader = c.Put(url.c_str(), body, "application/octet-stream");
  ASSERT_TRUE(put_reader);
  EXPECT_EQ(put_reader->status, 403);
  c.set_basic_auth("reel", kWriteToken);
  auto put_writer = c.Put(url.c_str(), body, "application/octet-stream");
  ASSERT_TRUE(put_writer);
  EXPECT_EQ(put_writer->status, 201);
}

TEST(RepoServerPaths, ArchiveNamesWithDashesAndDots) {
  using server::parse_request_target;
  struct Case {
    std::string target;
    bool found;
  };
  for (const Case& k : std::vector<Case>{
           {"/packages/stk-kart-adiumy/stk-kart-adiumy-1.4.0.reel", true},
           {"/packages/stk-kart-adiumy/STK-Kart-Adiumy-1.4.0.reel", true},
           {"/packages/a.b-c/a.b-c-1.0.0-rc.1.reel", true},
           {"/packages/a.b-c/A.B-C-1.0.0-rc.1+build.5.reel", true},
           {"/packages/table/Table-1.0.0-rc.1+b.2.reel", true},
           {"/packages/x/x-0.0.1.reel", true},
           {"/packages/a-1/a-1-1.0.0.reel", true},
           {"/packages/stk-kart/stk-kart-adiumy-1.4.0.reel", false},  // another package's file
           {"/packages/stk-kart-adiumy/stk-kart-1.4.0.reel", false},
           {"/packages/stk-kart-adiumy/stk-kart-adiumy1.4.0.reel", false},
           {"/packages/stk-kart-adiumy/stk-kart-adiumy-.reel", false},
           {"/packages/stk-kart-adiumy/stk-kart-adiumy.reel", false},
           {"/packages/table/table-x.reel", false},
           {"/packages/Table/Table-1.0.0.reel", false},  // the folder is the lower-case name
           {"/packages/table/Chair-1.0.0.reel", false},
       }) {
    auto r = parse_request_target(k.target);
    if (k.found) {
      ASSERT_TRUE(r) << k.target << ": " << r.error().message;
      EXPECT_EQ(r->kind, server::RouteKind::kArchive) << k.target;
      EXPECT_EQ(r->relative, k.target.substr(1)) << k.target;
    } else {
      ASSERT_FALSE(r) << k.target;
      EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << k.target;
    }
  }
}

TEST(RepoServerPaths, Shapes) {
  using server::parse_request_target;
  using server::RouteKind;
  EXPECT_EQ(parse_request_target("/reel-repo.json").value().kind, RouteKind::kRepoJson);
  EXPECT_EQ(parse_request_target("/index/").value().kind, RouteKind::kIndexList);
  EXPECT_EQ(parse_request_target("/index/table.json?x=1").value().relative, "index/table.json");
  EXPECT_EQ(parse_request_target("/log/audit.jsonl").value().kind, RouteKind::kAuditLog);
  EXPECT_FALSE(parse_request_target("/log/other.jsonl"));
  auto archive = parse_request_target("/packages/table/Table-1.0.0-rc.1+b.2.reel");
  ASSERT_TRUE(archive);
  EXPECT_EQ(archive->kind, RouteKind::kArchive);
  auto publish = parse_request_target("/publish/Table/1.2.3");
  ASSERT_TRUE(publish);
  EXPECT_EQ(publish->name, "Table");
  EXPECT_EQ(publish->version, "1.2.3");
  const std::string hex = sha256_bytes("x").hex();
  auto object = parse_request_target("/objects/sha256/" + hex.substr(0, 2) + "/" + hex.substr(2));
  ASSERT_TRUE(object);
  EXPECT_EQ(object->digest, sha256_bytes("x"));
  // Upper-case hex is not the layout's name for an object.
  std::string upper = hex;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(parse_request_target("/objects/sha256/" + upper.substr(0, 2) + "/" + upper.substr(2))
                .error()
                .code,
            ErrorCode::kNotFound);
  for (const char* bad : {"", "x", "/..", "/index/../x", "/a//b", "/index/%2e%2e", "/%2F", "/a\\b",
                          "/%", "/%zz", "/a%00", "/index/ta ble.json"}) {
    auto r = parse_request_target(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  for (const char* outside :
       {"/", "/index", "/packages/table/Chair-1.0.0.reel", "/packages/table/Table-1.0.0.tar",
        "/objects/sha256/ab/cd", "/publish/Table", "/index/-x.json"}) {
    auto r = parse_request_target(outside);
    ASSERT_FALSE(r) << outside;
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << outside;
  }
}

TEST(RepoServerTokens, FileAndBearer) {
  reel::testing::TempDir dir;
  auto fs = make_real_file_system();
  write_file(dir.path() / "t", "# comment\n\n alpha \nbeta\n");
  auto set = server::TokenSet::load(*fs, dir.path() / "t");
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->contains("alpha"));
  EXPECT_TRUE(set->contains("beta"));
  EXPECT_FALSE(set->contains("alph"));
  EXPECT_FALSE(set->contains("# comment"));
  EXPECT_FALSE(set->contains(""));
  EXPECT_EQ(server::bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(server::bearer_token("bearer   abc "), "abc");
  EXPECT_EQ(server::bearer_token("Basic abc"), "");
  EXPECT_EQ(server::bearer_token("Bearerabc"), "");
}

TEST(RepoServerTokens, RolesAndNames) {
  reel::testing::TempDir dir;
  auto fs = make_real_file_system();
  write_file(dir.path() / "t",
             "# NAME ROLE TOKEN\nalice publish tok-a\nrita   review  tok-r\nroot admin tok-x\n"
             "viewer read tok-v\nbare-one\n");
  auto set = server::TokenSet::load(*fs, dir.path() / "t");
  ASSERT_TRUE(set) << set.error().message;
  auto alice = set->find("tok-a");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->role, server::TokenRole::kPublish);
  EXPECT_EQ(set->find("tok-r")->role, server::TokenRole::kReview);
  EXPECT_EQ(set->find("tok-x")->role, server::TokenRole::kAdmin);
  EXPECT_EQ(set->find("tok-v")->role, server::TokenRole::kRead);
  auto bare = set->find("bare-one");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->name, "token on line 6");
  EXPECT_EQ(bare->role, server::TokenRole::kPublish);  // as before roles existed
  EXPECT_FALSE(set->find("alice"));                    // a name is not a token
  EXPECT_FALSE(set->find("publish"));
  using server::Permission;
  using server::TokenRole;
  EXPECT_TRUE(server::role_allows(TokenRole::kPublish, Permission::kPublish));
  EXPECT_FALSE(server::role_allows(TokenRole::kPublish, Permission::kReview));
  EXPECT_FALSE(server::role_allows(TokenRole::kReview, Permission::kPublish));
  EXPECT_TRUE(server::role_allows(TokenRole::kReview, Permission::kReview));
  EXPECT_FALSE(server::role_allows(TokenRole::kRead, Permission::kReview));
  EXPECT_TRUE(server::role_allows(TokenRole::kAdmin, Permission::kReview));
  EXPECT_TRUE(server::role_allows(TokenRole::kAdmin, Permission::kPublish));

  write_file(dir.path() / "bad-role", "alice owner tok-a\n");
  auto bad_role = server::TokenSet::load(*fs, dir.path() / "bad-role");
  ASSERT_FALSE(bad_role);
  EXPECT_NE(bad_role.error().message.find(":1: unknown role 'owner'"), std::string::npos)
      << bad_role.error().message;
  write_file(dir.path() / "two-words", "alice tok-secret\n");
  auto two = server::TokenSet::load(*fs, dir.path() / "two-words");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().message.find("tok-secret"), std::string::npos);  // never the token
}

// Review and yank over HTTP: a publish token gets 403 (index unchanged), a review token may, and
// the record names the token, not anything the client sent; a review token may not publish.
TEST_F(RepoServerTest, RolesGuardReviewYankAndPublish) {
  write_file(dir.path() / "roles.tokens", "alice publish tok-a\nrita review tok-r\n");
  ServeOptions options;
  options.token_file = dir.path() / "roles.tokens";
  auto running = start(options);
  ASSERT_TRUE(running);
  auto c = running->client();
  BuiltPackage table = build("Table", "1.0.0", "v 1\n");
  for (const auto& f : table.files) {
    auto put = c.Put(object_url(f.sha256).c_str(), bearer("tok-r"),
                     read(cache.object_path(f.sha256)), "application/octet-stream");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 403) << put->body;  // a review token uploads nothing
    put = c.Put(object_url(f.sha256).c_str(), bearer("tok-a"), read(cache.object_path(f.sha256)),
                "application/octet-stream");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 201);
  }
  auto refused = c.Post("/publish/Table/1.0.0", bearer("tok-r"), table.archive_bytes,
                        "application/octet-stream");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->body, "token 'rita' (role review) may not publish\n");
  EXPECT_FALSE(exists(root / "index" / "table.json"));
  auto published = c.Post("/publish/Table/1.0.0", bearer("tok-a"), table.archive_bytes,
                          "application/octet-stream");
  ASSERT_TRUE(published);
  EXPECT_EQ(published->status, 201) << published->body;
  const std::string before = read(root / "index" / "table.json");

  const std::string approve = R"({"state": "approved", "note": "ok", "by": "claimed"})";
  auto no_role = c.Post("/review/Table/1.0.0", bearer("tok-a"), approve, "application/json");
  ASSERT_TRUE(no_role);
  EXPECT_EQ(no_role->status, 403);
  EXPECT_EQ(no_role->body, "token 'alice' (role publish) may not review or yank\n");
  auto no_token = c.Post("/review/Table/1.0.0", approve, "application/json");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  auto yank_refused =
      c.Post("/yank/Table/1.0.0", bearer("tok-a"), R"({"reason": "x"})", "application/json");
  ASSERT_TRUE(yank_refused);
  EXPECT_EQ(yank_refused->status, 403);
  for (const char* bad :
       {"not json", R"({"state": "pending"})", R"({"state": "rejected"})", R"({"state": 1})"}) {
    auto r = c.Post("/review/Table/1.0.0", bearer("tok-r"), bad, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
  }
  auto missing = c.Post("/review/Table/9.9.9", bearer("tok-r"), approve, "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(read(root / "index" / "table.json"), before);

  auto ok = c.Post("/review/Table/1.0.0", bearer("tok-r"), approve, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto twice = c.Post("/review/Table/1.0.0", bearer("tok-r"), approve, "application/json");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 409);
  auto yanked =
      c.Post("/yank/Table/1.0.0", bearer("tok-r"), R"({"reason": "broken"})", "application/json");
  ASSERT_TRUE(yanked);
  EXPECT_EQ(yanked->status, 200) << yanked->body;
  auto get = c.Get("/reel-repo.json");
  ASSERT_TRUE(get);

  auto repo = open_repo(*fs, root.string()).value();
  const IndexEntry e = *repo->read_index("Table").value()->find(Version(1, 0, 0));
  EXPECT_EQ(e.review.current.state, ReviewState::kApproved);
  EXPECT_EQ(e.review.current.by, "rita");  // the token's name, not "claimed"
  EXPECT_EQ(e.review.current.at, format_rfc3339_utc(clock.now_unix_seconds()));
  ASSERT_TRUE(e.yank);
  EXPECT_EQ(e.yank->by, "rita");
  auto log = c.Get("/log/audit.jsonl");
  ASSERT_TRUE(log);
  ASSERT_EQ(log->status, 200);
  auto parsed = parse_audit_log(log->body, "log").value();
  ASSERT_EQ(parsed.records.size(), 3u);
  EXPECT_EQ(parsed.records[0].actor, "alice");
  EXPECT_EQ(parsed.records[0].action, "publish");
  EXPECT_EQ(parsed.records[1].actor, "rita");
  EXPECT_EQ(parsed.records[1].action, "approve");
  EXPECT_EQ(parsed.records[2].action, "yank");
  EXPECT_EQ(parsed.records[2].note, "broken");
}

}  // namespace
}  // namespace reel
