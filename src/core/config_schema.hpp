#pragma once

#include "core/config.hpp"

namespace sluice::core {

// The single list of configuration keys. The loader binds YAML to `c` through it, the printer
// renders `c` through it, and the loader derives the set of valid env/override paths from it, so
// a key added here is loadable, overridable by env and printed with no other change.
//
// A Visitor provides:
//   section(name, fn)           a nested mapping; fn() describes its keys
//   list(name, vector, fn)      a sequence of mappings; fn(item&) describes one item's keys
//   field(name, T&)             a scalar: std::string, int, bool, double, Millis (a duration),
//                               LogLevel, LogFormat, or std::vector<std::string>
//   bytes(name, std::size_t&)   a byte size ("16KiB"), printed as an integer
//   secret(name, std::string&)  a secret string; also readable from `<name>_file`, never printed
//   map(name, std::map<std::string, std::string>&)
//                               a mapping of names the user chooses to strings
//   secret_map(name, std::map<std::string, std::string>&)
//                               the same, each value a secret (`<entry>_file` reads a file)
// Sections other files embed (a scenario of `sluice simulate` holds a gateway and an admission
// section) have a describe function of their own.

// The keys of the gateway section (also embedded in `sluice simulate`'s scenario files).
template <class Visitor>
void describe_gateway(Visitor& v, GatewayConfig& g) {
  v.list("providers", g.providers, [&](ProviderConfig& p) {
    v.field("name", p.name);
    v.field("type", p.type);
    v.field("base_url", p.base_url);
    v.field("ca_file", p.ca_file);
    v.field("egress_proxy", p.egress_proxy);
    v.secret("api_key", p.api_key);
    v.field("connect_timeout", p.connect_timeout);
    v.field("first_byte_timeout", p.first_byte_timeout);
    v.field("idle_timeout", p.idle_timeout);
    v.field("total_timeout", p.total_timeout);
    v.field("forward_mock_headers", p.forward_mock_headers);
    v.field("api_version", p.api_version);
    v.secret_map("headers", p.headers);
    v.list("param_rules", p.param_rules, [&](ParamRuleConfig& rule) {
      v.field("models", rule.models);
      v.field("drop", rule.drop);
      v.map("rename", rule.rename);
    });
    v.field("builtin_param_rules", p.builtin_param_rules);
    v.field("mock_latency", p.mock_latency);
    v.field("mock_error_rate", p.mock_error_rate);
    v.field("mock_error_status", p.mock_error_status);
    v.field("mock_chunks", p.mock_chunks);
  });
  v.list("models", g.models, [&](ModelAliasConfig& m) {
    v.field("alias", m.alias);
    v.field("strategy", m.strategy);
    v.list("deployments", m.deployments, [&](DeploymentConfig& d) {
      v.field("provider", d.provider);
      v.field("model", d.model);
      v.field("weight", d.weight);
      v.field("priority", d.priority);
      v.field("region", d.region);
    });
    v.field("fallbacks", m.fallbacks);
    v.field("timeout", m.timeout);
    v.section("canary", [&] {
      v.field("alias", m.canary.alias);
      v.field("weight", m.canary.weight);
      v.section("rollback", [&] {
        v.field("metric", m.canary.rollback.metric);
        v.field("threshold", m.canary.rollback.threshold);
        v.field("window", m.canary.rollback.window);
        v.field("min_requests", m.canary.rollback.min_requests);
      });
    });
  });
  v.list("prices", g.prices, [&](PriceConfig& p) {
    v.field("model", p.model);
    v.field("input_per_million", p.input_per_million);
    v.field("output_per_million", p.output_per_million);
    v.field("cached_input_per_million", p.cached_input_per_million);
    v.field("cache_write_per_million", p.cache_write_per_million);
    v.field("cache_write_1h_per_million", p.cache_write_1h_per_million);
  });
  v.section("retry", [&] {
    v.field("max_attempts", g.retry.max_attempts);
    v.field("base_backoff", g.retry.base_backoff);
    v.field("max_backoff", g.retry.max_backoff);
    v.field("budget", g.retry.budget);
  });
  v.section("circuit_breaker", [&] {
    v.field("failure_threshold", g.circuit_breaker.failure_threshold);
    v.field("cooldown", g.circuit_breaker.cooldown);
    v.field("half_open_requests", g.circuit_breaker.half_open_requests);
  });
  v.field("default_provider", g.default_provider);
  v.field("request_timeout", g.request_timeout);
  v.field("models_refresh", g.models_refresh);
  v.section("response_store", [&] {
    v.bytes("max_bytes", g.response_store_max_bytes);
    v.field("max_entries", g.response_store_max_entries);
  });
  v.section("rerank", [&] { v.field("max_documents", g.rerank_max_documents); });
  v.field("random_seed", g.random_seed);
}

// The keys of the admission section (also embedded in scenario files).
template <class Visitor>
void describe_admission(Visitor& v, AdmissionConfig& a) {
  v.field("max_concurrency", a.max_concurrency);
  v.field("max_queue", a.max_queue);
  v.field("max_wait", a.max_wait);
  v.field("retry_after", a.retry_after);
  v.list("routes", a.routes, [&](RouteAdmissionConfig& r) {
    v.field("route", r.route);
    v.field("max_concurrency", r.max_concurrency);
    v.field("max_queue", r.max_queue);
  });
  v.section("degraded", [&] {
    v.field("enter_after", a.degraded.enter_after);
    v.field("exit_after", a.degraded.exit_after);
    v.field("top_k", a.degraded.top_k);
    v.list("aliases", a.degraded.aliases, [&](DegradedAliasConfig& alias) {
      v.field("model", alias.model);
      v.field("use", alias.use);
    });
  });
}

// The budgets section (also embedded in `sluice simulate` scenarios).
template <class Visitor>
void describe_budgets(Visitor& v, BudgetsConfig& b) {
  v.list("teams", b.teams, [&](TeamBudgetConfig& team) {
    v.field("team", team.team);
    v.field("daily_usd", team.daily_usd);
    v.field("monthly_usd", team.monthly_usd);
  });
  v.list("downgrades", b.downgrades, [&](BudgetDowngradeConfig& downgrade) {
    v.field("model", downgrade.model);
    v.field("to", downgrade.to);
  });
}

// The rate_limits section (also embedded in `sluice simulate` scenarios).
template <class Visitor>
void describe_rate_limits(Visitor& v, RateLimitConfig& r) {
  v.field("key_requests_per_minute", r.key_requests_per_minute);
  v.field("key_tokens_per_minute", r.key_tokens_per_minute);
  v.field("address_requests_per_minute", r.address_requests_per_minute);
  v.list("routes", r.routes, [&](RouteRateLimitConfig& route) {
    v.field("route", route.route);
    v.field("requests_per_minute", route.requests_per_minute);
  });
  v.field("burst", r.burst);
  v.field("default_completion_tokens", r.default_completion_tokens);
  v.field("max_tracked", r.max_tracked);
}

// The whole configuration.
template <class Visitor>
void describe_config(Visitor& v, Config& c) {
  v.section("server", [&] {
    v.field("listen", c.server.listen);
    v.field("threads", c.server.threads);
    v.field("max_connections", c.server.max_connections);
    v.bytes("max_header_bytes", c.server.max_header_bytes);
    v.bytes("max_body_bytes", c.server.max_body_bytes);
    v.bytes("max_model_body_bytes", c.server.max_model_body_bytes);
    v.bytes("max_media_body_bytes", c.server.max_media_body_bytes);
    v.field("max_json_values", c.server.max_json_values);
    v.field("media_spool_dir", c.server.media_spool_dir);
    v.field("header_timeout", c.server.header_timeout);
    v.field("body_timeout", c.server.body_timeout);
    v.field("idle_timeout", c.server.idle_timeout);
  });
  v.section("log", [&] {
    v.field("level", c.log.level);
    v.field("format", c.log.format);
    v.field("access_log", c.log.access_log);
    v.bytes("access_log_buffer", c.log.access_log_buffer);
  });
  v.section("metrics", [&] {
    v.field("enabled", c.metrics.enabled);
    v.field("path", c.metrics.path);
  });
  v.section("ui", [&] { v.field("enabled", c.ui.enabled); });
  v.section("shutdown", [&] {
    v.field("drain_delay", c.shutdown.drain_delay);
    v.field("grace", c.shutdown.grace);
  });
  v.section("auth", [&] {
    v.list("api_keys", c.auth.api_keys, [&](ApiKeyConfig& key) {
      v.field("name", key.name);
      v.secret("key", key.key);
      v.field("role", key.role);
      v.field("team", key.team);
      v.field("requests_per_minute", key.requests_per_minute);
      v.field("tokens_per_minute", key.tokens_per_minute);
    });
    v.secret("admin_key", c.auth.admin_key);
    v.field("max_keys", c.auth.max_keys);
    v.field("key_refresh", c.auth.key_refresh);
    v.field("audit_retention", c.auth.audit_retention);
    v.field("failed_attempts_per_minute", c.auth.failed_attempts_per_minute);
    v.section("jwt", [&] {
      v.field("jwks_file", c.auth.jwt.jwks_file);
      v.field("issuer", c.auth.jwt.issuer);
      v.field("audience", c.auth.jwt.audience);
      v.field("clock_skew", c.auth.jwt.clock_skew);
      v.field("jwks_refresh", c.auth.jwt.jwks_refresh);
      v.field("roles_claim", c.auth.jwt.roles_claim);
      v.field("team_claim", c.auth.jwt.team_claim);
      v.field("collections_claim", c.auth.jwt.collections_claim);
      v.field("models_claim", c.auth.jwt.models_claim);
    });
  });
  v.section("budgets", [&] { describe_budgets(v, c.budgets); });
  v.section("cors", [&] {
    v.field("allow_origins", c.cors.allow_origins);
    v.field("allow_credentials", c.cors.allow_credentials);
    v.field("max_age", c.cors.max_age);
  });
  v.section("rate_limits", [&] { describe_rate_limits(v, c.rate_limits); });
  v.section("storage", [&] { v.field("data_dir", c.storage.data_dir); });
  v.section("rag", [&] {
    v.field("default_collection", c.rag.default_collection);
    v.field("answer_model", c.rag.answer_model);
    v.field("embedding_model", c.rag.embedding_model);
    v.field("workers", c.rag.workers);
    v.bytes("max_document_bytes", c.rag.max_document_bytes);
    v.field("chunk_target_tokens", c.rag.chunk_target_tokens);
    v.field("chunk_overlap_tokens", c.rag.chunk_overlap_tokens);
    v.field("chunk_max_tokens", c.rag.chunk_max_tokens);
    v.field("job_max_attempts", c.rag.job_max_attempts);
    v.field("job_lease", c.rag.job_lease);
    v.field("job_retry_base", c.rag.job_retry_base);
    v.field("job_retention", c.rag.job_retention);
    v.field("tombstone_retention", c.rag.tombstone_retention);
    v.field("index_follow", c.rag.index_follow);
    v.field("index_snapshot", c.rag.index_snapshot);
    v.field("top_k", c.rag.top_k);
    v.field("max_top_k", c.rag.max_top_k);
    v.field("session_turns", c.rag.session_turns);
    v.bytes("cache_max_bytes", c.rag.cache_max_bytes);
    v.field("cache_ttl", c.rag.cache_ttl);
    v.field("snapshots", c.rag.snapshots);
    v.section("url_ingest", [&] {
      v.field("enabled", c.rag.url_ingest.enabled);
      v.field("allow_cidrs", c.rag.url_ingest.allow_cidrs);
      v.field("allow_hosts", c.rag.url_ingest.allow_hosts);
      v.field("timeout", c.rag.url_ingest.timeout);
      v.field("max_redirects", c.rag.url_ingest.max_redirects);
    });
  });
  v.section("gateway", [&] { describe_gateway(v, c.gateway); });
  v.section("admission", [&] { describe_admission(v, c.admission); });
  v.section("tracing", [&] {
    v.field("endpoint", c.tracing.endpoint);
    v.field("traces_endpoint", c.tracing.traces_endpoint);
    v.field("service_name", c.tracing.service_name);
    v.secret("headers", c.tracing.headers);
    v.field("timeout", c.tracing.timeout);
    v.field("sampler", c.tracing.sampler);
    v.field("sampler_arg", c.tracing.sampler_arg);
    v.field("queue_size", c.tracing.queue_size);
    v.field("batch_size", c.tracing.batch_size);
    v.field("batch_delay", c.tracing.batch_delay);
  });
  v.section("egress_proxy", [&] {
    v.field("url", c.egress_proxy.url);
    v.field("no_proxy", c.egress_proxy.no_proxy);
    v.secret("password", c.egress_proxy.password);
  });
}

}  // namespace sluice::core
