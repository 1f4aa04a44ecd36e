#include "sim/platform/serverless_pool.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice::sim {

namespace {

Duration elapsed(Time from, Time to) { return std::max(to - from, Duration::zero()); }

}  // namespace

ServerlessPool::ServerlessPool(ServerlessConfig config, Time start)
    : config_(std::move(config)), start_(start), busy_changed_at_(start) {
  if (!config_.cold_start) throw std::invalid_argument("a cold-start sampler is required");
  if (config_.concurrency < 1) throw std::invalid_argument("concurrency must be at least 1");
  if (config_.min_instances < 0 || config_.max_instances < 1 ||
      config_.min_instances > config_.max_instances) {
    throw std::invalid_argument(
        "serverless pool needs 0 <= min_instances <= max_instances, max >= 1");
  }
  if (config_.overflow == ServerlessOverflow::queue && config_.queue_limit < 0) {
    throw std::invalid_argument("queue_limit must not be negative");
  }
  for (int i = 0; i < config_.min_instances; ++i) {
    Instance warm{next_instance_++, start, start};
    warm.idle_since = start;
    instances_.push_back(warm);
  }
  counters_.instances = counters_.peak_instances = config_.min_instances;
}

double ServerlessPool::active_price_per_second() const {
  return config_.memory_gb * config_.price_per_gb_second +
         config_.vcpu * config_.price_per_vcpu_second;
}

double ServerlessPool::warm_price_per_second() const {
  return config_.memory_gb * config_.warm_price_per_gb_second +
         config_.vcpu * config_.warm_price_per_vcpu_second;
}

// A ready instance with a free slot, the busiest first (the oldest among equals); failing that,
// a starting one with a free slot, the soonest ready first.
ServerlessPool::Instance* ServerlessPool::find_slot(Time now) {
  Instance* best = nullptr;
  auto better = [&](const Instance& a, const Instance& b) {
    const bool a_ready = a.ready_at <= now;
    const bool b_ready = b.ready_at <= now;
    if (a_ready != b_ready) return a_ready;
    if (!a_ready && a.ready_at != b.ready_at) return a.ready_at < b.ready_at;
    if (a.in_flight != b.in_flight) return a.in_flight > b.in_flight;
    return a.id < b.id;
  };
  for (Instance& i : instances_) {
    if (i.in_flight >= config_.concurrency) continue;
    if (!best || better(i, *best)) best = &i;
  }
  return best;
}

void ServerlessPool::set_busy_instances(int busy, Time now) {
  idle_warm_seconds_ += std::max(0, config_.min_instances - busy_instances_) *
                        to_seconds(elapsed(busy_changed_at_, now));
  busy_instances_ = busy;
  busy_changed_at_ = now;
}

void ServerlessPool::occupy(Instance& instance, Time now) {
  if (instance.in_flight == 0) {
    set_busy_instances(busy_instances_ + 1, now);
    const bool bill_start = config_.bill_cold_start && instance.cold && !instance.billed_once;
    instance.busy_from = bill_start ? instance.created_at : std::max(now, instance.ready_at);
    instance.billed_once = true;
  }
  ++instance.in_flight;
  ++counters_.requests;
  request_fees_ += config_.price_per_request;
}

ServerlessGrant ServerlessPool::place(RequestId request, Time now) {
  Instance* slot = find_slot(now);
  bool cold = false;
  if (!slot) {
    Instance fresh{next_instance_++, now, now + std::max(config_.cold_start(), Duration::zero())};
    fresh.cold = true;
    instances_.push_back(fresh);
    slot = &instances_.back();
    cold = true;
    ++counters_.cold_starts;
    counters_.peak_instances =
        std::max(counters_.peak_instances, static_cast<int>(instances_.size()));
  }
  occupy(*slot, now);
  const Time ready = std::max(now, slot->ready_at);
  running_[request] = {slot->id, cold && config_.bill_cold_start ? now : ready};
  return {request, slot->id, ready, cold};
}

ServerlessAcquire ServerlessPool::acquire(Time now) {
  const RequestId id = next_request_++;
  const bool can_place =
      find_slot(now) != nullptr || static_cast<int>(instances_.size()) < config_.max_instances;
  if (can_place) return place(id, now);
  if (config_.overflow == ServerlessOverflow::queue &&
      static_cast<int>(queue_.size()) < config_.queue_limit) {
    queue_.push_back({id, now + config_.queue_timeout});
    ++counters_.queued;
    return queue_.back();
  }
  ++counters_.throttles;
  return ServerlessThrottled{};
}

