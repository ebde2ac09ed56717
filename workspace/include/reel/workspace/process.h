// The process seam: every program reel starts (`reel run`, `reel shell`, scripts, build steps)
// goes through a ProcessRunner, so tests can fake it and record what would have run.
// make_process_runner() is the POSIX implementation (posix_spawn; never system()).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/storage/error.h"
#include "reel/storage/file_system.h"

namespace reel {

struct ProcessRequest {
  // The program and its arguments. A program without '/' is looked up in `environment`'s PATH
  // (not reel's own), as execvp would with that PATH; an empty PATH entry is the `cwd`.
  std::vector<std::string> argv;
  std::map<std::string, std::string> environment;  // the child's whole environment
  fs::path cwd;                                    // absolute
  // The child's stdout goes to reel's stderr (build steps: stdout is for reel's result).
  bool stdout_to_stderr = false;
  // When non-zero, the child's stderr passes through a pipe to reel's stderr as it comes, and
  // its last `stderr_tail` bytes are kept for the error message.
  std::size_t stderr_tail = 0;
};

struct ProcessOutcome {
  int exit_code = 0;        // the exit status; 128 + N when killed by signal N (a shell's $?)
  int signal = 0;           // N, or 0
  std::string stderr_tail;  // see ProcessRequest::stderr_tail
};

// Starts programs and waits for them. While a child runs, reel ignores SIGINT and SIGQUIT (as
// system(3) does) and the child gets them with their default action: Ctrl-C stops the child,
// and reel reports how it ended. The child inherits stdin, the terminal and its process group.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs the request to its end. A non-zero exit is an outcome, not an error. Errors:
  // kNotFound "cannot run 'NAME': not found in PATH (...)" or naming the path; kIOError when the
  // process cannot be started (posix_spawn's error).
  virtual Result<ProcessOutcome> run(const ProcessRequest& request) = 0;
};

// The POSIX implementation.
std::unique_ptr<ProcessRunner> make_process_runner();

// Where `program` is found: itself if it holds a '/', else the first entry of `path_list` (a
// PATH value; an empty entry means `cwd`) holding an executable regular file of that name.
// nullopt if none does. Uses access(2)/stat(2) directly: it answers what execve would.
std::optional<fs::path> find_program(std::string_view program, std::string_view path_list,
                                     const fs::path& cwd);

}  // namespace reel
