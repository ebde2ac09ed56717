// `reel export watchtower` (DESIGN §5): the JSON files and previews Blender Studio's Watchtower
// web client reads (layout and fields: /work/shared/notes/watchtower.md, read from
// satishgoda/watchtower @ 28967e0), made from what repos hold:
//   data/projects-list/index.json, data/projects-list/previews/<xx>/<hex>.png
//   data/projects/<pid>/{project,sequences,shots,assets,casting,edits,task_counts}.json,
//   data/projects/<pid>/previews/<xx>/<hex>.png, data/projects/<pid>/edit-<id>.mp4
// and a marker, .reel-watchtower.json, saying the folder is an export.
// The project is the [metadata] `project` (studio_metadata.h); its sequences and shots are the
// packages of type "sequence" and "shot", its assets the other packages of that project or of no
// project (library assets), the edit movie an .mp4 in a package of type "edit". Each package is
// shown at its newest approved version, else its newest (catalog.h newest_approved_entry).
// Ids are UUIDv5 (RFC 4122 §4.3, SHA-1, the URL namespace) of "reel:watchtower:KIND:NAME", so
// they are the same in every export; every list is sorted and nothing holds the time, so
// exporting the same repos again writes the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "reel/engine/catalog.h"
#include "reel/storage/error.h"
#include "reel/workspace/context.h"

namespace reel {

// The marker file an export leaves at the top of its folder.
inline constexpr std::string_view kWatchtowerMarker = ".reel-watchtower.json";
// Watchtower's grid needs previews of exactly this size (notes/watchtower.md "Previews").
inline constexpr int kWatchtowerPreviewWidth = 150;
inline constexpr int kWatchtowerPreviewHeight = 100;

struct WatchtowerOptions {
  fs::path output;      // the folder to write (created if missing)
  std::string project;  // which project ("" : the only one the packages name)
  bool force = false;   // write into a non-empty folder that is not an export
};

struct WatchtowerReport {
  std::string project;     // its name
  std::string project_id;  // <pid>
  std::size_t sequences = 0, shots = 0, assets = 0, previews = 0, team = 0;
  std::size_t total_frames = 0;
  bool video = false;  // an edit movie was written
};

// The UUIDv5 (RFC 4122 §4.3) of `name` in the URL namespace 6ba7b811-9dad-11d1-80b4-00c04fd430c8,
// as 36 lower-case characters ("xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx"); SHA-1 with OpenSSL's EVP.
std::string uuid_v5(std::string_view name);

// Writes the export of `repos` (first repo wins a name) into options.output: the previous
// export's data/ is replaced as a whole. Errors: kAlreadyExists when the folder is not empty and
// holds no marker (unless force); kInvalidArgument when no package names a project, when several
// do and options.project is empty (naming them), or when options.project is named by none; the
// repos' errors (with the repo's label); kInvalidArgument naming a package whose thumbnail cannot
// be read as an image; the file system's errors.
Result<WatchtowerReport> export_watchtower(Context& ctx, const RepoList& repos,
                                           const WatchtowerOptions& options);

}  // namespace reel
