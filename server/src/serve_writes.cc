// `reel serve` writes (docs/http.md "Writes"): PUT objects/sha256/<2>/<62>, streamed into the
// object store's Writer and installed only if the bytes hash to the name, and POST
// publish/<Name>/<version>, checked and then published through Repo::publish under the repo lock.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "server_impl.h"

namespace reel {

using server::content_length;
using server::Reply;
using server::respond;
using server::Route;
using server::RouteKind;
using server::status_for;

namespace {

bool is_decision(RouteKind kind) {
  return kind == RouteKind::kReview || kind == RouteKind::kYank || kind == RouteKind::kUnyank;
}

// The largest review/yank body: {"state", "note"} or {"reason"}, a note being a line or a
// paragraph.
constexpr std::uint64_t kMaxDecisionBody = std::uint64_t{64} << 10;

// One {"state", "by", "at", "note"} object of a Reel-Promote header.
Result<ReviewRecord> carried_record(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(ErrorCode::kInvalidArgument, "expected an object");
  ReviewRecord rec;
  std::string state = "pending";
  for (auto [key, out] : {std::pair<const char*, std::string*>{"state", &state},
                          {"by", &rec.by},
                          {"at", &rec.at},
                          {"note", &rec.note}}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string())
      return make_error(ErrorCode::kInvalidArgument, std::string(key) + ": expected a string");
    *out = it->get<std::string>();
  }
  auto parsed = parse_review_state(state);
  if (!parsed) return make_error(ErrorCode::kInvalidArgument, "unknown state '" + state + "'");
  rec.state = *parsed;
  return rec;
}

// The review a promotion carries (Reel-Promote: {"state", "by", "at", "note", "history": [...]}).
Result<Review> parse_carried_review(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto current = carried_record(j);
  if (!current) return tl::unexpected(current.error());
  Review review{*current, {}};
  auto history = j.find("history");
  if (history != j.end() && !history->is_null()) {
    if (!history->is_array())
      return make_error(ErrorCode::kInvalidArgument, "history: expected an array");
    for (const auto& item : *history) {
      auto rec = carried_record(item);
      if (!rec) return tl::unexpected(rec.error().with_context("history"));
      review.history.push_back(std::move(*rec));
    }
  }
  return review;
}

}  // namespace

std::optional<Reply> RepoServer::Impl::refuse_write(const httplib::Request& req,
                                                    httplib::Response& res,
                                                    const Result<Route>& route, RouteKind wanted,
                                                    server::TokenInfo* who) const {
  if (!route) return Reply{status_for(route.error()), route.error().message};
  const bool post_route = route->kind == RouteKind::kPublish || is_decision(route->kind);
  if (wanted == RouteKind::kObject ? route->kind != RouteKind::kObject : !post_route) {
    if (post_route) {
      res.set_header("Allow", "POST");
    } else {
      res.set_header("Allow", route->kind == RouteKind::kObject ? "GET, HEAD, PUT" : "GET, HEAD");
    }
    return Reply{405, wanted == RouteKind::kObject
                          ? "only objects/sha256/... take PUT"
                          : "only publish|review|yank|unyank/<Name>/<version> take POST"};
  }
  server::Permission need =
      is_decision(route->kind) ? server::Permission::kReview : server::Permission::kPublish;
  if (auto refused = authorize(req, need, who)) return refused;
  auto length = content_length(req);
  const std::uint64_t limit = body_limit(*route);
  if (length && *length > limit) {
    return Reply{413, "body of " + std::to_string(*length) + " bytes is over the limit of " +
                          std::to_string(limit)};
  }
  return std::nullopt;
}

std::uint64_t RepoServer::Impl::body_limit(const Route& route) const {
  if (route.kind == RouteKind::kPublish)
    return std::min(options.max_body, server::kMaxArchiveBytes);
  if (is_decision(route.kind)) return std::min(options.max_body, kMaxDecisionBody);
  return options.max_body;
}

