// Build steps, asset.toml's [[step]] tables (DESIGN §2; dvc's stages): what a step runs, what it
// reads and what it writes, and the order steps run in. Pure: no I/O.
//
//   [[step]]
//   name = "preview"                       # 1-64 of [A-Za-z0-9._-], starting alphanumeric
//   cmd = "ffmpeg ... preview.mp4"         # run by /bin/sh -c in the asset's folder
//   deps = ["frames/", "pkg:Table"]        # paths inside the asset (a trailing '/' = a folder),
//                                          # pkg:NAME = an input package (its archive digest)
//   outs = ["preview.mp4"]                 # paths inside the asset the step writes
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/error.h"

namespace reel {

struct StepSpec {
  std::string name;
  std::string cmd;
  std::vector<std::string> deps;  // as written: "frames/", "table.obj", "pkg:Table"
  std::vector<std::string> outs;  // as written: "preview.mp4", "renders/"

  bool operator==(const StepSpec&) const = default;
};

// The package a "pkg:NAME" dep names, or nullopt for a path dep.
std::optional<std::string_view> step_dep_package(std::string_view dep);

// A path dep or out without its trailing '/' ("frames/" -> "frames").
std::string_view step_path(std::string_view dep_or_out);

// True when two asset paths (as step_path gives them) are the same or one is inside the other
// ("frames" and "frames/0001.png").
bool step_paths_overlap(std::string_view a, std::string_view b);

// Why a dep or out is not acceptable, or nullopt: a path must pass the path rules
// (path_rules.h) and may not be asset.toml, steps.lock or sources.lock (reel writes those);
// a pkg: dep needs a valid package name; outs cannot be pkg: deps.
std::optional<std::string> step_dep_problem(std::string_view dep);
std::optional<std::string> step_out_problem(std::string_view out);

// The order to run `steps` in: a step runs after every step that writes one of its path deps
// (dvc's DAG), ties in file order. kInvalidArgument naming the steps for a cycle ("the steps
// form a cycle: mesh -> preview -> mesh (mesh reads preview.mp4, written by preview; ...)"),
// a step reading its own out, and two steps writing the same path. Returns indexes into `steps`.
Result<std::vector<std::size_t>> step_order(const std::vector<StepSpec>& steps);

}  // namespace reel
