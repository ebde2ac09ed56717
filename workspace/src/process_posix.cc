// The POSIX ProcessRunner (process.h): posix_spawn with the child's own environment, working
// folder and file actions; never a shell unless the caller asks for /bin/sh in argv.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "reel/workspace/process.h"

namespace reel {
namespace {

// Restores SIGINT and SIGQUIT when the wait is over.
class IgnoreInterrupts {
 public:
  IgnoreInterrupts() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_int_);
    sigaction(SIGQUIT, &ignore, &old_quit_);
  }
  ~IgnoreInterrupts() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGQUIT, &old_quit_, nullptr);
  }

 private:
  struct sigaction old_int_ {
  }, old_quit_{};
};

// The owner of a posix_spawn file-actions / attributes object.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr is gone: the tail is still kept
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

class PosixProcessRunner : public ProcessRunner {
 public:
  Result<ProcessOutcome> run(const ProcessRequest& request) override {
    if (request.argv.empty()) return make_error(ErrorCode::kInvalidArgument, "no program to run");
    const std::string& program = request.argv[0];
    auto path_it = request.environment.find("PATH");
    std::string path_list = path_it == request.environment.end() ? "" : path_it->second;
    auto found = find_program(program, path_list, request.cwd);
    if (!found) {
      if (program.find('/') != std::string::npos)
        return make_error(ErrorCode::kNotFound, "cannot run '" + program + "': no such file");
      return make_error(ErrorCode::kNotFound,
                        "cannot run '" + program + "': not found in PATH (" + path_list + ")");
    }
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : request.environment) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = request.argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    SpawnSetup setup;
    std::string cwd = request.cwd.string();
    posix_spawn_file_actions_addchdir_np(&setup.actions, cwd.c_str());
    if (request.stdout_to_stderr) posix_spawn_file_actions_adddup2(&setup.actions, 2, 1);
    int pipe_fds[2] = {-1, -1};
    if (request.stderr_tail > 0) {
      if (pipe2(pipe_fds, O_CLOEXEC) != 0) return tl::unexpected(errno_error(errno, "pipe"));
      posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], 2);
    }
    sigset_t defaults, empty;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGQUIT);
    sigaddset(&defaults, SIGPIPE);
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&setup.attr, &defaults);
    posix_spawnattr_setsigmask(&setup.attr, &empty);
    posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    IgnoreInterrupts ignore;
    pid_t pid = 0;
    std::string exe = found->string();
    int err = posix_spawn(&pid, exe.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
    if (pipe_fds[1] >= 0) ::close(pipe_fds[1]);
    if (err != 0) {
      if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
      return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIOError,
                        "cannot run '" + program + "' (" + exe + "): " + std::strerror(err));
    }
    ProcessOutcome outcome;
    if (pipe_fds[0] >= 0) {
      char buffer[16384];
      for (;;) {
        ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        write_all(2, buffer, static_cast<std::size_t>(n));
        outcome.stderr_tail.append(buffer, static_cast<std::size_t>(n));
        if (outcome.stderr_tail.size() > 2 * request.stderr_tail)
          outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - request.stderr_tail);
      }
      ::close(pipe_fds[0]);
      if (outcome.stderr_tail.size() > request.stderr_tail)
        outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - request.stderr_tail);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return tl::unexpected(errno_error(errno, "waitpid"));
    }
    if (WIFSIGNALED(status)) {
      outcome.signal = WTERMSIG(status);
      outcome.exit_code = 128 + outcome.signal;
    } else {
      outcome.exit_code = WEXITSTATUS(status);
    }
    return outcome;
  }
};

bool executable_file(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::unique_ptr<ProcessRunner> make_process_runner() {
  return std::make_unique<PosixProcessRunner>();
}

std::optional<fs::path> find_program(std::string_view program, std::string_view path_list,
                                     const fs::path& cwd) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string_view::npos) {
    fs::path p(program);
    if (p.is_relative()) p = cwd / p;
    if (executable_file(p)) return fs::path(program);
    return std::nullopt;
  }
  std::size_t start = 0;
  while (start <= path_list.size()) {
    std::size_t end = path_list.find(':', start);
    if (end == std::string_view::npos) end = path_list.size();
    std::string_view dir = path_list.substr(start, end - start);
    fs::path base = dir.empty() ? cwd : fs::path(dir);
    if (base.is_relative()) base = cwd / base;
    fs::path candidate = base / program;
    if (executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace reel
