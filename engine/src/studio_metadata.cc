// Studio metadata conventions (studio_metadata.h).
#include "reel/engine/studio_metadata.h"

#include <nlohmann/json.hpp>

#include "reel/storage/path_rules.h"

namespace reel {

using nlohmann::json;

namespace {

json parse_object(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return json::object();
  return j;
}

std::string string_key(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error key_error(std::string_view file, std::string_view key, const std::string& what) {
  return Error{ErrorCode::kInvalidArgument,
               std::string(file) + ": [metadata] " + std::string(key) + ": " + what};
}

}  // namespace

StudioMetadata read_studio_metadata(std::string_view metadata_json) {
  json j = parse_object(metadata_json);
  StudioMetadata m;
  m.project = string_key(j, "project");
  m.sequence = string_key(j, "sequence");
  m.shot = string_key(j, "shot");
  m.description = string_key(j, "description");
  m.thumbnail = string_key(j, "thumbnail");
  for (const char* key : {"frame_in", "frame_out"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number_integer())
      (std::string_view(key) == "frame_in" ? m.frame_in : m.frame_out) = it->get<std::int64_t>();
  }
  auto fps = j.find("fps");
  if (fps != j.end() && fps->is_number() && fps->get<double>() > 0) m.fps = fps->get<double>();
  auto tags = j.find("tags");
  if (tags != j.end() && tags->is_array()) {
    for (const auto& t : *tags)
      if (t.is_string()) m.tags.push_back(t.get<std::string>());
  }
  return m;
}

Status check_studio_metadata(std::string_view metadata_json, std::string_view file) {
  json j = parse_object(metadata_json);
  for (const char* key : {"project", "sequence", "shot", "description", "thumbnail"}) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_string())
      return tl::unexpected(key_error(file, key, "expected a string"));
  }
  for (const char* key : {"frame_in", "frame_out"}) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_number_integer())
      return tl::unexpected(key_error(file, key, "expected an integer frame number"));
  }
  auto in = j.find("frame_in");
  auto out = j.find("frame_out");
  if (in != j.end() && out != j.end() && in->get<std::int64_t>() > out->get<std::int64_t>()) {
    return tl::unexpected(key_error(file, "frame_in",
                                    std::to_string(in->get<std::int64_t>()) +
                                        " is after frame_out " +
                                        std::to_string(out->get<std::int64_t>())));
  }
  auto fps = j.find("fps");
  if (fps != j.end() && (!fps->is_number() || !(fps->get<double>() > 0)))
    return tl::unexpected(key_error(file, "fps", "expected a number greater than 0"));
  auto thumb = j.find("thumbnail");
  if (thumb != j.end()) {
    std::string path = thumb->get<std::string>();
    if (auto problem = path_problem(path)) {
      return tl::unexpected(key_error(
          file, "thumbnail", "'" + path + "' is not a path inside the asset: " + *problem));
    }
  }
  return ok();
}

Status check_thumbnail_in_package(std::string_view metadata_json,
                                  const std::vector<FileEntry>& files, std::string_view file) {
  StudioMetadata m = read_studio_metadata(metadata_json);
  if (m.thumbnail.empty()) return ok();
  for (const auto& f : files) {
    if (f.path == m.thumbnail && !f.symlink) return ok();
  }
  return tl::unexpected(
      key_error(file, "thumbnail", "'" + m.thumbnail + "' is not one of the package's files"));
}

}  // namespace reel
