#pragma once

#include <cstdint>
#include <functional>

#include "auth/key_registry.hpp"
#include "gateway/usage_ledger.hpp"
#include "http/router.hpp"
#include "store/key_store.hpp"

namespace sluice::api {

struct AdminKeys {
  store::KeyStore& store;
  auth::KeyRegistry& registry;  // told of every write at once, before the follower reads it
  bool config_keys = false;     // the config file holds keys: authentication is on already
  store::UsageStore& usage;
  gateway::UsageLedger& ledger;     // flushed before usage is read: this replica's latest count
  std::function<int64_t()> now_ms;  // milliseconds since the Unix epoch; empty = system clock
};

// Virtual keys (admin only, enforced by the API key filter): POST /v1/admin/keys (201, the
// secret shown once), GET /v1/admin/keys (pages), GET|PATCH|DELETE /v1/admin/keys/{id} (DELETE
// revokes), POST /v1/admin/keys/{id}/rotate {overlap_seconds} (a new secret; the old one works
// for the overlap), GET /v1/admin/keys/{id}/usage?from=&to= (requests, tokens and cost per UTC
// day and model; the last 30 days by default). `keys` must outlive the router.
void register_admin_key_routes(http::Router& router, AdminKeys& keys);

}  // namespace sluice::api
