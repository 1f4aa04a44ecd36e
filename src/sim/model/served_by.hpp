#pragma once
// One request served by a replica, its record handed back rather than recorded: for the platform
// code that completes a request's record itself (a serverless instance's start-up wait, a job's
// attempt) before the run records it.

#include <utility>

#include "sim/model/replica.hpp"

namespace sluice::sim {

inline boost::asio::awaitable<RequestRecord> served_by(Replica& replica, Call call) {
  struct Capture final : Recorder {
    RequestRecord got;
    void record(const RequestRecord& r) override { got = r; }
  } capture;
  co_await replica.serve(std::move(call), capture);
  co_return capture.got;
}

}  // namespace sluice::sim
