#include "ops/admission_refusal.hpp"

namespace sluice::ops {

Error admission_refusal(AdmissionGate::Verdict verdict, core::Priority priority,
                        std::chrono::milliseconds max_wait, std::string_view config_key) {
  using Verdict = AdmissionGate::Verdict;
  std::string message;
  const std::string key(config_key);
  if (verdict == Verdict::gone)
    message = "request cancelled while waiting for admission";
  else if (verdict == Verdict::timed_out)
    message = "server overloaded: no slot within " + std::to_string(max_wait.count()) +
              "ms (raise admission.max_wait or " + key + ".max_concurrency)";
  else
    message = "server overloaded: request shed at priority " +
              std::string(core::to_string(priority)) + " (raise " + key + ".max_queue or " + key +
              ".max_concurrency)";
  return make_error(Errc::unavailable, std::move(message), {}, "overloaded");
}

ShedCounter::ShedCounter(Registry& registry)
    : total_(registry.counter("sluice_shed_total",
                              "Requests refused by admission control (queue full or waited "
                              "admission.max_wait), by route and priority.",
                              {"route", "priority"})) {}

void ShedCounter::refused(AdmissionGate::Verdict verdict, std::string_view route,
                          core::Priority priority) {
  if (verdict == AdmissionGate::Verdict::gone) return;
  total_.inc({route, core::to_string(priority)});
}

std::string route_gate_key(std::size_t index) {
  return "admission.routes." + std::to_string(index);
}

}  // namespace sluice::ops
