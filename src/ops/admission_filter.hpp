#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/admission_config.hpp"
#include "http/filter.hpp"
#include "ops/admission_gate.hpp"
#include "ops/admission_refusal.hpp"
#include "ops/degraded_mode.hpp"

namespace sluice::ops {

class Registry;
class HistogramFamily;

// Admission control, the last filter before the handler: a request takes a slot of its route's
// gate (when admission.routes lists it) and of the global gate, waiting in their queues for at
// most admission.max_wait (ops::pass_gates, which the simulator runs too), or is refused with 503
// and Retry-After. Its slots are released in
// on_response, which the server runs for every request this filter let through (after the
// handler returned, threw, streamed to the end or saw the client leave); installed last, this
// filter's on_response runs first. Exempt routes (probes, metrics) pass untouched.
// Priority: the principal's, or for an admin principal the x-sluice-priority header's (ignored
// for anyone else). Counts each request under one result: admitted, admitted_after_wait, shed,
// timed_out, cancelled, exempt.
class AdmissionFilter final : public http::Filter {
 public:
  static constexpr std::string_view kPriorityHeader = "x-sluice-priority";
  static constexpr std::string_view kDegradedHeader = "x-sluice-degraded";

  // `config.enabled()` must hold. `degraded` and `registry` must outlive the filter.
  AdmissionFilter(const core::AdmissionConfig& config, std::vector<std::string> exempt_routes,
                  DegradedMode& degraded, Registry& registry);

  std::optional<http::FilterResult> on_request_now(http::Exchange& exchange) override;
  boost::asio::awaitable<http::FilterResult> on_request(http::Exchange& exchange) override;
  void on_response(http::Exchange& exchange) override;

  // Samples the load every `period` and turns degraded mode on or off; runs until its event
  // loop stops.
  boost::asio::awaitable<void> watch_pressure(std::chrono::milliseconds period);

  // For tests and metrics: the global gate (null when only routes are limited), a route's gate.
  const AdmissionGate* global_gate() const { return global_.gate.get(); }
  const AdmissionGate* route_gate(std::string_view route) const;

 private:
  struct Gate {
    std::string route;       // empty for the global gate
    std::string config_key;  // what raises its limits, for error messages
    std::unique_ptr<AdmissionGate> gate;
  };
  enum Result : std::size_t { admitted, admitted_after_wait, shed, timed_out, cancelled, exempt };

  bool is_exempt(std::string_view route) const;
  // The gates a request of `route` passes, route first; null entries are skipped.
  std::array<Gate*, 2> gates_for(std::string_view route);
  core::Priority priority_of(const http::Exchange& exchange) const;
  void refuse(http::Exchange& exchange, AdmissionGate::Verdict verdict, const Gate& gate,
              core::Priority priority);
  void mark_degraded(http::Exchange& exchange) const;
  void register_metrics(Registry& registry);

  std::vector<std::string> exempt_routes_;
  Gate global_;
  std::vector<Gate> routes_;
  std::chrono::milliseconds max_wait_;
  std::string retry_after_;  // whole seconds, for the header
  DegradedMode& degraded_;
  std::atomic<std::uint64_t> shed_count_{0};  // refusals of any kind: pressure for degraded mode
  std::optional<ShedCounter> shed_total_;
  HistogramFamily* wait_seconds_ = nullptr;
};

}  // namespace sluice::ops
