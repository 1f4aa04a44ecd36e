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
#include "support/server_fixture.hpp"

namespace sluice::testing {

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

// A raw POST /v1/chat/completions request with `body`; `extra_headers` are "Name: value\r\n" lines.
inline std::string chat_request(std::string_view body, std::string_view extra_headers = {}) {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
         std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
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
