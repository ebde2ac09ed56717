// Repo index files (DESIGN §2), with nlohmann-json.
#include "reel/engine/index.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "index_sax.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"

namespace reel {

std::string archive_layout_path(std::string_view name, const Version& version) {
  return "packages/" + lower_name(name) + "/" + std::string(name) + "-" + version.to_string() +
         ".reel";
}

std::string_view review_state_name(ReviewState state) {
  switch (state) {
    case ReviewState::kPending:
      return "pending";
    case ReviewState::kApproved:
      return "approved";
    case ReviewState::kRejected:
      return "rejected";
  }
  return "pending";
}

std::optional<ReviewState> parse_review_state(std::string_view text) {
  if (text == "pending") return ReviewState::kPending;
  if (text == "approved") return ReviewState::kApproved;
  if (text == "rejected") return ReviewState::kRejected;
  return std::nullopt;
}

const IndexEntry* PackageIndex::find(const Version& v) const {
  for (const auto& e : versions) {
    if (e.version == v) return &e;
  }
  return nullptr;
}

namespace {

using json = nlohmann::ordered_json;

struct Reader {
  std::string_view file;
  Error error(const std::string& path, const std::string& what) const {
    return Error{ErrorCode::kInvalidArgument, std::string(file) + ": " + path + ": " + what};
  }
  Result<std::string> str(const json& j, const std::string& path, bool required = true) const {
    if (!j.is_string()) {
      if (!required && j.is_null()) return std::string();
      return tl::unexpected(error(path, "expected a string"));
    }
    return j.get<std::string>();
  }
  Result<std::uint64_t> u64(const json& j, const std::string& path) const {
    if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<long long>() >= 0)) {
      return tl::unexpected(error(path, "expected a non-negative integer"));
    }
    return j.get<std::uint64_t>();
  }
  Result<std::vector<DependencySpec>> deps(const json& j, const std::string& path) const {
    std::vector<DependencySpec> out;
    if (j.is_null()) return out;
    if (!j.is_object()) return tl::unexpected(error(path, "expected an object"));
    for (const auto& [name, value] : j.items()) {
      std::string p = path + "." + name;
      if (auto okname = check_package_name(name); !okname)
        return tl::unexpected(error(p, okname.error().message));
      auto text = str(value, p);
      if (!text) return tl::unexpected(text.error());
      auto range = Range::parse(*text);
      if (!range) return tl::unexpected(error(p, range.error().to_string()));
      out.push_back(DependencySpec{name, *text, *range});
    }
    std::sort(out.begin(), out.end(), [](const DependencySpec& a, const DependencySpec& b) {
      return lower_name(a.name) < lower_name(b.name);
    });
    return out;
  }
};

// The member `key` of object `obj`, or a null value when absent (no copy either way).
const json& field(const json& obj, const char* key) {
  static const json null_value;
  auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

// One review decision {"state", "by", "at", "note"} at `path`; a rejection needs a note.
Result<ReviewRecord> parse_review_record(const Reader& r, const json& j, const std::string& path) {
  if (!j.is_object()) return tl::unexpected(r.error(path, "expected an object"));
  ReviewRecord rec;
  auto state = r.str(field(j, "state"), path + ".state");
  if (!state) return tl::unexpected(state.error());
  auto parsed = parse_review_state(*state);
  if (!parsed)
    return tl::unexpected(
        r.error(path + ".state", "expected \"pending\", \"approved\" or \"rejected\""));
  rec.state = *parsed;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"by", &rec.by},
                          {"at", &rec.at},
                          {"note", &rec.note}}) {
    auto text = r.str(field(j, key), path + "." + key, false);
    if (!text) return tl::unexpected(text.error());
    *out = std::move(*text);
  }
  if (rec.state == ReviewState::kRejected && rec.note.empty())
    return tl::unexpected(r.error(path + ".note", "a rejection needs a note"));
  return rec;
}

json review_record_json(const ReviewRecord& rec) {
  return {{"state", std::string(review_state_name(rec.state))},
          {"by", rec.by},
          {"at", rec.at},
          {"note", rec.note}};
}

json deps_json(const std::vector<DependencySpec>& deps) {
  json o = json::object();
  for (const auto& d : deps) o[d.name] = d.range_text;
  return o;
}

}  // namespace

Result<PackageIndex> parse_index(std::string_view text, std::string_view file) {
  REEL_TRY(check_json_input(text, file, kMaxIndexBytes));
  if (auto fast = parse_index_sax(text)) return std::move(*fast);
  return parse_index_document(text, file);
}

