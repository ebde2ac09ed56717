// The crash sweep (issue 11), after LevelDB's db/fault_injection_test.cc: for N = 1, 2, 3, …
// a fresh world is built (durable), the operation runs through a FaultInjectingFileSystem that
// stops the process at its Nth write point, the power is "lost" (what was not durable is taken
// away, per the PowerLossModel), the invariants are checked, the operation runs again on a fresh
// FaultInjectingFileSystem with no faults, and the invariants are checked again with the
// operation complete. The sweep ends at the first N the operation completes without reaching,
// whose power loss comes just after the operation returned (what it promised must have been
// durable); N - 1 is the operation's count of write points, printed for the record.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "reel/storage/fault_injection.h"
#include "world.h"

namespace reel::crash {

struct Operation {
  std::string name;  // for messages: "publish (new version)"
  // Builds the world through world.real() (gtest assertions; a fatal failure stops the sweep).
  std::function<void(World&)> setup;
  // The operation, as a fresh process would run it, through `fs`.
  std::function<Status(World&, FileSystem& fs)> run;
  // The invariants, through world.real(): after a power loss (`complete` false) and after the
  // re-run (`complete` true). Reports with gtest's EXPECT/ADD_FAILURE.
  std::function<void(World&, PowerLossModel, bool complete)> check;
  // Optional: what must survive a power loss once the operation has returned success (a
  // published version stays published), checked after `check`.
  std::function<void(World&, PowerLossModel)> durable;
  // Optional, between the power loss and the re-run (e.g. World::age on leftovers).
  std::function<void(World&)> before_rerun;
};

// Sweeps `op` under `model` and returns its count of write points. Stops at the first point
// whose checks fail (so one bug gives one report), naming the point and the model.
std::uint64_t sweep(const Operation& op, PowerLossModel model);

// Sweeps under both models, expects the same count of points from both, prints
// "crash sweep: <name>: <count> write points" and returns the count.
std::uint64_t sweep_both(const Operation& op);

}  // namespace reel::crash
