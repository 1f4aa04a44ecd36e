#pragma once
// Keeps a KeyRegistry in step with the store's virtual keys: everything at start, then what any
// replica wrote since, every `period`. A key created, changed or revoked elsewhere takes effect
// here within one period, without a restart.

#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "auth/key_registry.hpp"
#include "core/result.hpp"
#include "store/key_store.hpp"

namespace sluice::auth {

class KeyFollower {
 public:
  // Both must outlive the follower.
  KeyFollower(store::KeyStore& keys, KeyRegistry& registry) : keys_(keys), registry_(registry) {}

  // Blocking: applies every key written since the registry's followed_seq, in order. An error
  // leaves the registry as far as it got; the next call goes on from there.
  Status catch_up();
  // catch_up() every `period` on the blocking pool, for as long as its event loop runs; errors
  // are logged once per run of failures.
  boost::asio::awaitable<void> run(std::chrono::milliseconds period);

 private:
  store::KeyStore& keys_;
  KeyRegistry& registry_;
};

}  // namespace sluice::auth
