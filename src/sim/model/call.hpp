#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/principal.hpp"
#include "sim/model/request_plan.hpp"

namespace sluice::sim {

// One simulated client request, as drawn from the traffic's mix.
struct Call {
  double arrival = 0;  // seconds since the start
  std::size_t mix = 0;
  const std::string* model = nullptr;  // the mix entry's
  bool stream = false;
  core::Priority priority = core::Priority::normal;
  std::optional<std::chrono::milliseconds> client_timeout;  // as x-sluice-timeout-ms
  RequestPlan plan;
  int key = -1;  // the `keys` entry it is sent with (KeyBook index); -1: none
};

}  // namespace sluice::sim
