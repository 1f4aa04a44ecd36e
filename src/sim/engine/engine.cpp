#include "sim/engine/engine.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace sluice::sim {
namespace asio = boost::asio;
namespace {

// std::push_heap keeps the largest first: "later" is "less".
bool later(const auto& a, const auto& b) {
  return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
}

}  // namespace

// One thread runs the io_context: the hint lets Asio skip the locking a shared one needs.
Engine::Engine() : io_(std::make_unique<asio::io_context>(1)) {}

Engine::~Engine() { abandon(); }

void Engine::abandon() {
  // Pending handlers own suspended coroutine frames: mark every slot free before destroying them,
  // so that the alarms in those frames find nothing to touch.
  std::vector<Handler> orphans;
  for (Slot& slot : slots_) {
    if (!slot.pending) continue;
    slot.pending = false;
    ++slot.generation;
    orphans.push_back(std::move(slot.handler));
  }
  heap_.clear();
  orphans.clear();
  io_.reset();  // and the handlers it still queues
}

std::pair<std::uint32_t, std::uint32_t> Engine::schedule(Time at, Handler handler) {
  std::uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.handler = std::move(handler);
  slot.pending = true;
  heap_.push_back({std::max(at, now_), sequence_++, index, slot.generation});
  std::push_heap(heap_.begin(), heap_.end(),
                 [](const Entry& a, const Entry& b) { return later(a, b); });
  return {index, slot.generation};
}

void Engine::complete(std::uint32_t index, std::uint32_t generation, bool fired) {
  Slot& slot = slots_[index];
  Handler handler = std::move(slot.handler);
  slot.pending = false;
  ++slot.generation;  // the heap entry of a cancelled wait is skipped when it comes up
  free_slots_.push_back(index);
  // Posted, never called here: the canceller (a release waking a waiter, say) must not run the
  // waiter's code inside its own call.
  asio::post(*io_, [handler = std::move(handler), fired]() mutable { std::move(handler)(fired); });
}

bool Engine::fire_next() {
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(),
                  [](const Entry& a, const Entry& b) { return later(a, b); });
    const Entry entry = heap_.back();
    heap_.pop_back();
    if (!pending(entry.slot, entry.generation)) continue;  // cancelled
    now_ = entry.at;
    ++fired_;
    complete(entry.slot, entry.generation, true);
    return true;
  }
  return false;
}

void Engine::run() {
  // Coroutines suspended on alarms are no work to Asio: without the guard, poll() would find the
  // io_context out of work and stop it.
  auto guard = asio::make_work_guard(*io_);
  do {
    io_->poll();
  } while (fire_next());
}

}  // namespace sluice::sim
