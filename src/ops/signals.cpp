#include "ops/signals.hpp"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <csignal>

namespace sluice::ops {
namespace {
sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void TerminationSignals::block() {
  const sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a vanished client must be an error code, not a kill
}

int TerminationSignals::wait(std::chrono::milliseconds timeout) const {
  const sigset_t set = termination_set();
  for (;;) {
    int signal_number = 0;
    if (timeout.count() < 0) {
      if (sigwait(&set, &signal_number) == 0) return signal_number;
      continue;
    }
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>(timeout.count() % 1000) * 1'000'000};
    signal_number = sigtimedwait(&set, nullptr, &ts);
    if (signal_number > 0) return signal_number;
    if (errno == EAGAIN) return 0;
    // EINTR: an unrelated signal; wait again (slightly longer than asked, harmless here).
  }
}

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    default:
      return "signal";
  }
}

}  // namespace sluice::ops
