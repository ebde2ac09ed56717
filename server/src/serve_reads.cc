// `reel serve` reads (docs/http.md "Reads"): GET/HEAD of reel-repo.json, index files (with ETags),
// the index/ listing (nginx autoindex JSON) and archives and objects, streamed from disk with
// sendfile(2) (file_body.h) in constant memory with single Range requests honoured.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "file_body.h"
#include "server_impl.h"

namespace reel {
namespace {

using server::ranges_of;
using server::Reply;
using server::respond;
using server::Route;
using server::RouteKind;
using server::status_for;

// "Mon, 30 Nov 2026 08:00:00 GMT", as nginx's autoindex prints mtimes.
std::string http_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

bool etag_matches(const std::string& if_none_match, const std::string& etag) {
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.rfind("W/", 0) == 0) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

// An open file streamed by a content provider (shared by its copies; closed with the last).
struct OpenFile {
  int fd = -1;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

// Normalises a single Range against `size`: true when the response may proceed (ranges cleared
// for none or several — several are answered with the whole body, as RFC 9110 §14.2 allows),
// false when the range is unsatisfiable.
bool normalise_range(httplib::Ranges& ranges, std::uint64_t size) {
  if (ranges.size() != 1) {
    ranges.clear();
    return true;
  }
  const auto len = static_cast<ssize_t>(size);
  ssize_t first = ranges[0].first;
  ssize_t last = ranges[0].second;
  if (first < 0) {  // suffix: the last `last` bytes
    if (last <= 0 || len == 0) return false;
    first = last >= len ? 0 : len - last;
    last = len - 1;
  } else {
    if (last >= 0 && last < first) {  // invalid: ignore the header
      ranges.clear();
      return true;
    }
    if (first >= len) return false;
    if (last < 0 || last >= len) last = len - 1;
  }
  ranges[0] = {first, last};
  return true;
}

}  // namespace

void RepoServer::Impl::get(const httplib::Request& req, httplib::Response& res) {
  if (auto refused = authorize(req, server::Permission::kRead)) return respond(req, res, *refused);
  auto route = server::parse_request_target(req.target);
  if (!route) return respond(req, res, Reply{status_for(route.error()), route.error().message});
  switch (route->kind) {
    case RouteKind::kRepoJson:
    case RouteKind::kIndexFile:
      return send_small_file(req, res, *route);
    case RouteKind::kIndexList:
      return send_index_list(req, res);
    case RouteKind::kArchive:
    case RouteKind::kObject:
    case RouteKind::kAuditLog:  // append-only: streamed, so a range resumes a long one
      return send_streamed(req, res, *route);
    case RouteKind::kPublish:
    case RouteKind::kReview:
    case RouteKind::kYank:
    case RouteKind::kUnyank:
      res.set_header("Allow", "POST");
      return respond(req, res, Reply{405, "publish, review, yank and unyank take POST"});
  }
}

void RepoServer::Impl::send_small_file(const httplib::Request& req, httplib::Response& res,
                                       const Route& route) {
  const fs::path path = options.repo / route.relative;
  auto st = fs.stat(path);
  if (!st) return respond(req, res, Reply{500, st.error().message});
  if (st->type != FileType::kRegular) return respond(req, res, Reply{404, "not found"});
  auto text = fs.read_file(path);
  if (!text)
    return respond(req, res, Reply{status_for(text.error()), "cannot read " + route.relative});
  const std::string etag = "\"" + sha256_bytes(*text).hex() + "\"";
  ranges_of(req).clear();  // small JSON documents are always sent whole
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "no-cache");
  if (req.has_header("If-None-Match") &&
      etag_matches(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(std::move(*text), "application/json");
}

void RepoServer::Impl::send_index_list(const httplib::Request& req, httplib::Response& res) {
  const fs::path dir = options.repo / "index";
  auto entries = fs.list_dir(dir);
  nlohmann::json list = nlohmann::json::array();
  if (!entries && entries.error().code != ErrorCode::kNotFound)
    return respond(req, res, Reply{500, "cannot list index/"});
  if (entries) {
    for (const auto& e : *entries) {
      if (e.type != FileType::kRegular || e.name.empty() || e.name.front() == '.') continue;
      if (e.name.size() <= 5 || e.name.substr(e.name.size() - 5) != ".json") continue;
      auto st = fs.stat(dir / e.name);
      if (!st || st->type != FileType::kRegular) continue;
      list.push_back({{"name", e.name},
                      {"type", "file"},
                      {"mtime", http_date(st->mtime_ns / 1000000000)},
                      {"size", st->size}});
    }
  }
  ranges_of(req).clear();
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_content(list.dump() + "\n", "application/json");
}

void RepoServer::Impl::send_streamed(const httplib::Request& req, httplib::Response& res,
                                     const Route& route) {
  const fs::path path = options.repo / route.relative;
  auto file = std::make_shared<OpenFile>();
  // O_NOFOLLOW: a symlink planted in the repo is not followed out of it.
  file->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st {};
  if (file->fd < 0 || ::fstat(file->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    if (file->fd >= 0 || err == ENOENT || err == ELOOP || err == ENOTDIR)
      return respond(req, res, Reply{404, "not found"});
    return respond(req, res,
                   Reply{500, "cannot open " + route.relative + ": " + std::strerror(err)});
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  res.set_header("Accept-Ranges", "bytes");
  if (route.kind == RouteKind::kObject) res.set_header("ETag", "\"" + route.digest.hex() + "\"");
  if (!normalise_range(ranges_of(req), size)) {
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    return respond(req, res, Reply{416, "range not satisfiable"});
  }
  res.status = ranges_of(req).empty() ? 200 : 206;
  if (size == 0) {
    res.set_content("", "application/octet-stream");
    return;
  }
  // sendfile(2) through the connection (file_body.h); false drops the connection (a write
  // error, or the file shrank).
  res.set_content_provider(static_cast<std::size_t>(size), "application/octet-stream",
                           [file](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return server::write_file_piece(sink, file->fd, offset, length);
                           });
}

}  // namespace reel
