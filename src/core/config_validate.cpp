// Checks on the bound Config: the listen address, value ranges, references between keys (most
// of them in the gateway section) and the prod profile's rules.

#include "core/config_validate.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cidr.hpp"
#include "core/config_values.hpp"
#include "core/principal.hpp"
#include "core/provider_discovery.hpp"

namespace sluice::core::detail {

void resolve_listen(Config& c, const Env& env, bool listen_given, Reporter& report) {
  if (!listen_given) {
    const auto port = env.find("PORT");
    if (port != env.end() && !port->second.empty()) {
      ValueResult<uint16_t> parsed = parse_port(port->second);
      if (!parsed) {
        report.add("server.listen",
                   "environment variable PORT='" + port->second + "' is not a port number",
                   "set PORT to a number between 0 and 65535, or set server.listen");
        return;
      }
      // PaaS routers connect from outside the container, so loopback would be unreachable.
      c.server.listen = "0.0.0.0:" + std::to_string(*parsed);
    } else {
      c.server.listen = c.profile == Profile::dev ? "127.0.0.1:8080" : "0.0.0.0:8080";
    }
  }
  ValueResult<ListenAddress> address = parse_listen(c.server.listen);
  if (!address) {
    report.add("server.listen", address.error().message,
               "use host:port, e.g. 127.0.0.1:8080, [::1]:8080 or :8080");
    return;
  }
  c.server.host = address->host;
  c.server.port = address->port;
}

namespace {

// Why `origin` is not a valid CORS origin, or nullopt if it is.
std::optional<std::string> origin_problem(std::string_view origin) {
  if (origin == "*") return std::nullopt;
  std::string_view rest;
  if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else {
    return "must be \"*\" or start with http:// or https://";
  }
  if (rest.find('/') != std::string_view::npos) {
    return "an origin has no path or trailing slash";
  }
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return "missing ']' in IPv6 host";
    host = rest.substr(0, close + 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "unexpected text after the host";
      port = rest.substr(close + 2);
      if (port.empty()) return "missing port after ':'";
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) return "missing port after ':'";
  }
  if (host.empty()) return "missing host";
  const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '[' ||
           c == ']' || c == ':';
  });
  if (!host_ok) return "host must be lowercase letters, digits, '.' and '-', as browsers send it";
  if (!port.empty()) {
    ValueResult<uint16_t> p = parse_port(port);
    if (!p || *p == 0) return "port must be a number between 1 and 65535";
  }
  return std::nullopt;
}

// A decimal as people write it: "0.5", "1e+06", not std::to_string's "0.500000".
std::string number_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

// "'a', 'b' or 'c'": the valid choices, for a fix.
std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

// A fix for a reference to `kind` (provider, alias) that names nothing configured.
std::string choose_from(const std::vector<std::string>& names, std::string_view kind,
                        std::string_view section) {
  if (names.empty()) {
    return "no " + std::string(kind) + " is configured; add one under " + std::string(section);
  }
  return "use " + quoted_list(names) + ", or add it under " + std::string(section);
}

