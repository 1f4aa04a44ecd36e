#include "api/admin_key_routes.hpp"

#include <boost/json.hpp>

#include "api/admin_key_body.hpp"
#include "api/json_body.hpp"
#include "api/rag_api.hpp"
#include "auth/secret_digest.hpp"
#include "core/clock.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;
namespace {

constexpr int64_t kDefaultOverlapSeconds = 3600;
constexpr int64_t kMaxOverlapSeconds = 30LL * 24 * 3600;

int64_t now_ms(const AdminKeys& keys) {
  return keys.now_ms ? keys.now_ms() : core::unix_milliseconds();
}

// A fresh secret for `key`: its digest and display prefix set; the secret itself returned.
std::string issue_secret(store::ApiKey& key) {
  std::string secret = auth::new_key_secret();
  auth::Digest digest;
  if (!auth::digest_of(secret, digest)) throw std::runtime_error("SHA-256 is unavailable");
  key.secret_hash = auth::to_hex(digest);
  key.prefix = auth::display_prefix(secret);
  return secret;
}

// The key's JSON with its new secret, shown this once.
void respond_with_secret(http::Exchange& exchange, int status, const store::ApiKey& key,
                         const std::string& secret) {
  json::object body = key_json(key);
  body["key"] = secret;
  respond_json(exchange, status, body);
}

void respond_key(http::Exchange& exchange, Result<store::ApiKey>& key, AdminKeys& keys) {
  if (!key) {
    exchange.response.set_error(key.error());
    return;
  }
  keys.registry.apply(*key);
  respond_json(exchange, 200, key_json(*key));
}

boost::asio::awaitable<void> create_key(AdminKeys& keys, http::Exchange& exchange) {
  ParsedBody body;
  if (!co_await parse_object_body(exchange, body)) co_return;
  store::ApiKey key;
  key.roles = {"query"};
  if (Status read = read_key_fields(body.object, now_ms(keys), key); !read) {
    exchange.response.set_error(read.error());
    co_return;
  }
  // With authentication off until the first key exists, a first key without admin would lock
  // every caller out of the admin API.
  const bool admin = std::find(key.roles.begin(), key.roles.end(), "admin") != key.roles.end();
  if (!keys.config_keys && !keys.registry.ever_held() && !admin) {
    exchange.response.set_error(make_error(
        Errc::invalid_request,
        "authentication starts with the first key: make it an admin key (roles: [\"admin\"]) or "
        "configure auth.admin_key first",
        "roles"));
    co_return;
  }
  if (keys.registry.size() >= keys.registry.max_keys()) {
    exchange.response.set_error(make_error(
        Errc::conflict,
        "there are " + std::to_string(keys.registry.max_keys()) +
            " active keys, the most auth.max_keys allows: revoke some or raise auth.max_keys",
        {}, "key_limit_reached"));
    co_return;
  }
  const std::string secret = issue_secret(key);
  auto created = co_await ops::run_blocking([&] { return keys.store.create(key); });
  if (!created) {
    exchange.response.set_error(created.error());
    co_return;
  }
  keys.registry.apply(*created);
  respond_with_secret(exchange, 201, *created, secret);
}

boost::asio::awaitable<void> list_keys(AdminKeys& keys, http::Exchange& exchange) {
  PageRequest page;
  if (!read_page_request(exchange, page)) co_return;
  auto listed =
      co_await ops::run_blocking([&] { return keys.store.list(page.cursor, page.limit); });
  if (!listed) {
    exchange.response.set_error(listed.error());
    co_return;
  }
  exchange.response.set_json(200, list_body(*listed, key_json));
}

boost::asio::awaitable<void> get_key(AdminKeys& keys, http::Exchange& exchange) {
  const std::string id(exchange.request.param("id"));
  auto key = co_await ops::run_blocking([&] { return keys.store.get(id); });
  if (!key) {
    exchange.response.set_error(key.error());
    co_return;
  }
  respond_json(exchange, 200, key_json(*key));
}

// Reads the key, lets `change` edit it (an error stops there), writes it back. A revoked key
// cannot change: revocation is final.
template <class Change>
Result<store::ApiKey> change_key(AdminKeys& keys, const std::string& id, Change change) {
  auto key = keys.store.get(id);
  if (!key) return key.error();
  if (key->revoked_at_ms != 0)
    return make_error(Errc::conflict, "API key '" + id + "' is revoked", "id", "key_revoked");
  if (Status changed = change(*key); !changed) return changed.error();
  return keys.store.update(*std::move(key));
}

boost::asio::awaitable<void> patch_key(AdminKeys& keys, http::Exchange& exchange) {
  ParsedBody body;
  if (!co_await parse_object_body(exchange, body)) co_return;
  const std::string id(exchange.request.param("id"));
  const int64_t now = now_ms(keys);
  auto key = co_await ops::run_blocking([&] {
    return change_key(keys, id,
                      [&](store::ApiKey& k) { return read_key_fields(body.object, now, k); });
  });
  respond_key(exchange, key, keys);
}

boost::asio::awaitable<void> revoke_key(AdminKeys& keys, http::Exchange& exchange) {
  const std::string id(exchange.request.param("id"));
  const int64_t now = now_ms(keys);
  auto key = co_await ops::run_blocking([&]() -> Result<store::ApiKey> {
    auto current = keys.store.get(id);
    if (!current) return current.error();
    if (current->revoked_at_ms != 0) return current;  // already: the same answer again
    current->revoked_at_ms = now;
    return keys.store.update(*std::move(current));
  });
  respond_key(exchange, key, keys);
}

boost::asio::awaitable<void> rotate_key(AdminKeys& keys, http::Exchange& exchange) {
  int64_t overlap = kDefaultOverlapSeconds;
  if (!exchange.request.body.empty()) {
    ParsedBody body;
    if (!co_await parse_object_body(exchange, body)) co_return;
    for (const auto& member : body.object) {
      const json::value& value = member.value();
      if (member.key() != "overlap_seconds" || !value.is_int64() || value.get_int64() < 0 ||
          value.get_int64() > kMaxOverlapSeconds) {
        exchange.response.set_error(make_error(
            Errc::invalid_request,
            "the body may hold only overlap_seconds: how long the old secret keeps working, 0 "
            "to " +
                std::to_string(kMaxOverlapSeconds) + " seconds (default 3600)",
            std::string(member.key())));
        co_return;
      }
      overlap = value.get_int64();
    }
  }
  const std::string id(exchange.request.param("id"));
  const int64_t now = now_ms(keys);
  std::string secret;
  auto key = co_await ops::run_blocking([&] {
    return change_key(keys, id, [&](store::ApiKey& k) {
      k.previous_hash = overlap > 0 ? k.secret_hash : std::string();
      k.previous_valid_until_ms = overlap > 0 ? now + overlap * 1000 : 0;
      secret = issue_secret(k);
      return Status::success();
    });
  });
  if (!key) {
    exchange.response.set_error(key.error());
    co_return;
  }
  keys.registry.apply(*key);
  respond_with_secret(exchange, 200, *key, secret);
}

// A YYYY-MM-DD query parameter, or `fallback` when absent; nullopt after answering a 400.
std::optional<std::string> day_param(http::Exchange& exchange, std::string_view name,
                                     std::string fallback) {
  const auto value = exchange.request.query_param(name);
  if (!value) return fallback;
  const std::string_view day = *value;
  const bool shaped = day.size() == 10 && day[4] == '-' && day[7] == '-' &&
                      std::all_of(day.begin(), day.end(),
                                  [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
  if (!shaped) {
    exchange.response.set_error(make_error(Errc::invalid_request,
                                           std::string(name) + " must be a day, YYYY-MM-DD",
                                           std::string(name)));
    return std::nullopt;
  }
  return std::string(day);
}

boost::asio::awaitable<void> key_usage(AdminKeys& keys, http::Exchange& exchange) {
  constexpr int64_t kDefaultDays = 30;
  const int64_t now = now_ms(keys);
  const auto to = day_param(exchange, "to", gateway::utc_day(now));
  if (!to) co_return;
  const auto from =
      day_param(exchange, "from", gateway::utc_day(now - (kDefaultDays - 1) * 86'400'000));
  if (!from) co_return;
  const std::string id(exchange.request.param("id"));
  auto rows = co_await ops::run_blocking([&]() -> Result<std::vector<store::UsageRow>> {
    if (auto key = keys.store.get(id); !key) return key.error();
    // This replica's latest calls count too; a failed flush leaves them for later, and the
    // stored totals are still an answer.
    (void)keys.ledger.flush();
    return keys.usage.for_key(id, *from, *to);
  });
  if (!rows) {
    exchange.response.set_error(rows.error());
    co_return;
  }
  json::array data;
  int64_t requests = 0, prompt = 0, completion = 0, cost = 0;
  for (const store::UsageRow& row : *rows) {
    data.push_back(json::object{{"day", row.day},
                                {"model", row.model},
                                {"requests", row.requests},
                                {"prompt_tokens", row.prompt_tokens},
                                {"completion_tokens", row.completion_tokens},
                                {"cost_usd", static_cast<double>(row.cost_nano_usd) / 1e9}});
    requests += row.requests;
    prompt += row.prompt_tokens;
    completion += row.completion_tokens;
    cost += row.cost_nano_usd;
  }
  respond_json(exchange, 200,
               json::object{{"object", "list"},
                            {"key_id", id},
                            {"from", *from},
                            {"to", *to},
                            {"data", std::move(data)},
                            {"total",
                             {{"requests", requests},
                              {"prompt_tokens", prompt},
                              {"completion_tokens", completion},
                              {"cost_usd", static_cast<double>(cost) / 1e9}}}});
}

}  // namespace

void register_admin_key_routes(http::Router& router, AdminKeys& keys) {
  router.add("POST", "/v1/admin/keys",
             [&keys](http::Exchange& exchange) { return create_key(keys, exchange); });
  router.add("GET", "/v1/admin/keys",
             [&keys](http::Exchange& exchange) { return list_keys(keys, exchange); });
  router.add("GET", "/v1/admin/keys/{id}",
             [&keys](http::Exchange& exchange) { return get_key(keys, exchange); });
  router.add("PATCH", "/v1/admin/keys/{id}",
             [&keys](http::Exchange& exchange) { return patch_key(keys, exchange); });
  router.add("DELETE", "/v1/admin/keys/{id}",
             [&keys](http::Exchange& exchange) { return revoke_key(keys, exchange); });
  router.add("POST", "/v1/admin/keys/{id}/rotate",
             [&keys](http::Exchange& exchange) { return rotate_key(keys, exchange); });
  router.add("GET", "/v1/admin/keys/{id}/usage",
             [&keys](http::Exchange& exchange) { return key_usage(keys, exchange); });
}

}  // namespace sluice::api
