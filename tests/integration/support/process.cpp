#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/program.hpp"

extern char** environ;

namespace sluice::testing {
namespace {

std::string temp_path(const std::string& suffix) {
  std::string templ = "/tmp/sluice-test-XXXXXX" + suffix;
  const int fd = ::mkstemps(templ.data(), static_cast<int>(suffix.size()));
  if (fd >= 0) ::close(fd);
  return templ;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `binary args...` with its output in `output_path`; the child's pid.
pid_t spawn(const std::string& binary, std::vector<std::string> args, Env env,
            const std::string& output_path) {
  args.insert(args.begin(), binary);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // A clean environment: only PATH/HOME plus what the test asks for, so the developer's own
  // SLUICE_* or PORT variables cannot change the outcome.
  env.emplace("PATH", "/usr/local/bin:/usr/bin:/bin");
  env.emplace("HOME", "/tmp");
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  // fork + exec rather than posix_spawn: the child asks to be killed when the test process dies,
  // so a test that crashes leaves no server running (and holding its port) behind it. Between
  // fork and exec only async-signal-safe calls.
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the test died before prctl took effect
    const int out = ::open(output_path.c_str(), O_WRONLY | O_TRUNC);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0 || ::dup2(in, 0) < 0)
      ::_exit(127);
    if (out > 2) ::close(out);
    if (in > 2) ::close(in);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

SluiceProcess::SluiceProcess(std::vector<std::string> args, Env env) {
  output_path_ = temp_path(".log");
  pid_ = spawn(SLUICE_BINARY, std::move(args), std::move(env), output_path_);
}

SluiceProcess::~SluiceProcess() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  ::unlink(output_path_.c_str());
}

int SluiceProcess::wait_listening(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = read_file(output_path_);
    const auto at = out.find("\"msg\":\"listening\"");
    const auto text_at = out.find(" listening ");
    const auto line_start = at != std::string::npos ? at : text_at;
    if (line_start != std::string::npos) {
      const auto port_at = out.find("port", line_start);
      if (port_at != std::string::npos) {
        const auto digits = out.find_first_of("0123456789", port_at);
        port_ = std::atoi(out.c_str() + digits);
        return port_;
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return 0;
}

void SluiceProcess::signal(int signal_number) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, signal_number);
}

std::optional<int> SluiceProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

std::string SluiceProcess::output() const { return read_file(output_path_); }

RunResult run_sluice(std::vector<std::string> args, Env env, std::chrono::milliseconds timeout) {
  SluiceProcess process(std::move(args), std::move(env));
  RunResult result;
  auto code = process.wait_exit(timeout);
  result.exit_code = code ? *code : -1;
  result.output = process.output();
  return result;
}

TempFile::TempFile(const std::string& content, const std::string& suffix)
    : path_(temp_path(suffix)) {
  std::ofstream(path_) << content;
}

TempFile::~TempFile() { ::unlink(path_.c_str()); }

std::string make_temp_dir() {
  char templ[] = "/tmp/sluice-data-XXXXXX";
  const char* dir = ::mkdtemp(templ);
  return dir ? dir : "/tmp";
}

RunResult run_program(const std::string& binary, std::vector<std::string> args, Env env,
                      std::chrono::milliseconds timeout) {
  const std::string output_path = temp_path(".log");
  const pid_t pid = spawn(binary, std::move(args), std::move(env), output_path);
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.output = read_file(output_path);
  ::unlink(output_path.c_str());
  return result;
}

}  // namespace sluice::testing