std::optional<ServerlessGrant> ServerlessPool::release(RequestId request, Time now) {
  const auto it = running_.find(request);
  if (it == running_.end()) return std::nullopt;
  const auto inst = std::find_if(instances_.begin(), instances_.end(),
                                 [&](const Instance& i) { return i.id == it->second.instance; });
  const Duration g = config_.billing_granularity;
  if (config_.billing == ServerlessBilling::per_request) {
    compute_seconds_billed_ += to_seconds(round_up(elapsed(it->second.billed_from, now), g));
  }
  running_.erase(it);
  if (inst != instances_.end() && --inst->in_flight == 0) {
    if (config_.billing == ServerlessBilling::per_instance_busy) {
      compute_seconds_billed_ += to_seconds(round_up(elapsed(inst->busy_from, now), g));
    }
    inst->idle_since = std::max(now, inst->ready_at);
    set_busy_instances(busy_instances_ - 1, now);
  }
  // The freed slot goes to the oldest queued request still within its deadline; expired ones
  // stay for expire_queue() to report.
  const auto waiting = std::find_if(queue_.begin(), queue_.end(),
                                    [&](const ServerlessQueued& q) { return q.deadline > now; });
  if (waiting == queue_.end()) return std::nullopt;
  const RequestId next = waiting->request;
  queue_.erase(waiting);
  return place(next, now);
}

bool ServerlessPool::cancel(RequestId request) {
  const auto it = std::find_if(queue_.begin(), queue_.end(),
                               [&](const ServerlessQueued& q) { return q.request == request; });
  if (it == queue_.end()) return false;
  queue_.erase(it);
  return true;
}

std::vector<RequestId> ServerlessPool::expire_queue(Time now) {
  std::vector<RequestId> refused;
  std::erase_if(queue_, [&](const ServerlessQueued& q) {
    if (q.deadline > now) return false;
    refused.push_back(q.request);
    return true;
  });
  counters_.throttles += refused.size();
  return refused;
}

int ServerlessPool::expire_idle(Time now) {
  return static_cast<int>(expire_idle_instances(now).size());
}

std::vector<ServerlessExpiry> ServerlessPool::expire_idle_instances(Time now) {
  std::vector<std::size_t> idle;
  for (std::size_t i = 0; i < instances_.size(); ++i) {
    const Instance& in = instances_[i];
    if (in.in_flight == 0 && in.idle_since + config_.idle_expiry <= now) idle.push_back(i);
  }
  // The longest idle go first; the pool keeps min_instances.
  std::stable_sort(idle.begin(), idle.end(), [&](std::size_t a, std::size_t b) {
    return instances_[a].idle_since < instances_[b].idle_since;
  });
  const int removable = static_cast<int>(instances_.size()) - config_.min_instances;
  if (static_cast<int>(idle.size()) > removable) idle.resize(std::max(removable, 0));
  std::vector<ServerlessExpiry> gone;
  for (std::size_t i : idle) {
    const Instance& in = instances_[i];
    // It is gone when its idle time ran out, whenever the engine gets to call.
    const Time gone_at = in.idle_since + config_.idle_expiry;
    retired_instance_seconds_ += to_seconds(elapsed(in.created_at, gone_at));
    gone.push_back({in.id, gone_at});
  }
  std::erase_if(instances_, [&](const Instance& in) {
    return std::find_if(gone.begin(), gone.end(), [&](const ServerlessExpiry& e) {
             return e.instance == in.id;
           }) != gone.end();
  });
  return gone;
}

std::optional<Time> ServerlessPool::next_deadline() const {
  std::optional<Time> next;
  auto consider = [&](Time t) {
    if (!next || t < *next) next = t;
  };
  for (const ServerlessQueued& q : queue_) consider(q.deadline);
  if (static_cast<int>(instances_.size()) > config_.min_instances) {
    for (const Instance& in : instances_) {
      if (in.in_flight == 0) consider(in.idle_since + config_.idle_expiry);
    }
  }
  return next;
}

ServerlessCost ServerlessPool::cost_until(Time now) const {
  ServerlessCost cost;
  cost.requests = request_fees_;
  double seconds = compute_seconds_billed_;
  if (config_.billing == ServerlessBilling::per_request) {
    for (const auto& [id, r] : running_) seconds += to_seconds(elapsed(r.billed_from, now));
  } else {
    for (const Instance& in : instances_) {
      if (in.in_flight > 0) seconds += to_seconds(elapsed(in.busy_from, now));
    }
  }
  cost.compute = seconds * active_price_per_second();
  cost.compute_seconds = seconds;
  double warm_seconds;
  if (config_.warm_billing == WarmBilling::always) {
    warm_seconds = config_.min_instances * to_seconds(elapsed(start_, now));
  } else {
    warm_seconds = idle_warm_seconds_ + std::max(0, config_.min_instances - busy_instances_) *
                                            to_seconds(elapsed(busy_changed_at_, now));
  }
  cost.warm = warm_seconds * warm_price_per_second();
  return cost;
}

ServerlessCounters ServerlessPool::counters(Time now) const {
  ServerlessCounters c = counters_;
  c.instance_seconds = retired_instance_seconds_;
  for (const Instance& in : instances_)
    c.instance_seconds += to_seconds(elapsed(in.created_at, now));
  c.instances = static_cast<int>(instances_.size());
  c.in_flight = static_cast<int>(running_.size());
  return c;
}

}  // namespace sluice::sim
