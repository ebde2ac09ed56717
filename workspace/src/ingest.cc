// Taking external files into an output (ingest.h).
#include "reel/workspace/ingest.h"

#include "outputs_common.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/storage/http_client.h"
#include "reel/storage/path_rules.h"
#include "reel/workspace/credentials.h"
#include "reel/workspace/outputs.h"
#include "tree_digest.h"

namespace reel {

using outputs_detail::output_dir;
using outputs_detail::read_output_manifest;

namespace {

bool is_url(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

std::string strip_file_scheme(const std::string& s) {
  return s.rfind("file://", 0) == 0 ? s.substr(7) : s;
}

// The last path component of a path or URL (query and fragment dropped), or "".
std::string last_component(std::string s) {
  if (is_url(s)) {
    s = s.substr(s.find("//") + 2);
    s = s.substr(0, s.find_first_of("?#"));
    if (s.find('/') == std::string::npos) return "";  // a bare host
  }
  while (!s.empty() && s.back() == '/') s.pop_back();
  auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

Result<SourcesLock> read_sources_lock(FileSystem& fs, const fs::path& file) {
  auto st = fs.stat(file);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return SourcesLock{};
  auto text = fs.read_file(file, kMaxManifestBytes);
  if (!text) return tl::unexpected(text.error());
  return parse_sources_lock(*text, file.string());
}

Result<HttpResponse> fetch_url(Workspace& ws, const std::string& url, const std::string& etag) {
  Context& ctx = ws.context();
  RepoOpenOptions o = repo_open_options(ctx);
  std::set<std::string> shown;
  add_credentials(ctx, url, nullptr, o, shown);
  HttpOptions h;
  h.token = o.token;
  h.netrc_file = o.netrc_file;
  h.ca_file = o.ca_file;
  if (o.stall_seconds > 0) h.stall_seconds = o.stall_seconds;
  HttpClient client(ctx.fs, h);
  return client.get(url, etag, kMaxIngestUrlBytes);
}

// Copies a local file or folder to `dest` (which must not exist); returns the newest mtime seen.
Result<std::int64_t> copy_local(FileSystem& fs, const fs::path& src, const fs::path& dest) {
  auto st = fs.stat(src);
  if (!st) return tl::unexpected(st.error());
  auto copy_one = [&](const fs::path& from, const FileStat& fst, const fs::path& to) -> Status {
    if (fst.type == FileType::kSymlink) {
      auto target = fs.read_symlink(from);
      if (!target) return tl::unexpected(target.error());
      return fs.symlink(*target, to);
    }
    REEL_TRY(fs.copy_file(from, to));
    if (fst.mode & 0111) REEL_TRY(fs.set_mode(to, 0755));
    return ok();
  };
  if (st->type == FileType::kRegular) {
    REEL_TRY(copy_one(src, *st, dest));
    return st->mtime_ns;
  }
  if (st->type != FileType::kDirectory) {
    return make_error(ErrorCode::kInvalidArgument, src.string() + ": not a regular file or folder");
  }
  auto files = list_tree(fs, src);
  if (!files) return tl::unexpected(files.error());
  std::vector<std::pair<std::string, std::optional<std::string>>> listing;
  std::int64_t newest = st->mtime_ns;
  REEL_TRY(fs.create_directories(dest));
  for (const auto& [rel, full] : *files) {
    auto fst = fs.stat(full);
    if (!fst) return tl::unexpected(fst.error());
    newest = std::max(newest, fst->mtime_ns);
    std::optional<std::string> link;
    if (fst->type == FileType::kSymlink) {
      auto target = fs.read_symlink(full);
      if (!target) return tl::unexpected(target.error());
      link = target->string();
    }
    listing.emplace_back(rel, link);
    fs::path to = dest / rel;
    REEL_TRY(fs.create_directories(to.parent_path()));
    REEL_TRY(copy_one(full, *fst, to));
  }
  // What is ingested must build (path_rules.h): no link out of the folder, no case-only twins.
  std::vector<TreeEntry> entries;
  for (const auto& [rel, link] : listing) {
    entries.push_back(TreeEntry{rel, link ? std::optional<std::string_view>(*link) : std::nullopt});
  }
  if (auto problem = tree_problem(entries))
    return make_error(ErrorCode::kInvalidArgument,
                      src.string() + ": cannot be ingested: " + *problem);
  return newest;
}

}  // namespace

Result<SourceRecord> ingest_source(Workspace& ws, const std::string& name,
                                   const std::string& src_in, const std::string& dest_in) {
  auto manifest = read_output_manifest(ws, name);
  if (!manifest) return tl::unexpected(manifest.error());
  FileSystem& fs = ws.context().fs;
  const fs::path root = output_dir(ws, name);
  const std::string src = strip_file_scheme(src_in);
  const bool url = is_url(src);
  if (!url && fs::path(src).is_relative())
    return make_error(ErrorCode::kInvalidArgument, "ingest: '" + src + "' is not an absolute path");
  std::string dest = dest_in.empty() ? last_component(src) : dest_in;
  while (!dest.empty() && dest.back() == '/') dest.pop_back();
  if (dest.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "ingest: cannot name the destination after '" + src + "' (give --path)");
  if (auto bad = path_problem(dest))
    return make_error(ErrorCode::kInvalidArgument,
                      "ingest: --path '" + dest + "': the path " + *bad);
  if (dest == "asset.toml" || dest == "steps.lock" || dest == "sources.lock")
    return make_error(ErrorCode::kInvalidArgument, "ingest: '" + dest + "' is written by reel");
  if (!url) {
    fs::path s = fs::path(src).lexically_normal();
    auto rel = s.lexically_relative(root);
    if (!rel.empty() && *rel.begin() != "..")
      return make_error(ErrorCode::kInvalidArgument,
                        "ingest: " + src + " is inside outputs/" + name + " already");
  }
  REEL_TRY(fs.create_directories(ws.root() / ".reel" / "locks"));
  auto turn = fs.lock_exclusive(ws.root() / ".reel" / "locks" / ("ingest-" + lower_name(name)));
  if (!turn) return tl::unexpected(turn.error().with_context("locking outputs/" + name));
  fs::path lock_file = root / "sources.lock";
  auto sources = read_sources_lock(fs, lock_file);
  if (!sources) return tl::unexpected(sources.error());
  const fs::path target = root / dest;
  auto here = fs.stat(target);
  if (!here) return tl::unexpected(here.error());
  if (here->type != FileType::kMissing && !sources->find(dest)) {
    return make_error(ErrorCode::kAlreadyExists,
                      target.string() +
                          " already exists and did not come from `reel ingest` "
                          "(remove it, or choose another --path)");
  }

  // Stage, hash, then move into place.
  const fs::path stage = ws.root() / ".reel" / "ingest" / lower_name(name);
  REEL_TRY(fs.remove_all(stage));
  REEL_TRY(fs.create_directories(stage));
  struct Cleanup {
    FileSystem& fs;
    fs::path dir;
    ~Cleanup() { (void)fs.remove_all(dir); }
  } cleanup{fs, stage};
  const fs::path staged = stage / "new";
  SourceRecord record;
  record.url = src;
  if (url) {
    auto response = fetch_url(ws, src, "");
    if (!response) return tl::unexpected(response.error().with_context("ingest"));
    REEL_TRY(fs.write_file_atomic(staged, response->body, true));
    record.etag = response->etag;
  } else {
    auto real = resolve_symlinks(fs, fs::path(src).lexically_normal());
    if (!real) return tl::unexpected(real.error().with_context("ingest " + src));
    auto newest = copy_local(fs, *real, staged);
    if (!newest) return tl::unexpected(newest.error().with_context("ingest"));
    record.mtime = rfc3339_nanos(*newest);
  }
  auto digest = digest_path(fs, staged);
  if (!digest) return tl::unexpected(digest.error());
  bool folder = digest->type == FileType::kDirectory;
  record.path = dest + (folder ? "/" : "");
  record.sha256 = digest->sha256;
  record.size = digest->size;
  record.files = folder ? digest->files : 0;
  REEL_TRY(fs.create_directories(target.parent_path()));
  if (here->type != FileType::kMissing) REEL_TRY(fs.rename(target, stage / "old"));
  if (auto placed = fs.rename(staged, target); !placed) {
    if (here->type != FileType::kMissing) (void)fs.rename(stage / "old", target);
    return tl::unexpected(placed.error());
  }
  sources->put(record);
  REEL_TRY(fs.write_file_atomic(lock_file, serialize_sources_lock(*sources), true));
  return record;
}

Result<std::vector<SourceCheck>> check_sources(Workspace& ws,
                                               const std::optional<std::string>& name) {
  FileSystem& fs = ws.context().fs;
  std::vector<std::string> names;
  if (name) {
    auto m = read_output_manifest(ws, *name);
    if (!m) return tl::unexpected(m.error());
    names.push_back(*name);
  } else {
    auto all = list_outputs(ws);
    if (!all) return tl::unexpected(all.error());
    names = *all;
  }
  std::vector<SourceCheck> out;
  for (const auto& output : names) {
    auto sources = read_sources_lock(fs, output_dir(ws, output) / "sources.lock");
    if (!sources) return tl::unexpected(sources.error());
    for (const auto& r : sources->sources) {
      SourceCheck c{output, r, false, ""};
      if (r.is_url()) {
        auto response = fetch_url(ws, r.url, r.etag);
        if (!response && response.error().code == ErrorCode::kNotFound) {
          c.changed = true;
          c.detail = "no longer exists (" + response.error().message + ")";
        } else if (!response) {
          return tl::unexpected(response.error().with_context("checking " + r.url));
        } else if (response->status != 304) {
          Digest d = sha256_bytes(response->body);
          c.changed = d != r.sha256;
          if (c.changed)
            c.detail = "content changed (" + std::to_string(r.size) + " -> " +
                       std::to_string(response->body.size()) + " bytes" +
                       (response->etag.empty() ? "" : ", ETag " + response->etag) + ")";
        }
      } else {
        auto real = resolve_symlinks(fs, r.url);
        if (!real && real.error().code != ErrorCode::kNotFound)
          return tl::unexpected(real.error().with_context("checking " + r.url));
        Result<PathDigest> d = PathDigest{};
        if (real) d = digest_path(fs, *real);
        if (!d) return tl::unexpected(d.error().with_context("checking " + r.url));
        if (d->type == FileType::kMissing) {
          c.changed = true;
          c.detail = "no longer exists";
        } else if (d->sha256 != r.sha256) {
          c.changed = true;
          c.detail = "content changed (" + std::to_string(r.size) + " -> " +
                     std::to_string(d->size) + " bytes" +
                     (r.files ? ", " + std::to_string(r.files) + " -> " + std::to_string(d->files) +
                                    " files"
                              : "") +
                     ")";
        }
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

Result<std::vector<SourceRecord>> update_sources(Workspace& ws,
                                                 const std::optional<std::string>& name) {
  auto checks = check_sources(ws, name);
  if (!checks) return tl::unexpected(checks.error());
  std::vector<SourceRecord> out;
  for (const auto& c : *checks) {
    if (!c.changed) continue;
    std::string dest = c.record.path;
    if (c.record.is_folder()) dest.pop_back();
    auto r = ingest_source(ws, c.output, c.record.url, dest);
    if (!r) return tl::unexpected(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace reel
