#pragma once
// What a simulated request carries beyond the ChatRequest the gateway sees: its token counts.
// A real upstream learns them from the request body and its own answer; a simulated one looks
// them up here, by the ChatRequest the gateway hands it (the gateway passes the request it was
// given, by reference, to every attempt).

#include <unordered_map>

#include "gateway/types.hpp"

namespace sluice::sim {

struct RequestPlan {
  long long prompt_tokens = 0;
  long long completion_tokens = 1;  // the answer's length, whichever upstream writes it
};

// The plans of the requests in flight on one simulation (single-threaded).
class PlanBoard {
 public:
  void put(const gateway::ChatRequest* request, const RequestPlan* plan) { plans_[request] = plan; }
  void erase(const gateway::ChatRequest* request) { plans_.erase(request); }
  const RequestPlan* find(const gateway::ChatRequest* request) const {
    const auto it = plans_.find(request);
    return it == plans_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<const gateway::ChatRequest*, const RequestPlan*> plans_;
};

}  // namespace sluice::sim
