#include "sim/platform/replica_provisioner.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice::sim {

ReplicaProvisioner::ReplicaProvisioner(DurationSampler startup_delay, Duration drain_grace,
                                       int initial_ready, Time start)
    : startup_delay_(std::move(startup_delay)), drain_grace_(drain_grace) {
  if (!startup_delay_) throw std::invalid_argument("a start-up delay sampler is required");
  for (int i = 0; i < initial_ready; ++i) {
    replicas_.push_back({next_id_++, ProvisionedReplica::State::ready, start, start, {}, false});
  }
}

int ReplicaProvisioner::count(ProvisionedReplica::State state) const {
  return static_cast<int>(
      std::count_if(replicas_.begin(), replicas_.end(),
                    [&](const ProvisionedReplica& r) { return r.state == state; }));
}

std::vector<ReplicaId> ReplicaProvisioner::ready_ids() const {
  std::vector<ReplicaId> ids;
  for (const ProvisionedReplica& r : replicas_) {
    if (r.state == ProvisionedReplica::State::ready) ids.push_back(r.id);
  }
  return ids;
}

std::vector<ReplicaTransition> ReplicaProvisioner::set_desired(int desired, Time now) {
  std::vector<ReplicaTransition> out = advance(now);
  desired = std::max(desired, 0);
  for (int add = desired - this->desired(); add > 0; --add) {
    const Duration delay = std::max(startup_delay_(), Duration::zero());
    replicas_.push_back(
        {next_id_++, ProvisionedReplica::State::pending, now, now + delay, {}, false});
  }
  int surplus = this->desired() - desired;
  // Victims: pending before ready; pending ones the newest first, ready ones the most recently
  // ready first.
  std::vector<ProvisionedReplica*> candidates;
  for (ProvisionedReplica& r : replicas_) {
    if (r.state != ProvisionedReplica::State::draining) candidates.push_back(&r);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const ProvisionedReplica* a, const ProvisionedReplica* b) {
                     if ((a->state == ProvisionedReplica::State::pending) !=
                         (b->state == ProvisionedReplica::State::pending)) {
                       return a->state == ProvisionedReplica::State::pending;
                     }
                     const bool pending = a->state == ProvisionedReplica::State::pending;
                     const Time ta = pending ? a->created_at : a->ready_at;
                     const Time tb = pending ? b->created_at : b->ready_at;
                     if (ta != tb) return ta > tb;
                     return a->id > b->id;
                   });
  for (ProvisionedReplica* r : candidates) {
    if (surplus-- <= 0) break;
    r->was_ready = r->state == ProvisionedReplica::State::ready;
    r->state = ProvisionedReplica::State::draining;
    r->drain_deadline = now + drain_grace_;
    out.push_back({ReplicaTransition::Kind::draining, r->id, now});
  }
  // A pending replica has nothing in flight: it is gone at once.
  std::erase_if(replicas_, [&](const ProvisionedReplica& r) {
    if (r.state != ProvisionedReplica::State::draining || r.was_ready) return false;
    out.push_back({ReplicaTransition::Kind::removed, r.id, now});
    return true;
  });
  return out;
}

std::vector<ReplicaTransition> ReplicaProvisioner::advance(Time now) {
  std::vector<ReplicaTransition> out;
  for (ProvisionedReplica& r : replicas_) {
    if (r.state == ProvisionedReplica::State::pending && r.ready_at <= now) {
      r.state = ProvisionedReplica::State::ready;
      out.push_back({ReplicaTransition::Kind::became_ready, r.id, r.ready_at});
    }
  }
  std::erase_if(replicas_, [&](const ProvisionedReplica& r) {
    if (r.state != ProvisionedReplica::State::draining || r.drain_deadline > now) return false;
    out.push_back({ReplicaTransition::Kind::removed, r.id, r.drain_deadline});
    return true;
  });
  std::stable_sort(
      out.begin(), out.end(),
      [](const ReplicaTransition& a, const ReplicaTransition& b) { return a.at < b.at; });
  return out;
}

bool ReplicaProvisioner::drained(ReplicaId id) {
  const auto it =
      std::find_if(replicas_.begin(), replicas_.end(), [&](const ProvisionedReplica& r) {
        return r.id == id && r.state == ProvisionedReplica::State::draining;
      });
  if (it == replicas_.end()) return false;
  replicas_.erase(it);
  return true;
}

std::optional<Time> ReplicaProvisioner::next_transition() const {
  std::optional<Time> next;
  for (const ProvisionedReplica& r : replicas_) {
    std::optional<Time> t;
    if (r.state == ProvisionedReplica::State::pending) t = r.ready_at;
    if (r.state == ProvisionedReplica::State::draining) t = r.drain_deadline;
    if (t && (!next || *t < *next)) next = t;
  }
  return next;
}

}  // namespace sluice::sim
