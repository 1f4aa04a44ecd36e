#pragma once
// A request that admission control refused: the 503 it is answered with (code overloaded, the
// message naming the setting that would have let it in) and sluice_shed_total, which counts it.
// The server's AdmissionFilter answers and counts with these, and so does each replica of
// `sluice simulate`.

#include <chrono>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "ops/admission_gate.hpp"
#include "ops/metrics.hpp"

namespace sluice::ops {

// The refusal for `verdict` (shed, timed_out or gone) of a request of `priority` at the gate
// configured under `config_key` ("admission", or "admission.routes.N"), after waiting at most
// `max_wait`.
Error admission_refusal(AdmissionGate::Verdict verdict, core::Priority priority,
                        std::chrono::milliseconds max_wait, std::string_view config_key);

// sluice_shed_total{route,priority}: requests refused by admission control because it was full
// (shed, or waited admission.max_wait), not those whose client left while they waited.
class ShedCounter {
 public:
  // Registers the family on `registry`, which must outlive this.
  explicit ShedCounter(Registry& registry);
  // A refusal with `verdict` of a request of `priority` on route template `route`: counted
  // unless the client had gone.
  void refused(AdmissionGate::Verdict verdict, std::string_view route, core::Priority priority);

 private:
  CounterFamily& total_;
};

// The config key of admission.routes entry `index`: what raises that gate's limits.
std::string route_gate_key(std::size_t index);
// The config key of the global gate.
inline constexpr std::string_view kGlobalGateKey = "admission";

}  // namespace sluice::ops