bool contains_name(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void validate_providers(const GatewayConfig& g, Reporter& report) {
  std::map<std::string, std::size_t> first_with_name;
  for (std::size_t i = 0; i < g.providers.size(); ++i) {
    const ProviderConfig& p = g.providers[i];
    const std::string path = "gateway.providers." + std::to_string(i);
    if (p.name.empty()) {
      report.add(path + ".name", "must not be empty",
                 "name the provider, e.g. openai: deployments and provider/model ids refer to it");
    } else if (p.name.find('/') != std::string::npos) {
      // Clients address a provider's models as "name/model", split at the first '/'.
      report.add(path + ".name", "'" + p.name + "' contains '/'",
                 "use a name without '/', e.g. " + p.name.substr(0, p.name.find('/')));
    } else if (const auto [it, inserted] = first_with_name.emplace(p.name, i); !inserted) {
      report.add(
          path + ".name",
          "'" + p.name + "' is also the name of gateway.providers." + std::to_string(it->second),
          "give every provider a distinct name");
    }
    const bool remote = p.type == "openai" || p.type == "azure" || p.type == "anthropic";
    if (!remote && p.type != "mock") {
      report.add(path + ".type", "unknown provider type '" + p.type + "'",
                 "use openai (any OpenAI-compatible API), azure (Azure OpenAI), anthropic or mock");
    }
    if (remote && p.base_url.empty()) {
      report.add(path + ".base_url", "is required for type " + p.type,
                 p.type == "openai"  ? "e.g. https://api.openai.com/v1"
                 : p.type == "azure" ? "the resource's endpoint, e.g. "
                                       "https://RESOURCE.openai.azure.com (AZURE_OPENAI_ENDPOINT)"
                                     : "e.g. https://api.anthropic.com/v1");
    } else if (remote && !p.base_url.starts_with("https://") &&
               !p.base_url.starts_with("http://")) {
      report.add(path + ".base_url", "'" + p.base_url + "' must start with http:// or https://",
                 "write the full URL, e.g. https://api.openai.com/v1");
    }
    if (!p.ca_file.empty()) {
      if (std::FILE* f = std::fopen(p.ca_file.c_str(), "r")) {
        std::fclose(f);
      } else {
        report.add(path + ".ca_file", "cannot read '" + p.ca_file + "'",
                   "point it at a readable PEM file, or remove it to trust the system CAs");
      }
    }
    const std::pair<const char*, Millis> timeouts[] = {
        {".connect_timeout", p.connect_timeout},
        {".first_byte_timeout", p.first_byte_timeout},
        {".idle_timeout", p.idle_timeout},
        {".total_timeout", p.total_timeout}};
    for (const auto& [key, value] : timeouts) {
      if (value <= Millis{0}) report.add(path + key, "must be greater than 0", "e.g. 30s");
    }
    if (!(p.mock_error_rate >= 0 && p.mock_error_rate <= 1)) {
      report.add(path + ".mock_error_rate",
                 "must be between 0 and 1, got " + number_text(p.mock_error_rate),
                 "it is a probability: 0.05 fails one request in twenty");
    }
    if (p.mock_error_status < 400 || p.mock_error_status > 599) {
      report.add(
          path + ".mock_error_status",
          "must be an error status between 400 and 599, got " + std::to_string(p.mock_error_status),
          "e.g. 500, 503 or 429");
    }
    if (p.mock_chunks < 1) {
      report.add(path + ".mock_chunks", "must be at least 1, got " + std::to_string(p.mock_chunks),
                 "e.g. 8");
    }
    validate_provider_requests(p, path, report);
  }
}

void validate_models(const GatewayConfig& g, const std::vector<std::string>& providers,
                     Reporter& report) {
  std::vector<std::string> aliases;
  for (const ModelAliasConfig& m : g.models) {
    if (!m.alias.empty() && !contains_name(aliases, m.alias)) aliases.push_back(m.alias);
  }
  std::map<std::string, std::size_t> first_with_alias;
  for (std::size_t i = 0; i < g.models.size(); ++i) {
    const ModelAliasConfig& m = g.models[i];
    const std::string path = "gateway.models." + std::to_string(i);
    if (m.alias.empty()) {
      report.add(path + ".alias", "must not be empty",
                 "set the model name clients send, e.g. alias: gpt-4o");
    } else if (const auto [it, inserted] = first_with_alias.emplace(m.alias, i); !inserted) {
      report.add(
          path + ".alias",
          "'" + m.alias + "' is also the alias of gateway.models." + std::to_string(it->second),
          "merge their deployments into one entry, or rename one");
    }
    if (m.strategy != "weighted" && m.strategy != "least_outstanding" &&
        m.strategy != "lowest_latency") {
      report.add(path + ".strategy", "unknown strategy '" + m.strategy + "'",
                 "use weighted, least_outstanding or lowest_latency");
    }
    if (m.deployments.empty()) {
      report.add(path + ".deployments", "must list at least one deployment",
                 "add e.g. {provider: openai, model: gpt-4o}");
    }
    for (std::size_t j = 0; j < m.deployments.size(); ++j) {
      const DeploymentConfig& d = m.deployments[j];
      const std::string dpath = path + ".deployments." + std::to_string(j);
      if (d.provider.empty()) {
        report.add(dpath + ".provider", "must not be empty",
                   choose_from(providers, "provider", "gateway.providers"));
      } else if (!contains_name(providers, d.provider)) {
        report.add(dpath + ".provider", "'" + d.provider + "' is not a configured provider",
                   choose_from(providers, "provider", "gateway.providers"));
      }
      if (d.model.empty()) {
        report.add(dpath + ".model", "must not be empty",
                   "set the upstream's model id, e.g. gpt-4o-mini");
      }
      if (d.weight < 0) {
        report.add(dpath + ".weight", "must not be negative, got " + std::to_string(d.weight),
                   "use 0 to drain the deployment, or a positive share of traffic");
      }
    }
    for (std::size_t k = 0; k < m.fallbacks.size(); ++k) {
      const std::string& f = m.fallbacks[k];
      const std::string fpath = path + ".fallbacks." + std::to_string(k);
      if (!m.alias.empty() && f == m.alias) {
        report.add(fpath, "'" + f + "' is this alias itself",
                   "name another alias, or remove the entry");
      } else if (!contains_name(aliases, f)) {
        report.add(fpath, "'" + f + "' is not a configured model alias",
                   choose_from(aliases, "model alias", "gateway.models"));
      }
    }
  }
}

void validate_prices(const GatewayConfig& g, Reporter& report) {
  std::map<std::string, std::size_t> first_with_model;
  for (std::size_t i = 0; i < g.prices.size(); ++i) {
    const PriceConfig& p = g.prices[i];
    const std::string path = "gateway.prices." + std::to_string(i);
    if (p.model.empty()) {
      report.add(path + ".model", "must not be empty", "set the upstream model id, e.g. gpt-4o");
    } else if (const auto [it, inserted] = first_with_model.emplace(p.model, i); !inserted) {
      report.add(path + ".model",
                 "'" + p.model + "' is also priced by gateway.prices." + std::to_string(it->second),
                 "keep one price entry per model");
    }
    const std::pair<const char*, double> prices[] = {
        {".input_per_million", p.input_per_million},
        {".output_per_million", p.output_per_million},
        {".cached_input_per_million", p.cached_input_per_million},
        {".cache_write_per_million", p.cache_write_per_million},
        {".cache_write_1h_per_million", p.cache_write_1h_per_million}};
    for (const auto& [key, value] : prices) {
      if (value < 0) {
        report.add(path + key, "must not be negative, got " + number_text(value),
                   "prices are USD per million tokens, e.g. 2.5");
      }
    }
  }
}

}  // namespace

