#pragma once
// `sluice simulate --access-log FILE`: every simulated request as a line of the server's access
// log (log.format: json), written as it ends, so that a simulated run reads as a live one does
// and the two can be compared line by line: ts (its end, in virtual time from the run's start
// instant), level, msg "request", method, route, status, duration_ms, model, deployment,
// attempts, outcome, prompt_tokens, completion_tokens, cost_usd, ttft_ms, and `tries` written by
// the gateway's own code (gateway/attempt_record.hpp); plus `replica` and, for a request that
// failed, the report's `cause`. Times are the client's (with regions, the network's both ways
// included; a request whose region was down has status 0: no server answered it). The file is
// what `traffic.replay` reads.

#include <fstream>
#include <string>

#include "core/result.hpp"
#include "sim/report/run_stats.hpp"

namespace sluice::sim {

class AccessLogWriter {
 public:
  // Truncates `path`; `start_unix_seconds` is the Unix time of the run's virtual time 0.
  AccessLogWriter(const std::string& path, double start_unix_seconds);

  void write(const RequestRecord& record);
  // Flushes and closes the file; an error names it.
  Status finish();

  // The line of `record`, without its newline.
  static std::string line(const RequestRecord& record, double start_unix_seconds);

 private:
  std::string path_;
  double start_unix_seconds_;
  std::ofstream out_;
  std::string line_;
};

}  // namespace sluice::sim
