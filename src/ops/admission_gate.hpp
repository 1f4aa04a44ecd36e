#pragma once
// A bounded pool of request slots with a bounded priority queue in front, shared by every event
// loop. While a slot is free and nobody waits, admission is one compare-and-swap (no lock); the
// queue's mutex is taken only when a request must wait or a release finds waiters.

#include <array>
#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "core/principal.hpp"

namespace sluice::ops {

class AdmissionGate {
 public:
  enum class Verdict : uint8_t { waiting, admitted, shed, timed_out, gone };

  // One request's place in the queue, held by the waiting request and (while queued) the gate.
  struct Waiter {
    explicit Waiter(core::Priority p) : priority(p) {}
    const core::Priority priority;
    // Called once, outside the gate's lock and possibly on another thread, when a verdict ends
    // the wait (admitted, or shed by a higher-priority arrival). Not called after withdraw().
    std::function<void(Verdict)> wake;

   private:
    friend class AdmissionGate;
    Verdict verdict = Verdict::waiting;  // guarded by the gate's mutex
  };

  // `max_concurrency` >= 1 slots; up to `max_queue` waiters (0: refuse at once when full).
  AdmissionGate(std::size_t max_concurrency, std::size_t max_queue);

  // Takes a slot if one is free and nobody waits for one; lock-free.
  bool try_admit();
  // Takes a slot (admitted), queues `waiter` (waiting: its wake() brings the verdict), or refuses
  // it (shed). A full queue makes room for a higher-priority arrival by shedding the newest
  // waiter of the lowest class below it; an arrival no waiter ranks below is shed itself.
  Verdict enter(const std::shared_ptr<Waiter>& waiter);
  // The waiter stops waiting (max wait, client gone): its verdict becomes `reason` if it was
  // still queued. Returns its final verdict: an admitted one holds a slot to release.
  Verdict withdraw(Waiter& waiter, Verdict reason);
  // Frees a slot: handed to the longest-waiting request of the highest class, if any.
  void release();

  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t queued() const { return queued_.load(std::memory_order_relaxed); }
  std::size_t max_concurrency() const { return max_concurrency_; }

 private:
  using Queue = std::deque<std::shared_ptr<Waiter>>;
  bool take_slot();
  // Hands free slots to waiters; returns the admitted ones for waking outside the lock.
  void admit_waiting(std::vector<std::shared_ptr<Waiter>>& admitted);
  Queue& queue_of(core::Priority p) { return queues_[static_cast<std::size_t>(p)]; }
  static void wake_all(const std::vector<std::shared_ptr<Waiter>>& woken);

  const std::size_t max_concurrency_;
  const std::size_t max_queue_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> queued_{0};  // written under mutex_; read lock-free
  std::mutex mutex_;
  std::array<Queue, core::kPriorityCount> queues_;  // by priority; FIFO within each
};

}  // namespace sluice::ops
