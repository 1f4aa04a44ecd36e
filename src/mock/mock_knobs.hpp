#pragma once
// The fault knobs of `sluice mock-upstream` and where they come from: command-line flags, the
// JSON of POST /mock/config, and per-request x-mock-* headers. No I/O here.

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "http/exchange.hpp"
#include "mock/mock_script.hpp"

namespace sluice::mock {

extern const char* const kUsage;

// The fault knobs. -1 in stall_after_chunks means "never stall".
struct Knobs {
  long long latency_ms = 0;
  long long latency_jitter_ms = 0;
  double error_rate = 0;
  long long error_status = 500;
  double reset_rate = 0;
  long long chunks = 8;
  long long chunk_interval_ms = 0;
  long long stall_after_chunks = -1;
  long long retry_after = 1;
  long long reply_tokens = 0;           // pad answers to at least this many tokens
  long long embedding_dimensions = 16;  // unless the request asks for `dimensions`
  long long cached_tokens = 0;          // prompt tokens reported as read from the cache
  long long cache_write_tokens = 0;     // ... and as written to it (Anthropic's dialect only)
  long long auto_tool_calls = 0;        // 1: chats that leave tool_choice to the model call tools
};

// The live knobs, read per request by every loop: relaxed atomics rather than a shared lock. A
// concurrent /mock/config may be seen half-applied by one request, and of two concurrent ones
// either may win, which a fault injector can live with.
class LiveKnobs {
 public:
  explicit LiveKnobs(const Knobs& startup) : startup_(startup) { store(startup); }
  Knobs load() const;
  void store(const Knobs& k);
  // POST /mock/config: the body's members laid over the live knobs, so that only the knobs it
  // names change. Stores and returns the result; on an Error nothing changes.
  Result<Knobs> merge(const boost::json::object& body);
  // DELETE /mock/config: back to the knobs the flags gave. Returns them.
  Knobs restore();

 private:
  static constexpr auto kOrder = std::memory_order_relaxed;
  const Knobs startup_;
  std::atomic<long long> latency_ms_, latency_jitter_ms_, error_status_, chunks_,
      chunk_interval_ms_, stall_after_chunks_, retry_after_, reply_tokens_, embedding_dimensions_,
      cached_tokens_, cache_write_tokens_, auto_tool_calls_;
  std::atomic<double> error_rate_, reset_rate_;
};

struct Options {
  std::string listen = "127.0.0.1:0";
  int threads = 1;
  bool access_log = false;
  int record_requests = 0;  // the last N requests kept for GET /mock/requests; 0: none
  bool help = false;
  Knobs knobs;
  std::vector<std::string> models;
  // --scenario FILE --scenario-provider NAME: chat completions play that provider of a `sluice
  // simulate` scenario (mock_scenario.hpp) instead of the fault knobs.
  std::string scenario;
  std::string scenario_provider;
  std::string scenario_seed;  // --scenario-seed N: instead of the scenario's seed; empty: its own
};

// The command line after `mock-upstream`; an Error names the bad flag.
Result<Options> parse_options(int argc, char** argv, int first);

// `base` with the body's members laid over it. Unknown members are rejected: a typo must not
// pass silently.
Result<Knobs> knobs_from_json(const boost::json::object& body, const Knobs& base);
std::string knobs_json(const Knobs& k);

// What one request gets.
struct Plan {
  Knobs knobs;
  std::chrono::milliseconds latency{0};
  bool reset = false;
  int error_status = 0;  // 0: answer normally
  // Retry-After (knobs.retry_after) goes with the error whatever its status (a script asked).
  bool retry_after_any_status = false;
};

// The live knobs, then the script's entry for the request (when one covers it), then the
// request's x-mock-* headers, then the dice for what none of them decided. An x-mock-status below
// 400 forces a normal answer whatever the error rate. A malformed header is an invalid_request
// Error.
Result<Plan> plan_for(const http::Request& request, const Knobs& live,
                      const ScriptEntry* scripted = nullptr);

}  // namespace sluice::mock
