#pragma once
// The simulation's event loop: one io_context run on the calling thread, and a virtual clock that
// jumps from one timer to the next, so that an hour of traffic takes only as long as its handlers
// take. The loop runs every ready handler, then advances the clock to the earliest timer and fires
// it, and stops when nothing is ready and no timer is pending. Timers are ordered by (time,
// sequence number): equal times resolve in the order they were set, so a run replays exactly.

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace sluice::sim {

using Clock = std::chrono::steady_clock;
using Time = Clock::time_point;

// Where virtual time starts: a day after steady_clock's zero, which some code reads as "never".
inline constexpr Time kStart = Time{} + std::chrono::hours(24);

// Seconds since kStart.
inline double seconds_since_start(Time t) {
  return std::chrono::duration<double>(t - kStart).count();
}
inline Time at_seconds(double seconds) {
  return kStart +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  boost::asio::io_context& io() { return *io_; }
  Time now() const { return now_; }

  // Runs until nothing is ready and no timer is pending. An exception thrown by a handler (a
  // coroutine spawned with rethrow_on_error) propagates out of it.
  void run();

  // Timers fired so far: the number of virtual-time events, a measure of the work done.
  std::uint64_t timers_fired() const { return fired_; }

  // Destroys whatever is still pending (the suspended coroutines of a run an exception cut
  // short), so that an owner can do it while what they refer to still exists. The engine cannot
  // run again. The destructor does it too.
  void abandon();

 private:
  friend class Alarm;
  // A waiting coroutine's completion handler, type-erased and move-only. (Boost 1.81's
  // any_completion_handler recurses without end when moved into another one.)
  class Handler {
   public:
    Handler() = default;
    template <class H>
    explicit Handler(H&& handler)
        : impl_(std::make_unique<Impl<std::decay_t<H>>>(std::forward<H>(handler))) {}
    void operator()(bool fired) && {
      std::unique_ptr<Base> impl = std::move(impl_);
      impl->call(fired);
    }

   private:
    struct Base {
      virtual ~Base() = default;
      virtual void call(bool fired) = 0;
    };
    template <class H>
    struct Impl final : Base {
      explicit Impl(H&& h) : handler(std::move(h)) {}
      void call(bool fired) override { std::move(handler)(fired); }
      H handler;
    };
    std::unique_ptr<Base> impl_;
  };
  struct Slot {
    Handler handler;
    std::uint32_t generation = 0;
    bool pending = false;
  };
  struct Entry {
    Time at;
    std::uint64_t sequence;
    std::uint32_t slot;
    std::uint32_t generation;
  };

  // Holds `handler` until `at`; returns its slot and generation.
  std::pair<std::uint32_t, std::uint32_t> schedule(Time at, Handler handler);
  // Resumes a pending wait with `fired`, and frees its slot.
  void complete(std::uint32_t slot, std::uint32_t generation, bool fired);
  bool pending(std::uint32_t slot, std::uint32_t generation) const {
    return slot < slots_.size() && slots_[slot].pending && slots_[slot].generation == generation;
  }
  bool fire_next();

  // Declared before io_: handlers the io_context still holds when it goes destroy coroutine
  // frames whose alarms look their slots up.
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<Entry> heap_;  // min-heap by (at, sequence)
  std::uint64_t sequence_ = 0;
  std::uint64_t fired_ = 0;
  Time now_ = kStart;
  std::unique_ptr<boost::asio::io_context> io_;
};

// One coroutine's wake-up call on the virtual clock, as a steady_timer is on the real one: one
// wait at a time, and cancel() ends a pending wait (a cancel with no wait pending does nothing).
class Alarm {
 public:
  explicit Alarm(Engine& engine) : engine_(engine) {}
  Alarm(const Alarm&) = delete;
  Alarm& operator=(const Alarm&) = delete;
  ~Alarm() = default;  // a pending wait lives in the handler that owns this alarm's frame

  // Suspends the calling coroutine until `at` (the next turn when `at` is not in the future):
  // true when the time came, false when cancel() came first.
  boost::asio::awaitable<bool> wait_until(Time at) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(bool)>(
        [this, at](auto handler) {
          const auto [slot, generation] = engine_.schedule(at, Engine::Handler(std::move(handler)));
          slot_ = slot;
          generation_ = generation;
        },
        boost::asio::use_awaitable);
  }
  void cancel() {
    if (engine_.pending(slot_, generation_)) engine_.complete(slot_, generation_, false);
  }
  bool waiting() const { return engine_.pending(slot_, generation_); }

 private:
  Engine& engine_;
  std::uint32_t slot_ = UINT32_MAX;
  std::uint32_t generation_ = 0;
};

// For co_spawn: a coroutine's exception ends the run (Engine::run rethrows it).
inline void rethrow_on_error(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

}  // namespace sluice::sim
