#pragma once
// A fault script for `sluice mock-upstream`: what given requests get, by their number (1 = the
// first inference request since the script was set), e.g. "requests 5 to 12 answer 503",
// "request 3 answers 429 with Retry-After: 2 after 60 ms". A scripted request gets exactly what
// its entry says (an entry without a status answers normally, whatever the error rate); requests
// no entry covers follow the knobs. The x-mock-* headers still win over both.

#include <boost/json/value.hpp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sluice::mock {

struct ScriptEntry {
  long long from = 1;
  long long to = 0;            // the last request it covers; 0: `from` only
  long long status = 0;        // an error status (400 to 599) to answer with; 0: answer normally
  long long latency_ms = -1;   // before the answer or the error; -1: the knobs' latency
  long long retry_after = -1;  // seconds: a Retry-After header on its error, whatever the status
  bool reset = false;          // the connection is reset instead (after the latency)

  long long last() const { return to == 0 ? from : to; }
};

// At most this many entries: a script is a test's, not a data set.
inline constexpr std::size_t kMaxScriptEntries = 10'000;

// {"script": [{"from", "to", "status", "latency_ms", "retry_after", "reset"}, ...]}; unknown
// members are refused, as a typo must not pass silently.
Result<std::vector<ScriptEntry>> script_from_json(const boost::json::value& body);

// The script in force and the count of requests it has seen. Thread-safe.
class Script {
 public:
  // Replaces the script and restarts the count.
  void set(std::vector<ScriptEntry> entries);
  // Counts one request and returns its entry, if one covers it (the first that does).
  std::optional<ScriptEntry> next();
  // {"script": [...], "requests": N}
  std::string json() const;

 private:
  mutable std::mutex mutex_;
  std::vector<ScriptEntry> entries_;
  long long requests_ = 0;
};

}  // namespace sluice::mock