Result<PackageIndex> parse_index_document(std::string_view text, std::string_view file) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::out_of_range&) {
    // A number too large for a double (406, "1e400"): refused as a value of the file, never
    // thrown past the parser.
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(file) + ": invalid JSON: a number out of range");
  } catch (const json::parse_error& e) {
    // e.byte is nlohmann's 1-based count of the bytes read when it failed; what() adds the line
    // and column after an "[json.exception.parse_error.101] " tag, dropped here.
    std::string what = e.what();
    if (auto tag = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && tag != std::string::npos) {
      what = what.substr(tag + 2);
    }
    return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": invalid JSON at byte " +
                                                       std::to_string(e.byte) + ": " + what);
  } catch (const json::exception& e) {  // anything else nlohmann-json throws: a malformed file
    return make_error(ErrorCode::kInvalidArgument, std::string(file) + ": invalid JSON: " + e.what());
  }
  Reader r{file};
  if (!root.is_object()) return tl::unexpected(r.error("(root)", "expected an object"));
  if (!root.contains("format") || root["format"] != 1)
    return tl::unexpected(r.error("format", "expected 1"));
  PackageIndex index;
  auto name = r.str(root.contains("name") ? root["name"] : json(), "name");
  if (!name) return tl::unexpected(name.error());
  if (auto okname = check_package_name(*name); !okname)
    return tl::unexpected(r.error("name", okname.error().message));
  index.name = *name;
  if (!root.contains("versions") || !root["versions"].is_array()) {
    return tl::unexpected(r.error("versions", "expected an array"));
  }
  std::size_t i = 0;
  for (const auto& v : root["versions"]) {
    std::string p = "versions[" + std::to_string(i++) + "]";
    if (!v.is_object()) return tl::unexpected(r.error(p, "expected an object"));
    auto at = [&](const char* key) -> const json& { return field(v, key); };
    IndexEntry e;
    auto ver = r.str(at("version"), p + ".version");
    if (!ver) return tl::unexpected(ver.error());
    auto parsed = Version::parse(*ver);
    if (!parsed) return tl::unexpected(r.error(p + ".version", parsed.error().to_string()));
    e.version = *parsed;
    auto type = r.str(at("type"), p + ".type", false);
    if (!type) return tl::unexpected(type.error());
    e.type = *type;
    auto deps = r.deps(at("dependencies"), p + ".dependencies");
    if (!deps) return tl::unexpected(deps.error());
    e.dependencies = std::move(*deps);
    const json& groups = at("dependency-groups");
    if (!groups.is_null()) {
      if (!groups.is_object())
        return tl::unexpected(r.error(p + ".dependency-groups", "expected an object"));
      for (const auto& [g, gj] : groups.items()) {
        auto gd = r.deps(gj, p + ".dependency-groups." + g);
        if (!gd) return tl::unexpected(gd.error());
        e.groups[g] = std::move(*gd);
      }
    }
    const json& archive = at("archive");
    if (!archive.is_object()) return tl::unexpected(r.error(p + ".archive", "expected an object"));
    auto apath = r.str(field(archive, "path"), p + ".archive.path");
    if (!apath) return tl::unexpected(apath.error());
    e.archive.path = *apath;
    auto sha =
        r.str(field(archive, "sha256"), p + ".archive.sha256");
    if (!sha) return tl::unexpected(sha.error());
    auto digest = Digest::from_hex(*sha);
    if (!digest) return tl::unexpected(r.error(p + ".archive.sha256", digest.error().message));
    e.archive.sha256 = *digest;
    auto size = r.u64(field(archive, "size"), p + ".archive.size");
    if (!size) return tl::unexpected(size.error());
    e.archive.size = *size;
    const json& files = at("files");
    if (files.is_object()) {
      auto count = r.u64(files.contains("count") ? files["count"] : json(0), p + ".files.count");
      auto bytes = r.u64(files.contains("size") ? files["size"] : json(0), p + ".files.size");
      if (!count) return tl::unexpected(count.error());
      if (!bytes) return tl::unexpected(bytes.error());
      e.file_count = *count;
      e.file_size = *bytes;
    }
    auto published = r.str(at("published"), p + ".published", false);
    if (!published) return tl::unexpected(published.error());
    e.published = *published;
    const json& source = at("source");
    if (source.is_object()) {
      auto commit =
          r.str(field(source, "commit"), p + ".source.commit", false);
      if (!commit) return tl::unexpected(commit.error());
      e.source.commit = *commit;
      e.source.dirty =
          source.contains("dirty") && source["dirty"].is_boolean() && source["dirty"].get<bool>();
    }
    const json& yanked = at("yanked");
    if (yanked.is_object()) {
      YankRecord yank;
      for (auto [key, out] : {std::pair<const char*, std::string*>{"reason", &yank.reason},
                              {"by", &yank.by},
                              {"at", &yank.at}}) {
        auto text = r.str(field(yanked, key), p + ".yanked." + key, false);
        if (!text) return tl::unexpected(text.error());
        *out = std::move(*text);
      }
      e.yanked = true;
      e.yank = std::move(yank);
    } else if (yanked.is_boolean() || yanked.is_null()) {
      e.yanked = yanked.is_boolean() && yanked.get<bool>();
      if (e.yanked) e.yank = YankRecord{};
    } else {
      return tl::unexpected(r.error(p + ".yanked", "expected false or an object"));
    }
    const json& review = at("review");
    if (review.is_null()) {
      e.review.current.state = ReviewState::kApproved;  // predates the review workflow
    } else {
      auto current = parse_review_record(r, review, p + ".review");
      if (!current) return tl::unexpected(current.error());
      e.review.current = std::move(*current);
      const json& history = field(review, "history");
      if (!history.is_null()) {
        if (!history.is_array())
          return tl::unexpected(r.error(p + ".review.history", "expected an array"));
        std::size_t h = 0;
        for (const auto& item : history) {
          auto rec =
              parse_review_record(r, item, p + ".review.history[" + std::to_string(h++) + "]");
          if (!rec) return tl::unexpected(rec.error());
          e.review.history.push_back(std::move(*rec));
        }
      }
    }
    const json& unresolved = at("unresolved");
    if (!unresolved.is_null() && !unresolved.is_boolean())
      return tl::unexpected(r.error(p + ".unresolved", "expected a boolean"));
    e.unresolved = unresolved.is_boolean() && unresolved.get<bool>();
    const json& meta = at("metadata");
    if (!meta.is_null()) {
      if (!meta.is_object()) return tl::unexpected(r.error(p + ".metadata", "expected an object"));
      if (!meta.empty()) e.metadata_json = meta.dump();
    }
    index.versions.push_back(std::move(e));
  }
  std::sort(index.versions.begin(), index.versions.end(),
            [](const IndexEntry& a, const IndexEntry& b) { return a.version < b.version; });
  return index;
}

