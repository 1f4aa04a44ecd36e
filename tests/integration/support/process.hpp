#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::testing {

using Env = std::map<std::string, std::string>;

// A sluice child process with stdout+stderr captured to a temp file. Killed when destroyed.
class SluiceProcess {
 public:
  // Starts `sluice args...` with a clean environment plus `env`.
  SluiceProcess(std::vector<std::string> args, Env env = {});
  ~SluiceProcess();

  // Waits for the "listening" log line and returns the bound port (0 on timeout or exit).
  int wait_listening(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int port() const { return port_; }
  void signal(int signal_number);
  // The exit code, or nullopt if still running after `timeout` (a signal death is 128+sig).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string output() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::optional<int> exit_code_;
  std::string output_path_;
};

struct RunResult {
  int exit_code = -1;
  std::string output;
};
// Runs sluice to completion (killed after `timeout`).
RunResult run_sluice(std::vector<std::string> args, Env env = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A temp file with `content`, removed when destroyed.
class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = ".yaml");
  ~TempFile();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A fresh temp directory (not removed: tests may inspect it after a failure).
std::string make_temp_dir();

}  // namespace sluice::testing