void RepoServer::Impl::put(const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& reader) {
  auto route = server::parse_request_target(req.target);
  if (auto refused = refuse_write(req, res, route, RouteKind::kObject)) {
    discard_body(req, res, reader);
    return respond(req, res, *refused);
  }
  Reply reply = receive_object(*route, reader);
  if (reply.status == 413) res.set_header("Connection", "close");
  respond(req, res, reply);
}

Reply RepoServer::Impl::receive_object(const Route& route, const httplib::ContentReader& reader) {
  auto present = store->contains(route.digest);
  if (!present) return Reply{500, present.error().message};
  std::uint64_t received = 0;
  bool too_big = false;
  const std::string what = "sha256:" + route.digest.hex();
  if (*present) {
    // Not rewritten; the body is only hashed, so a wrong one is still refused.
    Sha256 hasher;
    bool ok = reader([&](const char* data, std::size_t size) {
      received += size;
      if (received > options.max_body) {
        too_big = true;
        return false;
      }
      hasher.update(data, size);
      return true;
    });
    if (too_big) return Reply{413, "body over the limit of " + std::to_string(options.max_body)};
    if (!ok) return Reply{400, "incomplete body"};
    Digest got = hasher.finish();
    if (got != route.digest)
      return Reply{
          400, "digest mismatch: expected " + route.digest.prefixed() + ", got " + got.prefixed()};
    return Reply{200, what + " already stored"};
  }
  auto writer = store->begin_object();
  if (!writer) return Reply{status_for(writer.error()), writer.error().message};
  std::optional<Error> write_error;
  bool ok = reader([&](const char* data, std::size_t size) {
    received += size;
    if (received > options.max_body) {
      too_big = true;
      return false;
    }
    auto st = (*writer)->write(data, size);
    if (!st) write_error = st.error();
    return st.has_value();
  });
  // On every early return the Writer is destroyed unfinished, which removes its temp file.
  if (too_big) return Reply{413, "body over the limit of " + std::to_string(options.max_body)};
  if (write_error) return Reply{status_for(*write_error), write_error->message};
  if (!ok) return Reply{400, "incomplete body"};
  Digest got = (*writer)->digest();
  if (got != route.digest)
    return Reply{
        400, "digest mismatch: expected " + route.digest.prefixed() + ", got " + got.prefixed()};
  auto done = (*writer)->finish(route.digest, what);
  if (!done) return Reply{status_for(done.error()), done.error().message};
  return Reply{201, what + " stored"};
}

