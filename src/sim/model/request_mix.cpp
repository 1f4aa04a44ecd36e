#include "sim/model/request_mix.hpp"

#include <algorithm>
#include <cmath>

#include "sim/scenario/distribution_spec.hpp"

namespace sluice::sim {

RequestMix::RequestMix(const std::vector<MixEntryConfig>& entries) : config_(entries) {
  double total = 0;
  for (const MixEntryConfig& entry : entries) {
    total += entry.weight;
    entries_.push_back(
        {total, to_distribution(entry.prompt_tokens), to_distribution(entry.completion_tokens)});
  }
}

Call RequestMix::draw(double arrival, Random& random) const {
  const double point = random.uniform() * entries_.back().cumulative_weight;
  std::size_t i = 0;
  while (i + 1 < entries_.size() && point >= entries_[i].cumulative_weight) ++i;
  const MixEntryConfig& entry = config_[i];
  Call call;
  call.arrival = arrival;
  call.mix = i;
  call.model = &entry.model;
  call.stream = entry.stream;
  call.priority = core::parse_priority(entry.priority).value_or(core::Priority::normal);
  if (entry.timeout.count() > 0) call.client_timeout = entry.timeout;
  call.plan.prompt_tokens = std::max(0LL, std::llround(entries_[i].prompt_tokens.sample(random)));
  call.plan.completion_tokens =
      std::max(1LL, std::llround(entries_[i].completion_tokens.sample(random)));
  return call;
}

}  // namespace sluice::sim
