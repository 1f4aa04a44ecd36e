#include "auth/key_follower.hpp"

#include "ops/logger.hpp"
#include "ops/periodic.hpp"

namespace sluice::auth {

Status KeyFollower::catch_up() {
  constexpr int kPage = 1000;
  std::size_t left_out = 0;
  for (;;) {
    auto changed = keys_.changed_since(registry_.followed_seq(), kPage);
    if (!changed) return changed.error();
    for (const store::ApiKey& key : *changed)
      if (!registry_.apply(key)) ++left_out;
    if (!changed->empty()) registry_.set_followed_seq(changed->back().change_seq);
    if (static_cast<int>(changed->size()) < kPage) break;
  }
  // Only another replica with a larger auth.max_keys can write past this one's: say so.
  if (left_out > 0)
    ops::logger().error("virtual keys left out: the key table is full",
                        {{"key", "auth.max_keys"},
                         {"max_keys", static_cast<long long>(registry_.max_keys())},
                         {"left_out", static_cast<long long>(left_out)}});
  return Status::success();
}

boost::asio::awaitable<void> KeyFollower::run(std::chrono::milliseconds period) {
  ops::FailureStreak failures;
  co_await ops::repeat_blocking(
      period, [this, &failures] { failures.report(catch_up(), "cannot read the virtual keys"); });
}

}  // namespace sluice::auth
