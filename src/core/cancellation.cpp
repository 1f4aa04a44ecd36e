#include "core/cancellation.hpp"

#include <algorithm>
#include <string_view>

namespace sluice::core {

Cancellation::~Cancellation() {
  for (Subscription* s : subscribers_) s->owner_ = nullptr;
}

void Cancellation::cancel(Reason reason) {
  if (reason_ != Reason::none || reason == Reason::none) return;
  reason_ = reason;
  // A callback may end its own subscription (closing a socket resumes nothing synchronously,
  // but be safe): run over a copy and skip any that detached meanwhile.
  const std::vector<Subscription*> current = subscribers_;
  for (Subscription* s : current)
    if (std::find(subscribers_.begin(), subscribers_.end(), s) != subscribers_.end() &&
        s->callback_)
      s->callback_();
}

void Cancellation::reset() { reason_ = Reason::none; }

void Cancellation::detach(Subscription* s) {
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), s), subscribers_.end());
}

Cancellation::Subscription Cancellation::subscribe(Cancellation* cancellation,
                                                   std::function<void()> callback) {
  if (!cancellation) return {};
  return Subscription(cancellation, std::move(callback));
}

Cancellation::Subscription::Subscription(Cancellation* owner, std::function<void()> callback)
    : owner_(owner), callback_(std::move(callback)) {
  owner_->attach(this);
  if (owner_->cancelled() && callback_) callback_();
}

Cancellation::Subscription::~Subscription() {
  if (owner_) owner_->detach(this);
}

Cancellation::Subscription::Subscription(Subscription&& other) noexcept
    : owner_(other.owner_), callback_(std::move(other.callback_)) {
  if (owner_) {
    owner_->detach(&other);
    owner_->attach(this);
  }
  other.owner_ = nullptr;
}

Cancellation::Subscription& Cancellation::Subscription::operator=(Subscription&& other) noexcept {
  if (this == &other) return *this;
  if (owner_) owner_->detach(this);
  owner_ = other.owner_;
  callback_ = std::move(other.callback_);
  if (owner_) {
    owner_->detach(&other);
    owner_->attach(this);
  }
  other.owner_ = nullptr;
  return *this;
}

std::string_view to_string(Cancellation::Reason reason) {
  switch (reason) {
    case Cancellation::Reason::none:
      return "none";
    case Cancellation::Reason::client_gone:
      return "client_gone";
    case Cancellation::Reason::deadline:
      return "deadline";
    case Cancellation::Reason::shutdown:
      return "shutdown";
  }
  return "unknown";
}

}  // namespace sluice::core