std::string serialize_index(const PackageIndex& index) {
  json root = json::object();
  root["format"] = 1;
  root["name"] = index.name;
  json versions = json::array();
  std::vector<const IndexEntry*> sorted;
  for (const auto& e : index.versions) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->version < b->version; });
  for (const IndexEntry* e : sorted) {
    json v = json::object();
    v["version"] = e->version.to_string();
    v["type"] = e->type;
    v["dependencies"] = deps_json(e->dependencies);
    json groups = json::object();
    for (const auto& [g, d] : e->groups) groups[g] = deps_json(d);
    v["dependency-groups"] = groups;
    v["archive"] = {
        {"path", e->archive.path}, {"sha256", e->archive.sha256.hex()}, {"size", e->archive.size}};
    v["files"] = {{"count", e->file_count}, {"size", e->file_size}};
    v["published"] = e->published;
    v["source"] = {{"commit", e->source.commit}, {"dirty", e->source.dirty}};
    v["review"] = review_record_json(e->review.current);
    if (!e->review.history.empty()) {
      json history = json::array();
      for (const auto& rec : e->review.history) history.push_back(review_record_json(rec));
      v["review"]["history"] = std::move(history);
    }
    if (e->yanked) {
      const YankRecord yank = e->yank.value_or(YankRecord{});
      v["yanked"] = {{"reason", yank.reason}, {"by", yank.by}, {"at", yank.at}};
    } else {
      v["yanked"] = false;
    }
    if (e->unresolved) v["unresolved"] = true;
    auto meta = json::parse(e->metadata_json, nullptr, false);
    if (meta.is_object() && !meta.empty()) v["metadata"] = meta;
    versions.push_back(std::move(v));
  }
  root["versions"] = std::move(versions);
  return root.dump(1) + "\n";
}

}  // namespace reel
