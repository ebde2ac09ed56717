// Running an output's build steps (DESIGN §2 [[step]], §5 `reel build`; dvc's `repro`): each
// step whose inputs changed since steps.lock recorded it runs again, in step_order(), with
// /bin/sh -c CMD in the output's folder and the workspace environment; its deps and outs are
// recorded with their digests in outputs/NAME/steps.lock.
//
// A step is up to date when steps.lock has a record for it with the same cmd text, the same
// deps and outs, every dep's digest (a file's bytes, a folder's files, a pkg:NAME dep's archive
// digest in reel.lock; when outputs/NAME shadows NAME, the digest of that folder, recorded with
// version "V (editable)", since that is what the step reads) unchanged, and every out present
// with its recorded digest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reel/engine/steps_lock.h"
#include "reel/workspace/process.h"
#include "reel/workspace/workspace.h"

namespace reel {

// One step and why it must run: "it has not run yet", "its cmd changed", "its deps changed",
// "frames/ changed", "frames/ is missing", "pkg:Table changed", "its outs changed",
// "preview.mp4 is missing", "preview.mp4 changed since the step wrote it"; nullopt when it is up
// to date.
struct StepState {
  std::string name;
  std::optional<std::string> stale;
};

// The state of every step of outputs/NAME in run order, from the files as they are (no step
// runs). Errors: read_output_manifest's (outputs_common.h), a malformed steps.lock (naming it),
// kNotFound naming the step for a pkg: dep the lock does not name (`lock` may be null: then
// every pkg: dep is such), the file system's.
Result<std::vector<StepState>> step_states(Workspace& ws, const std::string& name,
                                           const LockFile* lock);

struct StepsReport {
  struct Ran {
    std::string name;
    std::string reason;  // StepState::stale
  };
  std::vector<Ran> ran;                 // in the order they ran
  std::vector<std::string> up_to_date;  // names
};

// `reel build NAME`'s first part: runs the stale steps of outputs/NAME through `runner` (the
// environment is workspace_environment() with reel.lock when there is one), each announced on
// the reporter ("running step preview (frames/ changed): ffmpeg ..."). Before a step runs its
// outs are removed (dvc's rule), so what is there afterwards is what it wrote. After each step
// that succeeds, steps.lock is rewritten (atomically) with its record; records of steps the
// manifest no longer has are dropped. A step that exits non-zero, is killed, or does not write
// every out fails the run: kIOError naming the output, the step, the cmd, the exit status and
// the last lines of its stderr; its outs are removed, its record is left as it was and later
// steps do not run. Holds WORKSPACE/.reel/locks/steps-NAME meanwhile (one run per output at a
// time). The runner's errors (kNotFound for /bin/sh); step_states()' errors.
Result<StepsReport> run_steps(Workspace& ws, const std::string& name, ProcessRunner& runner);

}  // namespace reel
