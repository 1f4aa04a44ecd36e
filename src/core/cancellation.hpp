#pragma once
// A request's cancellation signal: fired once, with its reason, when the client leaves, the
// request's deadline passes or the drain grace expires. Whoever holds a resource for the request
// (an upstream connection, a timer) subscribes and releases it when the signal fires.
// Not thread-safe: a request lives on one event loop.

#include <functional>
#include <string_view>
#include <vector>

namespace sluice::core {

class Cancellation {
 public:
  enum class Reason { none, client_gone, deadline, shutdown };

  Cancellation() = default;
  ~Cancellation();
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  bool cancelled() const { return reason_ != Reason::none; }
  Reason reason() const { return reason_; }

  // Fires the signal: the first reason sticks; every current subscriber runs once, in order.
  void cancel(Reason reason);
  // Ready for the next request on the same connection.
  void reset();

  // While a Subscription lives, its callback runs when the signal fires (at once if it already
  // has). The callback must not destroy the Cancellation.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Cancellation* owner, std::function<void()> callback);
    ~Subscription();
    Subscription(Subscription&&) noexcept;
    Subscription& operator=(Subscription&&) noexcept;

   private:
    friend class Cancellation;
    Cancellation* owner_ = nullptr;
    std::function<void()> callback_;
  };
  // A null `cancellation` gives an empty Subscription: callers need no branch for "no signal".
  static Subscription subscribe(Cancellation* cancellation, std::function<void()> callback);

 private:
  void attach(Subscription* s) { subscribers_.push_back(s); }
  void detach(Subscription* s);

  Reason reason_ = Reason::none;
  std::vector<Subscription*> subscribers_;
};

std::string_view to_string(Cancellation::Reason reason);

}  // namespace sluice::core
