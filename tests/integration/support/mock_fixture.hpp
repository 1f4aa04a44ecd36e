#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace sluice::testing {

// Starts `sluice mock-upstream` on an ephemeral loopback port; `extra` adds its flags.
inline std::unique_ptr<SluiceProcess> start_mock(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"mock-upstream", "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto process = std::make_unique<SluiceProcess>(args);
  if (process->wait_listening() == 0)
    ADD_FAILURE() << "mock-upstream did not start; output:\n" << process->output();
  return process;
}

// A gateway configuration with one OpenAI-compatible provider at `upstream_port` serving the
// alias "test-model" as "upstream-model"; `extra` is appended under `gateway:`.
inline std::string gateway_yaml(int upstream_port, const std::string& extra = {}) {
  return "gateway:\n"
         "  providers:\n"
         "    - name: up\n"
         "      type: openai\n"
         "      base_url: http://127.0.0.1:" +
         std::to_string(upstream_port) +
         "/v1\n"
         "      api_key: test-key\n"
         "  models:\n"
         "    - alias: test-model\n"
         "      deployments:\n"
         "        - provider: up\n"
         "          model: upstream-model\n" +
         extra;
}

// Polls `condition` every 20 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A counter from mock-upstream's GET /mock/stats; -1 when unreadable.
inline long long mock_stat(int mock_port, const std::string& name) {
  auto stats = http_request(mock_port, "GET", "/mock/stats");
  if (!stats) return -1;
  const std::string key = "\"" + name + "\":";
  const auto at = stats->body.find(key);
  return at == std::string::npos ? -1 : std::stoll(stats->body.substr(at + key.size()));
}

}  // namespace sluice::testing
