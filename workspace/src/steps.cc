// Running an output's build steps (steps.h).
#include "reel/workspace/steps.h"

#include <algorithm>
#include <set>

#include "outputs_common.h"
#include "reel/engine/input_limits.h"
#include "reel/engine/names.h"
#include "reel/workspace/environment.h"
#include "reel/workspace/outputs.h"
#include "reel/workspace/shell_syntax.h"
#include "tree_digest.h"

namespace reel {

using outputs_detail::output_dir;
using outputs_detail::read_output_manifest;

namespace {

constexpr std::size_t kStderrTail = 4096;  // bytes of a failed step's stderr kept for the error
constexpr std::size_t kStderrLines = 12;   // of which the last lines are shown

Result<StepsLock> read_steps_lock(FileSystem& fs, const fs::path& file) {
  auto st = fs.stat(file);
  if (!st) return tl::unexpected(st.error());
  if (st->type == FileType::kMissing) return StepsLock{};
  auto text = fs.read_file(file, kMaxManifestBytes);
  if (!text) return tl::unexpected(text.error());
  return parse_steps_lock(*text, file.string());
}

// The digests of a step's deps as they are now; nullopt for a path that does not exist. A pkg:
// dep on a package an output shadows is that output's folder, as the step sees it through the
// environment (environment.h); otherwise the locked archive.
Result<std::vector<std::optional<StepFile>>> current_deps(Workspace& ws, const fs::path& root,
                                                          const StepSpec& step,
                                                          const LockFile* lock,
                                                          const std::string& where) {
  FileSystem& fs = ws.context().fs;
  auto outputs = list_outputs(ws);
  if (!outputs) return tl::unexpected(outputs.error());
  std::vector<std::optional<StepFile>> out;
  for (const auto& dep : step.deps) {
    if (auto pkg = step_dep_package(dep)) {
      auto editable = std::find_if(outputs->begin(), outputs->end(), [&](const std::string& o) {
        return lower_name(o) == lower_name(*pkg);
      });
      if (editable != outputs->end()) {
        auto m = read_output_manifest(ws, *editable);
        if (!m) return tl::unexpected(m.error());
        auto d = digest_path(fs, output_dir(ws, *editable));
        if (!d) return tl::unexpected(d.error());
        out.push_back(StepFile{dep, d->sha256, 0, 0, m->version.to_string() + " (editable)"});
        continue;
      }
      const LockedPackage* p = lock ? lock->find(*pkg) : nullptr;
      if (!p) {
        return make_error(ErrorCode::kNotFound,
                          where + ": " + dep + " is not in reel.lock (add " + std::string(*pkg) +
                              " to the asset's [dependencies] and run `reel lock`)");
      }
      out.push_back(StepFile{dep, p->archive, 0, 0, p->version.to_string()});
      continue;
    }
    auto d = digest_path(fs, root / std::string(step_path(dep)));
    if (!d) return tl::unexpected(d.error());
    if (d->type == FileType::kMissing) {
      out.push_back(std::nullopt);
      continue;
    }
    out.push_back(
        StepFile{dep, d->sha256, d->size, d->type == FileType::kDirectory ? d->files : 0, ""});
  }
  return out;
}

template <class T>
std::vector<std::string> paths_of(const std::vector<T>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path);
  return out;
}

Result<std::optional<std::string>> why_stale(FileSystem& fs, const fs::path& root,
                                             const StepSpec& step, const StepRecord* record,
                                             const std::vector<std::optional<StepFile>>& deps) {
  using Reason = std::optional<std::string>;
  if (!record) return Reason("it has not run yet");
  if (record->cmd != step.cmd) return Reason("its cmd changed");
  if (paths_of(record->deps) != step.deps) return Reason("its deps changed");
  for (std::size_t i = 0; i < deps.size(); ++i) {
    if (!deps[i]) return Reason(step.deps[i] + " is missing");
    if (deps[i]->sha256 != record->deps[i].sha256) return Reason(step.deps[i] + " changed");
  }
  if (paths_of(record->outs) != step.outs) return Reason("its outs changed");
  for (const auto& out : record->outs) {
    auto d = digest_path(fs, root / std::string(step_path(out.path)));
    if (!d) return tl::unexpected(d.error());
    if (d->type == FileType::kMissing) return Reason(out.path + " is missing");
    if (d->sha256 != out.sha256) return Reason(out.path + " changed since the step wrote it");
  }
  return Reason();
}

// The last `n` lines of `text`, each on a new line indented by four spaces.
std::string last_lines(const std::string& text, std::size_t n) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += "\n    " + lines[i];
  return out;
}

Status remove_outs(FileSystem& fs, const fs::path& root, const StepSpec& step) {
  for (const auto& out : step.outs) REEL_TRY(fs.remove_all(root / std::string(step_path(out))));
  return ok();
}

}  // namespace

Result<std::vector<StepState>> step_states(Workspace& ws, const std::string& name,
                                           const LockFile* lock) {
  auto manifest = read_output_manifest(ws, name);
  if (!manifest) return tl::unexpected(manifest.error());
  FileSystem& fs = ws.context().fs;
  fs::path root = output_dir(ws, name);
  auto recorded = read_steps_lock(fs, root / "steps.lock");
  if (!recorded) return tl::unexpected(recorded.error());
  auto order = step_order(manifest->steps);
  if (!order) return tl::unexpected(order.error().with_context((root / "asset.toml").string()));
  std::vector<StepState> out;
  for (std::size_t i : *order) {
    const StepSpec& step = manifest->steps[i];
    std::string where = "outputs/" + name + " step " + step.name;
    auto deps = current_deps(ws, root, step, lock, where);
    if (!deps) return tl::unexpected(deps.error());
    auto stale = why_stale(fs, root, step, recorded->find(step.name), *deps);
    if (!stale) return tl::unexpected(stale.error());
    out.push_back(StepState{step.name, *stale});
  }
  return out;
}