void RepoServer::Impl::post(const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) {
  auto route = server::parse_request_target(req.target);
  server::TokenInfo who;
  if (auto refused = refuse_write(req, res, route, RouteKind::kPublish, &who)) {
    discard_body(req, res, reader);
    return respond(req, res, *refused);
  }
  // The archive is read whole into memory: at most body_limit() (64 MiB) of it.
  const std::uint64_t limit = body_limit(*route);
  std::string body;
  bool too_big = false;
  bool ok = reader([&](const char* data, std::size_t size) {
    if (body.size() + size > limit) {
      too_big = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (too_big) {
    res.set_header("Connection", "close");
    return respond(req, res, Reply{413, "body over the limit of " + std::to_string(limit)});
  }
  if (!ok) return respond(req, res, Reply{400, "incomplete body"});
  if (is_decision(route->kind)) return respond(req, res, decide(*route, body, who));
  respond(req, res, publish(req, *route, body, who));
}

Reply RepoServer::Impl::decide(const Route& route, const std::string& body,
                               const server::TokenInfo& who) {
  const std::string label = route.name + " " + route.version;
  auto version = Version::parse(route.version);
  if (!version) return Reply{400, version.error().to_string()};
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return Reply{400, "expected a JSON object body"};
  auto text = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  std::string note, state_text, reason;
  if (!text("note", note) || !text("state", state_text) || !text("reason", reason))
    return Reply{400, "\"state\", \"note\" and \"reason\" must be strings"};
  const std::string now = format_rfc3339_utc(clock.now_unix_seconds());
  Status done;
  if (route.kind == RouteKind::kReview) {
    auto state = parse_review_state(state_text);
    if (!state || *state == ReviewState::kPending)
      return Reply{400, "\"state\" must be \"approved\" or \"rejected\""};
    done = repo->set_review(route.name, *version, ReviewRecord{*state, who.name, now, note});
  } else {
    done = repo->set_yank(route.name, *version, route.kind == RouteKind::kYank,
                          YankRecord{reason, who.name, now});
  }
  if (!done) return Reply{status_for(done.error()), done.error().message};
  const char* what = route.kind == RouteKind::kYank     ? "yanked "
                     : route.kind == RouteKind::kUnyank ? "unyanked "
                     : state_text == "approved"         ? "approved "
                                                        : "rejected ";
  return Reply{200, what + label + " (by " + who.name + ")"};
}

Reply RepoServer::Impl::publish(const httplib::Request& req, const Route& route,
                                const std::string& body, const server::TokenInfo& who) {
  const std::string label = route.name + " " + route.version;
  auto url_version = Version::parse(route.version);
  if (!url_version) return Reply{400, url_version.error().to_string()};
  auto package = read_package(body, "archive for " + label);
  if (!package) return Reply{400, package.error().message};
  const AssetManifest& m = package->manifest;
  if (m.name != route.name || m.version.to_string() != url_version->to_string()) {
    return Reply{400,
                 "the archive holds " + m.name + " " + m.version.to_string() + ", not " + label};
  }
  SourceInfo source;
  source.commit = req.get_header_value("Reel-Source-Commit");
  if (source.commit.size() > 64 ||
      source.commit.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Reply{400, "Reel-Source-Commit must be a lower-case hex commit or empty"};
  const std::string dirty = req.get_header_value("Reel-Source-Dirty");
  if (dirty != "" && dirty != "true" && dirty != "false")
    return Reply{400, "Reel-Source-Dirty must be true or false"};
  source.dirty = dirty == "true";

  std::size_t missing = 0;
  std::size_t objects = 0;
  std::optional<Digest> first_missing;
  for (const auto& f : package->files) {
    if (f.symlink) continue;
    ++objects;
    auto have = store->contains(f.sha256);
    if (!have) return Reply{500, have.error().message};
    if (!*have) {
      if (!first_missing) first_missing = f.sha256;
      ++missing;
    }
  }
  if (missing > 0) {
    return Reply{409, std::to_string(missing) + " of " + std::to_string(objects) +
                          " objects missing, first " + first_missing->prefixed()};
  }

  std::lock_guard<std::mutex> hold(publish_mutex);
  auto index = repo->read_index(m.name);
  if (!index) return Reply{status_for(index.error()), index.error().message};
  if (*index) {
    if (const IndexEntry* existing = (*index)->find(m.version)) {
      if (existing->archive.sha256 == package->archive_digest)
        return Reply{200, label + " is already published with this archive"};
      return Reply{409, label + " is already published with another archive (" +
                            existing->archive.sha256.prefixed() + ")"};
    }
  }
  IndexEntry entry = make_index_entry(*package, source, clock);
  AuditInfo audit{who.name, entry.published, "publish", ""};
  if (req.has_header("Reel-Promote")) {
    // A promotion: the audit line says promote. The source repo's review record comes along
    // only from an admin token; a publish token cannot vouch for a review (the version then
    // starts pending here, and the line says so).
    auto review = parse_carried_review(req.get_header_value("Reel-Promote"));
    if (!review) return Reply{400, "Reel-Promote: " + review.error().message};
    audit.action = "promote";
    audit.note = req.get_header_value("Reel-Audit-Note");
    if (server::role_allows(who.role, server::Permission::kAdmin)) {
      entry.review = std::move(*review);
    } else {
      audit.note += std::string(audit.note.empty() ? "" : "; ") +
                    "review not carried (a publish token): pending here";
    }
  }
  auto done = repo->publish(*package, *store, std::move(entry), audit);
  if (!done) return Reply{status_for(done.error()), done.error().message};
  return Reply{201, "published " + label};
}

}  // namespace reel
