#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace sluice::testing {

// Starts `sluice serve` on an ephemeral loopback port with a temp data dir; `env` adds settings.
inline std::unique_ptr<SluiceProcess> start_server(Env env = {},
                                                   std::vector<std::string> extra_args = {}) {
  env.emplace("SLUICE_STORAGE__DATA_DIR", make_temp_dir());
  env.emplace("SLUICE_LOG__FORMAT", "json");
  std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto process = std::make_unique<SluiceProcess>(args, env);
  if (process->wait_listening() == 0)
    ADD_FAILURE() << "server did not start; output:\n" << process->output();
  return process;
}

// Starts `sluice mock-upstream` on an ephemeral loopback port; `extra` adds flags.
inline std::unique_ptr<SluiceProcess> start_mock_upstream(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"mock-upstream", "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto process = std::make_unique<SluiceProcess>(args);
  if (process->wait_listening() == 0)
    ADD_FAILURE() << "mock-upstream did not start; output:\n" << process->output();
  return process;
}

}  // namespace sluice::testing
