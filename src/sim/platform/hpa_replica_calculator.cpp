#include "sim/platform/hpa_replica_calculator.hpp"

#include <cmath>
#include <cstdint>

namespace sluice::sim {

namespace {

// The controller works on resource.Quantity milli-values (MilliValue rounds up), and divides them
// as integers: the same truncations happen here.
std::int64_t milli(double value) {
  return static_cast<std::int64_t>(std::ceil(value * 1000 - 1e-9));
}

// A pod that contributes a sample to the ratio, after groupPods.
struct Sample {
  std::int64_t value;    // milli-units
  std::int64_t request;  // milli-units; utilization metrics only
};

struct Grouped {
  int ready = 0;  // readyPodCount
  std::vector<Sample> samples;
  int unready = 0;
  int missing = 0;
};

bool uses_cpu_rules(const HpaMetricSpec& spec) {
  if (spec.cpu_readiness_rules) return *spec.cpu_readiness_rules;
  return spec.target == HpaMetricSpec::Target::resource_utilization;
}

// groupPods: terminating pods are ignored, pending pods are unready, pods without a sample are
// missing; for CPU, a pod still within its initialization period counts as unready unless it is
// ready and its sample was taken a whole metric window after it became ready (the sample is taken
// at the sync), and after that period only a pod that was never ready is unready.
Grouped group_pods(const HpaConfig& config, std::size_t index, const std::vector<HpaPod>& pods,
                   Time now) {
  const HpaMetricSpec& spec = config.metrics[index];
  const bool cpu_rules = uses_cpu_rules(spec);
  const std::int64_t request =
      spec.target == HpaMetricSpec::Target::resource_utilization ? milli(spec.pod_request) : 0;
  Grouped g;
  for (const HpaPod& pod : pods) {
    if (pod.phase == HpaPod::Phase::terminating) continue;
    if (pod.phase == HpaPod::Phase::pending) {
      ++g.unready;
      continue;
    }
    const std::optional<double> sample =
        index < pod.samples.size() ? pod.samples[index] : std::nullopt;
    if (!sample) {
      ++g.missing;
      continue;
    }
    if (cpu_rules) {
      bool unready;
      if (pod.started_at + config.cpu_initialization_period > now) {
        unready = !pod.ready || now < pod.ready_since + config.resource_metric_window;
      } else {
        unready = !pod.ready && pod.started_at + config.initial_readiness_delay > pod.ready_since;
      }
      if (unready) {
        ++g.unready;
        continue;
      }
    }
    g.samples.push_back({milli(*sample), request});
    ++g.ready;
  }
  return g;
}

struct Ratio {
  double ratio = 0;
  double current = 0;  // whole percent, or the mean in the samples' unit
};

// GetResourceUtilizationRatio: the summed usage over the summed requests, in whole percent,
// against the target percent.
Ratio utilization_ratio(const std::vector<Sample>& samples, double target_percent) {
  std::int64_t usage = 0;
  std::int64_t requests = 0;
  for (const Sample& s : samples) {
    usage += s.value;
    requests += s.request;
  }
  if (requests == 0) return {};
  const std::int64_t percent = usage * 100 / requests;
  return {static_cast<double>(percent) / target_percent, static_cast<double>(percent)};
}

// GetMetricUsageRatio: the mean per-pod value (integer milli-units) against the target.
Ratio usage_ratio(const std::vector<Sample>& samples, std::int64_t target_milli) {
  std::int64_t total = 0;
  for (const Sample& s : samples) total += s.value;
  const std::int64_t mean = total / static_cast<std::int64_t>(samples.size());
  return {static_cast<double>(mean) / static_cast<double>(target_milli),
          static_cast<double>(mean) / 1000.0};
}

}  // namespace

HpaMetricProposal propose_replicas(const HpaConfig& config, std::size_t index, int current_replicas,
                                   const std::vector<HpaPod>& pods, const HpaTolerances& tolerances,
                                   Time now) {
  const HpaMetricSpec& spec = config.metrics[index];
  HpaMetricProposal out;
  if (pods.empty()) {
    out.error = "no pods returned by selector while calculating replica count";
    return out;
  }
  Grouped g = group_pods(config, index, pods, now);
  if (g.samples.empty()) {
    out.error = "did not receive metrics for targeted pods (pods might be unready)";
    return out;
  }
  const bool utilization = spec.target == HpaMetricSpec::Target::resource_utilization;
  if (utilization && milli(spec.pod_request) <= 0) {
    out.error = "missing request for " + spec.name;
    return out;
  }
  const std::int64_t target_milli = milli(spec.target_value);
  auto ratio_of = [&](const std::vector<Sample>& samples) {
    return utilization ? utilization_ratio(samples, spec.target_value)
                       : usage_ratio(samples, target_milli);
  };

  const Ratio first = ratio_of(g.samples);
  out.current = first.current;
  out.usage_ratio = first.ratio;
  const double usage_ratio = first.ratio;

  const bool scale_up_with_unready = g.unready > 0 && usage_ratio > 1.0;
  if (!scale_up_with_unready && g.missing == 0) {
    out.replicas = tolerances.within(usage_ratio)
                       ? current_replicas
                       : static_cast<int>(std::ceil(usage_ratio * g.ready));
    return out;
  }

  const std::int64_t request = utilization ? milli(spec.pod_request) : 0;
  if (g.missing > 0) {
    // On a scale-down, missing pods are assumed at the target (at least 100 % of their request
    // for utilization); on a scale-up, at zero. Exactly at 1.0 they are left out.
    std::int64_t assumed = -1;
    if (usage_ratio < 1.0) {
      assumed = utilization
                    ? request * static_cast<std::int64_t>(std::max(100.0, spec.target_value)) / 100
                    : target_milli;
    } else if (usage_ratio > 1.0) {
      assumed = 0;
    }
    if (assumed >= 0) {
      for (int i = 0; i < g.missing; ++i) g.samples.push_back({assumed, request});
    }
  }
  if (scale_up_with_unready) {
    for (int i = 0; i < g.unready; ++i) g.samples.push_back({0, request});
  }

  const double new_ratio = ratio_of(g.samples).ratio;
  if (tolerances.within(new_ratio) || (usage_ratio < 1.0 && new_ratio > 1.0) ||
      (usage_ratio > 1.0 && new_ratio < 1.0)) {
    out.replicas = current_replicas;  // too small a change, or the direction would flip
    return out;
  }
  const int replicas =
      static_cast<int>(std::ceil(new_ratio * static_cast<double>(g.samples.size())));
  // GetResourceReplicas (not calcPlainMetricReplicas) also refuses a result whose direction the
  // larger pod count reverses.
  if (utilization && ((new_ratio < 1.0 && replicas > current_replicas) ||
                      (new_ratio > 1.0 && replicas < current_replicas))) {
    out.replicas = current_replicas;
    return out;
  }
  out.replicas = replicas;
  return out;
}

}  // namespace sluice::sim
