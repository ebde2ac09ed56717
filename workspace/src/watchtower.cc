// `reel export watchtower` (watchtower.h; the format: notes/watchtower.md).
#include "reel/workspace/watchtower.h"

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "preview_image.h"
#include "reel/engine/names.h"
#include "reel/engine/package.h"
#include "reel/engine/studio_metadata.h"

namespace reel {

using nlohmann::json;

std::string uuid_v5(std::string_view name) {
  // RFC 4122 Appendix C: NameSpace_URL.
  static const unsigned char kNamespace[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                               0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha1(), nullptr);
  EVP_DigestUpdate(md, kNamespace, sizeof kNamespace);
  EVP_DigestUpdate(md, name.data(), name.size());
  EVP_DigestFinal_ex(md, hash, &len);
  EVP_MD_CTX_free(md);
  hash[6] = static_cast<unsigned char>((hash[6] & 0x0f) | 0x50);  // version 5
  hash[8] = static_cast<unsigned char>((hash[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[hash[i] >> 4];
    out += kHex[hash[i] & 0x0f];
  }
  return out;
}

namespace {

const char* kTaskType = "Review";

// Review states as Watchtower task statuses, in this order, with #RRGGBB colours.
struct StatusInfo {
  ReviewState state;
  const char* name;
  const char* color;
};
const StatusInfo kStatuses[] = {{ReviewState::kPending, "pending", "#F9A825"},
                                {ReviewState::kApproved, "approved", "#22D160"},
                                {ReviewState::kRejected, "rejected", "#FF3860"}};

std::string id_of(const std::string& kind, const std::string& name) {
  return uuid_v5("reel:watchtower:" + kind + ":" + name);
}

// One package as the export sees it: the version shown, its metadata, its files.
struct Item {
  const CatalogPackage* package = nullptr;
  Repo* repo = nullptr;
  const IndexEntry* entry = nullptr;
  StudioMetadata meta;
  std::string kind;  // "sequence", "shot", "edit", "asset"
  std::vector<FileEntry> files;
  std::string preview_url;  // data/projects/<pid>/previews/..., "" when none
};

// The person's name in "Jade Doe <jade@studio>".
std::string display_name(const std::string& actor) {
  auto lt = actor.find(" <");
  return lt == std::string::npos ? actor : actor.substr(0, lt);
}

Status write_json(FileSystem& fs, const fs::path& path, const json& value) {
  REEL_TRY(fs.create_directories(path.parent_path()));
  return fs.write_file_atomic(path, value.dump(2) + "\n", false);
}

Status check_output(FileSystem& fs, const WatchtowerOptions& options) {
  auto st = fs.stat(options.output);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return fs.create_directories(options.output);
  auto entries = fs.list_dir(options.output);
  if (!entries) return tl::unexpected(entries.error());
  if (entries->empty() || options.force) return ok();
  for (const auto& e : *entries)
    if (e.name == kWatchtowerMarker) return ok();
  Error e{ErrorCode::kAlreadyExists, options.output.string() +
                                         " is not empty and is not a Watchtower export (no " +
                                         std::string(kWatchtowerMarker) + ")"};
  e.hint = "export into an empty folder, or pass --force to write into this one";
  return tl::unexpected(e);
}

Result<std::string> choose_project(const std::vector<Item>& items, const std::string& wanted) {
  std::set<std::string> projects;
  for (const auto& it : items)
    if (!it.meta.project.empty()) projects.insert(it.meta.project);
  if (!wanted.empty()) {
    if (projects.count(wanted)) return wanted;
    return make_error(ErrorCode::kInvalidArgument,
                      "no package has [metadata] project = \"" + wanted + "\"");
  }
  if (projects.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "no package names a project ([metadata] project in asset.toml)");
  }
  if (projects.size() > 1) {
    std::string names;
    for (const auto& p : projects) names += (names.empty() ? "" : ", ") + p;
    Error e{ErrorCode::kInvalidArgument, "the packages name several projects: " + names};
    e.hint = "choose one with --project NAME";
    return tl::unexpected(e);
  }
  return *projects.begin();
}

// Loads the files of the item's shown version (its archive).
Status load_files(Item& item) {
  auto bytes = item.repo->read_archive(item.entry->archive);
  if (!bytes) return tl::unexpected(bytes.error());
  auto package = read_package(*bytes, item.entry->archive.path);
  if (!package) return tl::unexpected(package.error());
  item.files = std::move(package->files);
  return ok();
}

// The file to make the item's preview from: [metadata] thumbnail, else its first image file.
const FileEntry* preview_source(const Item& item) {
  for (const auto& f : item.files) {
    if (f.symlink) continue;
    if (!item.meta.thumbnail.empty() ? f.path == item.meta.thumbnail : is_image_path(f.path))
      return &f;
  }
  return nullptr;
}

// Writes the preview (once per source object) under data/projects/<pid>/previews/; sets
// item.preview_url. An implicit source (the first image file) that OpenImageIO cannot read is a
// warning and no preview (`unreadable` remembers it); a [metadata] thumbnail's is an error.
Status make_preview(Context& ctx, const fs::path& out, const std::string& pid, Item& item,
                    std::set<std::string>& written, std::set<std::string>& unreadable,
                    std::size_t& count) {
  const FileEntry* src = preview_source(item);
  if (!src) return ok();
  std::string hex = src->sha256.hex();
  std::string rel = "data/projects/" + pid + "/previews/" + hex.substr(0, 2) + "/" + hex + ".png";
  if (unreadable.count(rel) && item.meta.thumbnail.empty()) return ok();
  item.preview_url = rel;
  if (!written.insert(rel).second) return ok();
  REEL_TRY(item.repo->fetch_object(ObjectRef{src->sha256, src->size}, ctx.cache.objects()));
  fs::path dest = out / rel;
  REEL_TRY(ctx.fs.create_directories(dest.parent_path()));
  auto made = write_preview_png(
      ctx.cache.objects().object_path(src->sha256), dest, kWatchtowerPreviewWidth,
      kWatchtowerPreviewHeight,
      item.package->index.name + " " + item.entry->version.to_string() + ": " + src->path);
  // A named thumbnail must be an image; a first image file that is not one (a .png that is
  // something else) only costs the item its preview.
  if (!made && made.error().code == ErrorCode::kInvalidArgument && item.meta.thumbnail.empty()) {
    ctx.reporter.warn(made.error().message + "; no preview for it");
    (void)ctx.fs.remove(dest);
    item.preview_url.clear();
    written.erase(rel);
    unreadable.insert(rel);
    return ok();
  }
  if (!made) return tl::unexpected(made.error());
  ++count;
  return ok();
}

json task_for(const std::string& pid, const Item& item, const std::string& assignee) {
  json assignees = json::array();
  if (!assignee.empty()) assignees.push_back(id_of("user", assignee));
  std::string state(review_state_name(item.entry->review.current.state));
  return json::array({{{"id", id_of("task", pid + "/" + lower_name(item.package->index.name))},
                       {"task_type_id", id_of("task_type", kTaskType)},
                       {"task_status_id", id_of("task_status", state)},
                       {"assignees", assignees}}});
}

json url_or_null(const std::string& url) { return url.empty() ? json() : json(url); }

}  // namespace

Result<WatchtowerReport> export_watchtower(Context& ctx, const RepoList& repos,
                                           const WatchtowerOptions& options) {
  REEL_TRY(check_output(ctx.fs, options));
  auto catalog = read_catalog(repos);
  if (!catalog) return tl::unexpected(catalog.error());
  std::map<std::string, Repo*> repo_of;
  for (const auto& [label, repo] : repos) repo_of.emplace(label, repo);
  std::vector<Item> all;
  for (const auto& p : *catalog) {
    Item item;
    item.package = &p;
    item.repo = repo_of[p.repo];
    item.entry = newest_approved_entry(p.index);
    if (!item.entry) continue;
    item.meta = read_studio_metadata(item.entry->metadata_json);
    std::string type = lower_name(item.entry->type);
    item.kind = type == "shot" || type == "sequence" || type == "edit" ? type : "asset";
    all.push_back(std::move(item));
  }
  auto project = choose_project(all, options.project);
  if (!project) return tl::unexpected(project.error());
  WatchtowerReport report;
  report.project = *project;
  const std::string pid = id_of("project", *project);
  report.project_id = pid;
  std::vector<Item> items;
  for (auto& it : all)
    if (it.meta.project.empty() || it.meta.project == *project) items.push_back(std::move(it));

  // Publishers (assignees) and the team, from the audit logs.
  std::vector<std::string> torn;
  auto log = read_catalog_log(repos, "", torn);
  if (!log) return tl::unexpected(log.error());
  for (const auto& t : torn) ctx.reporter.warn(t);
  std::set<std::string> actors;
  std::map<std::string, std::string> publisher;  // "repo\nlower name\nversion" -> actor
  for (const auto& r : *log) {  // newest first: the first publish seen is the last one
    if (!r.record.actor.empty()) actors.insert(r.record.actor);
    if (r.record.action == "publish" || r.record.action == "promote") {
      publisher.emplace(r.repo + "\n" + lower_name(r.record.name) + "\n" + r.record.version,
                        r.record.actor);
    }
  }
  auto assignee_of = [&publisher](const Item& item) {
    auto it = publisher.find(item.package->repo + "\n" + lower_name(item.package->index.name) +
                             "\n" + item.entry->version.to_string());
    return it == publisher.end() ? std::string() : it->second;
  };

  const fs::path& out = options.output;
  REEL_TRY(ctx.fs.remove_all(out / "data"));
  std::set<std::string> written, unreadable;
  for (auto& item : items) {
    REEL_TRY(load_files(item));
    if (item.kind == "shot" || item.kind == "asset")  // Watchtower shows no sequence preview
      REEL_TRY(make_preview(ctx, out, pid, item, written, unreadable, report.previews));
  }

  // Sequences: the sequence packages, and any sequence a shot names without one.
  std::map<std::string, std::string> sequences;  // lower name -> name
  double fps = 0;
  for (const auto& item : items) {
    if (item.kind != "sequence") continue;
    std::string name = item.meta.sequence.empty() ? item.package->index.name : item.meta.sequence;
    sequences.emplace(lower_name(name), name);
    if (fps == 0 && item.meta.fps) fps = *item.meta.fps;
  }
  std::vector<const Item*> shots;
  for (const auto& item : items) {
    if (item.kind != "shot") continue;
    shots.push_back(&item);
    if (!item.meta.sequence.empty())
      sequences.emplace(lower_name(item.meta.sequence), item.meta.sequence);
    if (fps == 0 && item.meta.fps) fps = *item.meta.fps;
  }
  if (fps == 0) fps = 24;
  json sequences_json = json::array();
  for (const auto& [lower, name] : sequences)
    sequences_json.push_back({{"id", id_of("sequence", pid + "/" + lower)}, {"name", name}});
  report.sequences = sequences.size();

  // Shots, counted from the edit's first frame (notes/watchtower.md "Frames and time").
  std::int64_t first = 0, last = 0;
  bool any_range = false;
  for (const Item* s : shots) {
    if (!s->meta.frame_in || !s->meta.frame_out) continue;
    first = any_range ? std::min(first, *s->meta.frame_in) : *s->meta.frame_in;
    last = any_range ? std::max(last, *s->meta.frame_out) : *s->meta.frame_out;
    any_range = true;
  }
  auto start_of = [first](const Item* s) {
    return s->meta.frame_in ? *s->meta.frame_in - first : 0;
  };
  std::sort(shots.begin(), shots.end(), [&start_of](const Item* a, const Item* b) {
    if (start_of(a) != start_of(b)) return start_of(a) < start_of(b);
    return lower_name(a->package->index.name) < lower_name(b->package->index.name);
  });
  std::map<std::string, std::string> asset_ids;  // lower name -> id
  for (const auto& item : items)
    if (item.kind == "asset")
      asset_ids.emplace(lower_name(item.package->index.name),
                        id_of("asset", pid + "/" + lower_name(item.package->index.name)));
  json shots_json = json::array();
  json casting = json::array();
  std::string project_thumbnail;
  for (const Item* s : shots) {
    std::string name = s->meta.shot.empty() ? s->package->index.name : s->meta.shot;
    std::string shot_id = id_of("shot", pid + "/" + lower_name(s->package->index.name));
    std::string seq = s->meta.sequence;
    json shot = {{"id", shot_id},
                 {"name", name},
                 {"sequence_id",
                  seq.empty() ? json() : json(id_of("sequence", pid + "/" + lower_name(seq)))},
                 {"startFrame", start_of(s)},
                 {"tasks", task_for(pid, *s, assignee_of(*s))},
                 {"thumbnailUrl", url_or_null(s->preview_url)},
                 {"fps", s->meta.fps.value_or(fps)}};
    double seconds = 0;
    if (s->meta.frame_in && s->meta.frame_out) {
      seconds =
          static_cast<double>(*s->meta.frame_out - *s->meta.frame_in) / s->meta.fps.value_or(fps);
      shot["data"] = {{"frame_in", *s->meta.frame_in}, {"frame_out", *s->meta.frame_out}};
    }
    shot["durationSeconds"] = seconds;
    shots_json.push_back(std::move(shot));
    if (project_thumbnail.empty()) project_thumbnail = s->preview_url;
    std::set<std::string> cast;
    for (const auto& d : s->entry->dependencies) {
      auto it = asset_ids.find(lower_name(d.name));
      if (it != asset_ids.end()) cast.insert(it->second);
    }
    if (!cast.empty())
      casting.push_back({{"shot_id", shot_id},
                         {"asset_ids", std::vector<std::string>(cast.begin(), cast.end())}});
  }
  report.shots = shots.size();

  // Assets and their types.
  std::map<std::string, std::string> asset_types;  // lower type -> type
  json assets_json = json::array();
  for (const auto& item : items) {
    if (item.kind != "asset") continue;
    std::string type = item.entry->type.empty() ? "asset" : item.entry->type;
    asset_types.emplace(lower_name(type), type);
    assets_json.push_back({{"id", asset_ids[lower_name(item.package->index.name)]},
                           {"name", item.package->index.name},
                           {"asset_type_id", id_of("asset_type", lower_name(type))},
                           {"tasks", task_for(pid, item, assignee_of(item))},
                           {"thumbnailUrl", url_or_null(item.preview_url)}});
    if (project_thumbnail.empty()) project_thumbnail = item.preview_url;
  }
  report.assets = assets_json.size();
  json asset_types_json = json::array();
  for (const auto& [lower, name] : asset_types)
    asset_types_json.push_back({{"id", id_of("asset_type", lower)}, {"name", name}});

  json task_statuses = json::array();
  for (const auto& s : kStatuses)
    task_statuses.push_back(
        {{"id", id_of("task_status", s.name)}, {"name", s.name}, {"color", s.color}});
  json task_types = json::array({{{"id", id_of("task_type", kTaskType)},
                                  {"name", kTaskType},
                                  {"color", "#4A90E2"},
                                  {"for_shots", true}}});
  json team = json::array();
  for (const auto& actor : actors) {
    team.push_back({{"id", id_of("user", actor)},
                    {"full_name", display_name(actor)},
                    {"name", display_name(actor)},
                    {"has_avatar", false},
                    {"thumbnailUrl", nullptr}});
  }
  report.team = actors.size();

  // The edit: the first .mp4 of a package of type "edit", else none (the timeline still needs
  // totalFrames, taken from the shots' frame ranges).
  const std::string edit_id = id_of("edit", pid);
  std::int64_t total = any_range ? last - first : 0;
  if (total <= 0) total = 1;
  report.total_frames = static_cast<std::size_t>(total);
  json edit = {{"id", edit_id},        {"totalFrames", total},  {"frameOffset", 0},
               {"episodeId", nullptr}, {"sourceName", nullptr}, {"sourceType", nullptr}};
  for (const auto& item : items) {
    if (item.kind != "edit" || report.video) continue;
    for (const auto& f : item.files) {
      if (f.symlink || f.path.size() < 4 || lower_name(f.path.substr(f.path.size() - 4)) != ".mp4")
        continue;
      std::string rel = "data/projects/" + pid + "/edit-" + edit_id + ".mp4";
      REEL_TRY(item.repo->fetch_object(ObjectRef{f.sha256, f.size}, ctx.cache.objects()));
      REEL_TRY(ctx.fs.create_directories((out / rel).parent_path()));
      REEL_TRY(ctx.fs.copy_file(ctx.cache.objects().object_path(f.sha256), out / rel));
      edit["sourceName"] = rel;
      edit["sourceType"] = "video/mp4";
      report.video = true;
      break;
    }
  }

  // The project list's thumbnail: a copy of the first shot's (else asset's) preview.
  std::string list_thumbnail;
  if (!project_thumbnail.empty()) {
    std::string file = project_thumbnail.substr(project_thumbnail.find("/previews/") + 10);
    list_thumbnail = "data/projects-list/previews/" + file;
    REEL_TRY(ctx.fs.create_directories((out / list_thumbnail).parent_path()));
    REEL_TRY(ctx.fs.copy_file(out / project_thumbnail, out / list_thumbnail));
  }
  const fs::path dir = out / "data" / "projects" / pid;
  json list = {{"projects", json::array({{{"id", pid},
                                          {"name", *project},
                                          {"thumbnailUrl", url_or_null(list_thumbnail)},
                                          {"episodes", json::array()}}})}};
  REEL_TRY(write_json(ctx.fs, out / "data" / "projects-list" / "index.json", list));
  json project_json = {{"id", pid},
                       {"name", *project},
                       {"fps", fps},
                       {"thumbnailUrl", url_or_null(list_thumbnail)},
                       {"asset_types", asset_types_json},
                       {"task_types", task_types},
                       {"task_statuses", task_statuses},
                       {"team", team},
                       {"episodes", json::array()}};
  REEL_TRY(write_json(ctx.fs, dir / "project.json", project_json));
  REEL_TRY(write_json(ctx.fs, dir / "sequences.json", sequences_json));
  REEL_TRY(write_json(ctx.fs, dir / "shots.json", shots_json));
  REEL_TRY(write_json(ctx.fs, dir / "assets.json", assets_json));
  REEL_TRY(write_json(ctx.fs, dir / "casting.json", casting));
  REEL_TRY(write_json(ctx.fs, dir / "edits.json", json::array({edit})));
  REEL_TRY(write_json(ctx.fs, dir / "task_counts.json", json::array()));
  REEL_TRY(
      write_json(ctx.fs, out / kWatchtowerMarker,
                 {{"format", 1}, {"generator", "reel export watchtower"}, {"project", *project}}));
  return report;
}

}  // namespace reel