Result<StepsReport> run_steps(Workspace& ws, const std::string& name, ProcessRunner& runner) {
  auto manifest = read_output_manifest(ws, name);
  if (!manifest) return tl::unexpected(manifest.error());
  StepsReport report;
  FileSystem& fs = ws.context().fs;
  fs::path root = output_dir(ws, name);
  fs::path lock_file = root / "steps.lock";
  auto recorded = read_steps_lock(fs, lock_file);
  if (!recorded) return tl::unexpected(recorded.error());
  // Records of steps asset.toml no longer has are dropped.
  StepsLock next;
  for (const auto& r : recorded->steps) {
    for (const auto& s : manifest->steps) {
      if (lower_name(s.name) == lower_name(r.name)) next.put(r);
    }
  }
  bool changed = next.steps.size() != recorded->steps.size();
  if (manifest->steps.empty()) {
    if (changed) REEL_TRY(fs.write_file_atomic(lock_file, serialize_steps_lock(next), true));
    return report;
  }
  auto order = step_order(manifest->steps);
  if (!order) return tl::unexpected(order.error().with_context((root / "asset.toml").string()));
  auto ws_lock = ws.read_lock();
  if (!ws_lock) return tl::unexpected(ws_lock.error());
  const LockFile* lock = *ws_lock ? &**ws_lock : nullptr;
  auto env = workspace_environment(ws, lock);
  if (!env) return tl::unexpected(env.error());
  for (const auto& w : env->warnings) ws.context().reporter.warn(w);
  REEL_TRY(fs.create_directories(ws.root() / ".reel" / "locks"));
  auto turn = fs.lock_exclusive(ws.root() / ".reel" / "locks" / ("steps-" + lower_name(name)));
  if (!turn) return tl::unexpected(turn.error().with_context("locking the steps of " + name));

  for (std::size_t i : *order) {
    const StepSpec& step = manifest->steps[i];
    std::string where = "outputs/" + name + " step " + step.name;
    auto deps = current_deps(ws, root, step, lock, where);
    if (!deps) return tl::unexpected(deps.error());
    auto stale = why_stale(fs, root, step, next.find(step.name), *deps);
    if (!stale) return tl::unexpected(stale.error());
    if (!*stale) {
      report.up_to_date.push_back(step.name);
      continue;
    }
    for (std::size_t d = 0; d < deps->size(); ++d) {
      if (!(*deps)[d]) {
        return make_error(ErrorCode::kNotFound, where + ": its dep " + step.deps[d] +
                                                    " does not exist (" +
                                                    (root / step.deps[d]).string() + ")");
      }
    }
    REEL_TRY(remove_outs(fs, root, step));
    ws.context().reporter.info("running step " + step.name + " of " + name + " (" + **stale +
                               "): " + step.cmd);
    ProcessRequest request;
    request.argv = {"/bin/sh", "-c", substitute_root_quoted(step.cmd, root)};
    request.environment = env->variables;
    request.cwd = root;
    request.stdout_to_stderr = true;
    request.stderr_tail = kStderrTail;
    auto outcome = runner.run(request);
    if (!outcome) {
      (void)remove_outs(fs, root, step);
      return tl::unexpected(outcome.error().with_context(where));
    }
    auto failed = [&](const std::string& what) {
      (void)remove_outs(fs, root, step);
      std::string message = where + ": `" + step.cmd + "` " + what +
                            "; nothing was recorded in steps.lock and its outs were removed";
      if (!outcome->stderr_tail.empty())
        message += "\n  its stderr ended with:" + last_lines(outcome->stderr_tail, kStderrLines);
      return make_error(ErrorCode::kIOError, message);
    };
    if (outcome->signal != 0)
      return failed("was killed by signal " + std::to_string(outcome->signal));
    if (outcome->exit_code != 0)
      return failed("exited with status " + std::to_string(outcome->exit_code));
    StepRecord record{step.name, step.cmd, {}, {}};
    for (const auto& d : *deps) record.deps.push_back(*d);
    for (const auto& out : step.outs) {
      auto d = digest_path(fs, root / std::string(step_path(out)));
      if (!d) return tl::unexpected(d.error());
      if (d->type == FileType::kMissing)
        return failed("exited with status 0 but did not write its out " + out);
      if (out.back() == '/' && d->type != FileType::kDirectory)
        return failed("wrote " + std::string(step_path(out)) + " as a file, not the folder " + out);
      record.outs.push_back(
          StepFile{out, d->sha256, d->size, d->type == FileType::kDirectory ? d->files : 0, ""});
    }
    next.put(std::move(record));
    REEL_TRY(fs.write_file_atomic(lock_file, serialize_steps_lock(next), true));
    changed = false;
    report.ran.push_back(StepsReport::Ran{step.name, **stale});
  }
  if (changed) REEL_TRY(fs.write_file_atomic(lock_file, serialize_steps_lock(next), true));
  return report;
}

}  // namespace reel