void validate_gateway(const GatewayConfig& g, Reporter& report) {
  validate_providers(g, report);
  std::vector<std::string> providers;
  for (const ProviderConfig& p : g.providers) {
    if (!p.name.empty() && !contains_name(providers, p.name)) providers.push_back(p.name);
  }
  validate_models(g, providers, report);
  validate_canaries(g, report);
  validate_prices(g, report);

  if (g.request_timeout <= Millis{0})
    report.add("gateway.request_timeout", "must be greater than 0",
               "the longest a request may take across retries, e.g. 10m");
  for (std::size_t i = 0; i < g.models.size(); ++i)
    if (g.models[i].timeout < Millis{0})
      report.add("gateway.models." + std::to_string(i) + ".timeout", "must not be negative",
                 "omit it to use gateway.request_timeout");

  const RetryConfig& r = g.retry;
  if (r.max_attempts < 1 || r.max_attempts > 10) {
    report.add("gateway.retry.max_attempts",
               "must be between 1 and 10, got " + std::to_string(r.max_attempts),
               "it counts the first try: 1 disables retries, 3 is typical");
  }
  if (r.base_backoff <= Millis{0}) {
    report.add("gateway.retry.base_backoff", "must be greater than 0", "e.g. 100ms");
  }
  if (r.max_backoff <= Millis{0}) {
    report.add("gateway.retry.max_backoff", "must be greater than 0", "e.g. 2s");
  }
  if (r.base_backoff > Millis{0} && r.max_backoff > Millis{0} && r.base_backoff > r.max_backoff) {
    report.add("gateway.retry.base_backoff",
               format_duration(r.base_backoff) + " is greater than gateway.retry.max_backoff (" +
                   format_duration(r.max_backoff) + ")",
               "lower base_backoff or raise max_backoff");
  }
  if (r.budget < Millis{0}) {
    report.add("gateway.retry.budget", "must not be negative",
               "use 0 to retry without waiting, e.g. 15s");
  }

  const CircuitBreakerConfig& cb = g.circuit_breaker;
  if (cb.failure_threshold < 1) {
    report.add("gateway.circuit_breaker.failure_threshold",
               "must be at least 1, got " + std::to_string(cb.failure_threshold), "e.g. 5");
  }
  if (cb.cooldown <= Millis{0}) {
    report.add("gateway.circuit_breaker.cooldown", "must be greater than 0", "e.g. 30s");
  }
  if (cb.half_open_requests < 1) {
    report.add("gateway.circuit_breaker.half_open_requests",
               "must be at least 1, got " + std::to_string(cb.half_open_requests), "e.g. 1");
  }

  if (g.random_seed < GatewayConfig::kNoRandomSeed)
    report.add("gateway.random_seed",
               "must be a non-negative integer, got " + std::to_string(g.random_seed),
               "e.g. 42, or omit it to draw one at start");

  if (g.response_store_max_bytes < (std::size_t{1} << 20))
    report.add("gateway.response_store.max_bytes",
               "must be at least 1MiB, got " + std::to_string(g.response_store_max_bytes),
               "e.g. 64MiB; a response larger than an eighth of it is not stored");
  if (g.response_store_max_entries < 1 || g.response_store_max_entries > 10'000'000)
    report.add(
        "gateway.response_store.max_entries",
        "must be between 1 and 10000000, got " + std::to_string(g.response_store_max_entries),
        "e.g. 100000");
  if (g.rerank_max_documents < 1 || g.rerank_max_documents > 100'000)
    report.add("gateway.rerank.max_documents",
               "must be between 1 and 100000, got " + std::to_string(g.rerank_max_documents),
               "e.g. 1000");

  if (!g.default_provider.empty() && !contains_name(providers, g.default_provider)) {
    report.add("gateway.default_provider",
               "'" + g.default_provider + "' is not a configured provider",
               choose_from(providers, "provider", "gateway.providers") +
                   "; or leave it empty to answer 404 for unknown models");
  }
}

namespace {

void validate_jwt(const JwtConfig& j, Reporter& report) {
  if (j.jwks_file.empty()) return;
  if (j.clock_skew < Millis{0} || j.clock_skew > Millis{600'000})
    report.add("auth.jwt.clock_skew", "must be between 0 and 10m", "e.g. 60s");
  if (j.jwks_refresh < Millis{100})
    report.add("auth.jwt.jwks_refresh", "must be at least 100ms", "e.g. 1s");
  if (j.roles_claim.empty())
    report.add("auth.jwt.roles_claim", "must not be empty",
               "name the claim that lists roles, e.g. roles");
}

void validate_url_ingest(const UrlIngestConfig& u, Reporter& report) {
  for (std::size_t i = 0; i < u.allow_cidrs.size(); ++i)
    if (auto cidr = Cidr::parse(u.allow_cidrs[i]); !cidr)
      report.add("rag.url_ingest.allow_cidrs[" + std::to_string(i) + "]", cidr.error().message,
                 "e.g. 10.20.0.0/16 or fd00::/8");
  for (std::size_t i = 0; i < u.allow_hosts.size(); ++i) {
    const std::string& host = u.allow_hosts[i];
    const bool name_like =
        !host.empty() && host.find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789.-_") == std::string::npos;
    if (!name_like)
      report.add("rag.url_ingest.allow_hosts[" + std::to_string(i) + "]",
                 "'" + host + "' is not a host name", "e.g. wiki.internal.example");
  }
  if (u.timeout <= Millis{0})
    report.add("rag.url_ingest.timeout", "must be greater than 0", "e.g. 30s");
  if (u.max_redirects < 0 || u.max_redirects > 20)
    report.add("rag.url_ingest.max_redirects",
               "must be between 0 and 20, got " + std::to_string(u.max_redirects), "e.g. 5");
}

void validate_rag(const RagConfig& r, Reporter& report) {
  validate_url_ingest(r.url_ingest, report);
  const auto range = [&](const char* path, long long value, long long low, long long high,
                         const char* example) {
    if (value < low || value > high)
      report.add(path,
                 "must be between " + std::to_string(low) + " and " + std::to_string(high) +
                     ", got " + std::to_string(value),
                 example);
  };
  if (r.default_collection.empty())
    report.add("rag.default_collection", "must not be empty", "e.g. default");
  range("rag.workers", r.workers, 0, 256, "e.g. 2; 0 runs no ingestion here");
  range("rag.chunk_target_tokens", r.chunk_target_tokens, 16, 8192, "e.g. 400");
  range("rag.chunk_max_tokens", r.chunk_max_tokens, r.chunk_target_tokens, 16384,
        "at least rag.chunk_target_tokens, e.g. 800");
  range("rag.chunk_overlap_tokens", r.chunk_overlap_tokens, 0, r.chunk_target_tokens / 2,
        "at most half of rag.chunk_target_tokens, e.g. 50");
  range("rag.job_max_attempts", r.job_max_attempts, 1, 100, "e.g. 5");
  range("rag.max_top_k", r.max_top_k, 1, 1000, "e.g. 100");
  range("rag.top_k", r.top_k, 1, r.max_top_k, "e.g. 8, at most rag.max_top_k");
  range("rag.session_turns", r.session_turns, 0, 100, "e.g. 5");
  if (r.max_document_bytes < 1024)
    report.add("rag.max_document_bytes",
               "must be at least 1KiB, got " + std::to_string(r.max_document_bytes), "e.g. 50MiB");
  const std::pair<const char*, Millis> periods[] = {
      {"rag.job_lease", r.job_lease},         {"rag.job_retry_base", r.job_retry_base},
      {"rag.job_retention", r.job_retention}, {"rag.tombstone_retention", r.tombstone_retention},
      {"rag.index_follow", r.index_follow},   {"rag.index_snapshot", r.index_snapshot},
      {"rag.cache_ttl", r.cache_ttl}};
  for (const auto& [path, value] : periods)
    if (value <= Millis{0}) report.add(path, "must be greater than 0", "e.g. 30s");
}

}  // namespace

void validate_budgets(const BudgetsConfig& b, Reporter& report) {
  std::map<std::string, std::size_t> first_with_team;
  for (std::size_t i = 0; i < b.teams.size(); ++i) {
    const TeamBudgetConfig& t = b.teams[i];
    const std::string path = "budgets.teams." + std::to_string(i);
    if (!is_valid_team(t.team)) {
      report.add(path + ".team", "'" + t.team + "' is not a valid team name",
                 "use the team of its virtual keys: 1 to 64 of A-Z a-z 0-9 . _ -");
    } else if (const auto [it, inserted] = first_with_team.emplace(t.team, i); !inserted) {
      report.add(path + ".team",
                 "'" + t.team + "' also has budgets.teams." + std::to_string(it->second),
                 "keep one entry per team");
    }
    for (const auto& [key, value] :
         {std::pair{".daily_usd", t.daily_usd}, std::pair{".monthly_usd", t.monthly_usd}}) {
      if (!(value >= 0 && value <= 1e9))
        report.add(path + key, "must be between 0 and 1e9, got " + number_text(value),
                   "US dollars; 0 for no limit");
    }
  }
  for (std::size_t i = 0; i < b.downgrades.size(); ++i) {
    const BudgetDowngradeConfig& d = b.downgrades[i];
    const std::string path = "budgets.downgrades." + std::to_string(i);
    if (d.model.empty() || d.to.empty() || d.model == d.to)
      report.add(path, "needs a model and a different model to call instead",
                 "e.g. {model: gpt-4o, to: gpt-4o-mini}");
  }
}

void validate(const Config& c, Reporter& report) {
  const ServerConfig& s = c.server;
  if (s.threads < 0 || s.threads > 256) {
    report.add("server.threads", "must be between 0 and 256, got " + std::to_string(s.threads),
               "use 0 for one event loop per core");
  }
  if (s.max_connections < 0) {
    report.add("server.max_connections", "must not be negative",
               "use 0 for the default of 512 per event loop");
  }
  if (s.max_header_bytes < 1024 || s.max_header_bytes > 1024 * 1024) {
    report.add("server.max_header_bytes",
               "must be between 1KiB and 1MiB, got " + std::to_string(s.max_header_bytes),
               "e.g. 16KiB");
  }
  if (s.max_json_values < 1000) {
    report.add("server.max_json_values",
               "must be at least 1000, got " + std::to_string(s.max_json_values),
               "e.g. 1000000 (a million values parse into ~45 MB)");
  }
  if (s.max_body_bytes < 1024) {
    report.add("server.max_body_bytes",
               "must be at least 1KiB, got " + std::to_string(s.max_body_bytes), "e.g. 1MiB");
  }
  if (s.max_model_body_bytes < 1024) {
    report.add("server.max_model_body_bytes",
               "must be at least 1KiB, got " + std::to_string(s.max_model_body_bytes),
               "e.g. 32MiB");
  }
  if (s.max_media_body_bytes < 1024) {
    report.add("server.max_media_body_bytes",
               "must be at least 1KiB, got " + std::to_string(s.max_media_body_bytes),
               "e.g. 64MiB");
  }
  const std::pair<const char*, Millis> timeouts[] = {{"server.header_timeout", s.header_timeout},
                                                     {"server.body_timeout", s.body_timeout},
                                                     {"server.idle_timeout", s.idle_timeout}};
  for (const auto& [path, value] : timeouts) {
    if (value <= Millis{0}) report.add(path, "must be greater than 0", "e.g. 10s");
  }
  if (!c.metrics.path.starts_with('/')) {
    report.add("metrics.path", "must start with '/', got '" + c.metrics.path + "'",
               "e.g. /metrics");
  }
  // The status page owns /ui and everything under it.
  if (c.ui.enabled && c.metrics.enabled &&
      (c.metrics.path == "/ui" || c.metrics.path.starts_with("/ui/"))) {
    report.add("metrics.path",
               "'" + c.metrics.path + "' is where the status page is served (ui.enabled)",
               "choose another path, e.g. /metrics, or set ui.enabled: false");
  }
  validate_budgets(c.budgets, report);
  std::map<std::string, std::size_t> first_with_key;
  for (std::size_t i = 0; i < c.auth.api_keys.size(); ++i) {
    const ApiKeyConfig& k = c.auth.api_keys[i];
    const std::string path = "auth.api_keys." + std::to_string(i);
    if (k.role != "admin" && k.role != "user" && k.role != "readonly" && k.role != "ingest" &&
        k.role != "query") {
      report.add(path + ".role", "unknown role '" + k.role + "'",
                 "use admin, user (ingest and query), ingest, query or readonly");
    }
    if (!k.team.empty() && !is_valid_team(k.team)) {
      report.add(path + ".team", "team '" + k.team + "' is not a valid team name",
                 "use 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (k.key.empty()) {
      report.add(path + ".key", "must not be empty", "set key (from ${VAR}) or key_file");
      continue;
    }
    const auto [it, inserted] = first_with_key.emplace(k.key, i);
    if (!inserted) {
      // Name the other entry, never the key itself.
      report.add(path + ".key", "same key as auth.api_keys." + std::to_string(it->second),
                 "give every API key a distinct value");
    }
  }
  if (c.auth.max_keys < 1 || c.auth.max_keys > 10'000'000) {
    report.add("auth.max_keys",
               "must be between 1 and 10000000, got " + std::to_string(c.auth.max_keys),
               "e.g. 100000");
  }
  if (c.auth.key_refresh < Millis{100}) {
    report.add("auth.key_refresh", "must be at least 100ms", "e.g. 1s");
  }
  if (c.auth.failed_attempts_per_minute < 0)
    report.add("auth.failed_attempts_per_minute", "must be 0 (no limit) or more", "e.g. 60");
  if (c.auth.audit_retention < Millis{3'600'000}) {
    report.add("auth.audit_retention", "must be at least 1h", "e.g. 90d");
  }
  validate_jwt(c.auth.jwt, report);
  for (std::size_t i = 0; i < c.cors.allow_origins.size(); ++i) {
    if (std::optional<std::string> problem = origin_problem(c.cors.allow_origins[i])) {
      report.add("cors.allow_origins." + std::to_string(i),
                 "'" + c.cors.allow_origins[i] + "': " + *problem,
                 "write an origin such as https://app.example.com or http://localhost:3000");
    }
  }
  if (c.storage.data_dir.empty()) {
    report.add("storage.data_dir", "must not be empty", "e.g. ./data");
  }
  validate_rag(c.rag, report);
  validate_gateway(c.gateway, report);
  validate_rate_limits(c, report);
  validate_admission(c, report);
  validate_tracing(c, report);
  validate_egress_proxy(c, report);
}

namespace {

// The last segment of a key path: "key" for "auth.api_keys.0.key".
std::string_view last_segment(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

void check_real_provider(const Config& c, Reporter& report) {
  const auto& providers = c.gateway.providers;
  if (std::any_of(providers.begin(), providers.end(),
                  [](const ProviderConfig& p) { return p.type != "mock"; }))
    return;
  std::string message =
      std::string(to_string(c.profile)) + " refuses to start without a real provider";
  if (!providers.empty()) message += " (the built-in mock only serves fake answers)";
  report.add("gateway.providers", std::move(message),
             "add one under gateway.providers in sluice.yaml, e.g. {name: openai, type: openai, "
             "base_url: https://api.openai.com/v1, api_key: ${OPENAI_API_KEY}}; or set " +
                 std::string(kProviderEnvVars));
}

}  // namespace

void check_profile_rules(const Config& c, const std::vector<InlineSecret>& inline_secrets,
                         Reporter& report) {
  if (c.profile == Profile::dev) return;
  check_real_provider(c, report);
  const std::string profile(to_string(c.profile));
  const JwtConfig& jwt = c.auth.jwt;
  if (c.auth.api_keys.empty() && c.auth.admin_key.empty() && jwt.jwks_file.empty()) {
    report.add("auth.api_keys", profile + " refuses to start without authentication",
               "add an entry under auth.api_keys with key: ${VAR} or key_file, or set "
               "SLUICE_AUTH__API_KEYS__0__KEY, a bootstrap admin key in auth.admin_key, or bearer "
               "JWTs with auth.jwt.jwks_file");
  }
  // Without them, any token of the identity provider, minted for any service, would do.
  if (!jwt.jwks_file.empty() && jwt.issuer.empty())
    report.add("auth.jwt.issuer", profile + " refuses JWTs without an issuer check",
               "set it to the identity provider's iss, e.g. https://login.example.com/");
  if (!jwt.jwks_file.empty() && jwt.audience.empty())
    report.add("auth.jwt.audience", profile + " refuses JWTs without an audience check",
               "set it to the aud your identity provider gives Sluice's tokens");
  if (c.profile != Profile::prod) return;
  const bool any_origin = std::find(c.cors.allow_origins.begin(), c.cors.allow_origins.end(),
                                    "*") != c.cors.allow_origins.end();
  if (any_origin && c.cors.allow_credentials) {
    report.add("cors",
               "allow_origins \"*\" with allow_credentials: true lets any website make "
               "credentialed requests",
               "list the allowed origins explicitly, or set cors.allow_credentials: false");
  }
  for (const InlineSecret& secret : inline_secrets) {
    const std::string file_key = std::string(last_segment(secret.path)) + "_file";
    if (secret.from_default) {
      report.add(secret.path, "the default after :- is written inline in the config file",
                 "put the secret in the environment, or in a file named by " + file_key +
                     "; prod refuses inline secrets");
    } else {
      report.add(secret.path, "secret written inline in the config file",
                 "secrets must come from ${VAR} or " + file_key + " in prod");
    }
  }
}

}  // namespace sluice::core::detail
