#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/admission_config.hpp"
#include "core/proxy_url.hpp"
#include "core/result.hpp"

namespace sluice::core {

using Millis = std::chrono::milliseconds;

enum class Profile { dev, staging, prod };
enum class LogLevel { debug, info, warn, error };
enum class LogFormat { json, text };

struct ServerConfig {
  // "host:port". Default: $PORT on 0.0.0.0 when set (PaaS convention), else 127.0.0.1:8080 in
  // dev and 0.0.0.0:8080 in staging/prod.
  std::string listen;
  std::string host;                          // parsed from listen
  uint16_t port = 0;                         // parsed from listen; 0 = ephemeral
  int threads = 0;                           // event loops; 0 = one per core
  int max_connections = 0;                   // 0 = 512 per event loop (nginx's worker_connections)
  std::size_t max_header_bytes = 16 * 1024;  // -> 431
  std::size_t max_body_bytes = 1024 * 1024;  // -> 413 (nginx's client_max_body_size)
  // Model routes (chat, embeddings, responses, messages): images and long contexts. -> 413
  std::size_t max_model_body_bytes = 32 * 1024 * 1024;
  // Uploads to the image and audio routes (edits, variations, transcriptions, translations),
  // relayed as they arrive, never held whole. -> 413
  std::size_t max_media_body_bytes = 64 * 1024 * 1024;
  // Values (scalars, arrays, objects) a JSON request body may hold: each becomes a node of a
  // parsed document several times the size of its text. -> 400
  int max_json_values = 1'000'000;
  // Where an upload waits, in an unnamed temporary file, until its `model` field has been read
  // (clients may send it after the file); empty = storage.data_dir.
  std::string media_spool_dir;
  Millis header_timeout{10'000};  // whole request head must arrive within this -> 408
  Millis body_timeout{30'000};    // max silence between body reads -> 408
  Millis idle_timeout{60'000};    // keep-alive connection idle before close

  bool operator==(const ServerConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::json;  // text by default in the dev profile
  bool access_log = true;
  // Access-log lines gather per event loop and are written every 250 ms or when this many bytes
  // wait, instead of one write(2) per request (nginx's `access_log ... buffer=`); 0 = unbuffered.
  std::size_t access_log_buffer = 32 * 1024;

  bool operator==(const LogConfig&) const = default;
};

struct MetricsConfig {
  bool enabled = true;
  std::string path = "/metrics";

  bool operator==(const MetricsConfig&) const = default;
};

// The built-in status page at /ui: charts the instance's own metrics, so it needs them enabled.
struct UiConfig {
  bool enabled = true;

  bool operator==(const UiConfig&) const = default;
};

struct ShutdownConfig {
  Millis drain_delay{5'000};  // keep accepting while load balancers notice /readyz = 503
  Millis grace{30'000};       // then wait this long for in-flight requests

  bool operator==(const ShutdownConfig&) const = default;
};

struct ApiKeyConfig {
  std::string name;
  std::string key;  // secret: `key`, `key_file`, or ${VAR}
  std::string role = "user";
  std::string team;             // empty: the config file's keys share one tenant
  int requests_per_minute = 0;  // 0 = rate_limits.key_requests_per_minute
  int tokens_per_minute = 0;    // per model; 0 = rate_limits.key_tokens_per_minute

  bool operator==(const ApiKeyConfig&) const = default;
};

// Bearer JWTs signed by an identity provider, verified against the public keys of a JWKS file.
struct JwtConfig {
  std::string jwks_file;              // empty = JWTs off; re-read when it changes
  std::string issuer;                 // iss must equal this; empty = any (refused outside dev)
  std::string audience;               // aud must hold this; empty = any (refused outside dev)
  Millis clock_skew{60'000};          // leeway for exp, nbf and iat
  Millis jwks_refresh{1'000};         // how often the file is checked for changes
  std::string roles_claim = "roles";  // role names: admin, ingest, query, user
  std::string team_claim = "team";
  std::string collections_claim = "collections";  // empty name = not mapped (any collection)
  std::string models_claim = "models";            // empty name = not mapped (any model)

  bool operator==(const JwtConfig&) const = default;
};

struct AuthConfig {
  std::vector<ApiKeyConfig> api_keys;  // none (and no admin_key) = no authentication until a
                                       // virtual key exists (refused in prod)
  std::string admin_key;     // secret: a bootstrap admin key (`admin_key_file`, ${VAR}); optional
  int max_keys = 100000;     // virtual keys held in memory for authentication
  Millis key_refresh{1000};  // how often the virtual keys other replicas wrote are read
  Millis audit_retention{90LL * 24 * 3600 * 1000};  // audit events older than this are deleted
  int failed_attempts_per_minute = 60;  // per client address; beyond: 429, not audited; 0 = none
  JwtConfig jwt;

  bool operator==(const AuthConfig&) const = default;
};

// A team's spend limits, in US dollars; 0 = none.
struct TeamBudgetConfig {
  std::string team;
  double daily_usd = 0;
  double monthly_usd = 0;

  bool operator==(const TeamBudgetConfig&) const = default;
};

// Over budget, a call of `model` goes to `to` instead of being refused.
struct BudgetDowngradeConfig {
  std::string model;
  std::string to;

  bool operator==(const BudgetDowngradeConfig&) const = default;
};

// Spend limits of virtual keys (set on each key) and of teams, from the gateway's costs.
struct BudgetsConfig {
  std::vector<TeamBudgetConfig> teams;
  std::vector<BudgetDowngradeConfig> downgrades;

  bool operator==(const BudgetsConfig&) const = default;
};

struct CorsConfig {
  std::vector<std::string> allow_origins;  // empty = CORS off; "*" = any origin
  bool allow_credentials = false;
  Millis max_age{600'000};

  bool operator==(const CorsConfig&) const = default;
};

// A requests-per-minute limit on one route template, shared by every caller of it.
struct RouteRateLimitConfig {
  std::string route;  // the route template as the router names it, e.g. /v1/chat/completions
  int requests_per_minute = 0;

  bool operator==(const RouteRateLimitConfig&) const = default;
};

// Rate limits (GCRA). Every limit is per minute; 0 = none.
struct RateLimitConfig {
  int key_requests_per_minute = 0;      // per API key, for keys that set no limit of their own
  int key_tokens_per_minute = 0;        // per API key and model, likewise
  int address_requests_per_minute = 0;  // per client IP address, on /v1 and /query
  std::vector<RouteRateLimitConfig> routes;
  // How much of a limit may be spent at once from idle, as a span of its rate: 1m = a whole
  // minute's worth (OpenAI's behaviour), 1s = one second's worth (at least one request).
  Millis burst{60'000};
  // Completion tokens reserved for a request that sets no max_tokens, until its usage is known.
  int default_completion_tokens = 1024;
  int max_tracked = 100'000;  // limited keys, addresses and models held at once

  bool operator==(const RateLimitConfig&) const = default;
};

struct StorageConfig {
  std::string data_dir = "./data";

  bool operator==(const StorageConfig&) const = default;
};

// Documents fetched from a URL ({"url": ...} on the documents endpoint). Public addresses are
// fetched; loopback, private, link-local, metadata and reserved ones only when allowed here.
struct UrlIngestConfig {
  bool enabled = true;
  std::vector<std::string> allow_cidrs;  // e.g. 10.20.0.0/16 for an intranet wiki
  std::vector<std::string> allow_hosts;  // names that may resolve to any address
  Millis timeout{30'000};                // the whole fetch, redirects included
  int max_redirects = 5;

  bool operator==(const UrlIngestConfig&) const = default;
};

// Retrieval-augmented answers: ingestion, indexes, answers, cache and sessions.
struct RagConfig {
  std::string default_collection = "default";  // for POST /query and `sluice ingest` by default
  std::string answer_model;     // model or alias that answers /v1/query; empty = extractive answers
  std::string embedding_model;  // default for new collections; empty = dense retrieval off
  int workers = 2;              // ingestion workers per `serve`/`worker` process; 0 = none
  std::size_t max_document_bytes = std::size_t{50} << 20;  // one uploaded document
  int chunk_target_tokens = 400;
  int chunk_overlap_tokens = 50;
  int chunk_max_tokens = 800;
  int job_max_attempts = 5;      // then the job is dead (a dead letter an admin may retry)
  Millis job_lease{60'000};      // a crashed worker's job is taken again after this
  Millis job_retry_base{1'000};  // backoff after a failed attempt: base * 2^(attempt-1), <= 5 min
  Millis job_retention{7 * 24 * 3'600'000LL};  // finished jobs are deleted this long after they end
  // Removed documents' tombstones (the change log's deletes) are deleted this long after.
  Millis tombstone_retention{7 * 24 * 3'600'000LL};
  Millis index_follow{1'000};     // how often indexes catch up with changes made elsewhere
  Millis index_snapshot{30'000};  // at most one index snapshot per collection this often
  int top_k = 8;                  // passages an answer is built from, unless the request says
  int max_top_k = 100;
  int session_turns = 5;  // turns of a session that condense into the next query
  std::size_t cache_max_bytes = std::size_t{64} << 20;  // exact answer cache; 0 = off
  Millis cache_ttl{600'000};
  bool snapshots = true;       // index snapshots under data_dir/indexes for fast restarts
  UrlIngestConfig url_ingest;  // its size limit is max_document_bytes

  bool operator==(const RagConfig&) const = default;
};

// How calls to one upstream leave the process: through an egress proxy or direct, and which
// setting decided it (for logs and `sluice check`). Derived at load, never a key.
struct EgressRoute {
  std::optional<ProxyUrl> proxy;  // nullopt = direct
  std::string decided_by;         // e.g. "egress_proxy.url", "HTTPS_PROXY", "NO_PROXY entry .corp"

  bool operator==(const EgressRoute&) const = default;
};

// Request parameters a model rejects, changed before the body goes to the provider: members of
// the client's request dropped or renamed, for every upstream model the pattern matches.
struct ParamRuleConfig {
  std::string models;                         // a pattern of the upstream model id; '*': any run
  std::vector<std::string> drop;              // members removed
  std::map<std::string, std::string> rename;  // member -> new name (an existing new one wins)

  bool operator==(const ParamRuleConfig&) const = default;
};

struct ProviderConfig {
  std::string name;  // referenced by deployments and by "name/model" model ids
  // openai (any OpenAI-compatible API) | azure (Azure OpenAI) | anthropic | mock
  std::string type = "openai";
  std::string base_url;  // e.g. https://api.openai.com/v1; empty for mock
  std::string api_key;   // secret: api_key, api_key_file or ${VAR}
  std::string ca_file;   // PEM bundle to trust instead of the system CAs (private PKI)
  // azure only: the api-version query parameter; empty = kDefaultAzureApiVersion.
  std::string api_version;
  // Header lines sent with every request to this provider (OpenAI-Organization, ...); values
  // may come from ${VAR} or a `<name>_file`, and are printed as secrets.
  std::map<std::string, std::string> headers;
  std::vector<ParamRuleConfig> param_rules;  // applied after the built-in ones
  // openai and azure: OpenAI's reasoning models (o1, o3, o4-mini, gpt-5...) get max_tokens
  // renamed and the sampling parameters they reject dropped.
  bool builtin_param_rules = true;
  // An egress proxy URL for this provider alone, or "none" (direct); wins over egress_proxy and
  // the environment. Empty = egress_proxy's choice.
  std::string egress_proxy;
  EgressRoute egress;  // derived at load from the above, egress_proxy and the environment
  Millis connect_timeout{5'000};
  Millis first_byte_timeout{60'000};  // request sent -> first response byte
  Millis idle_timeout{30'000};        // longest silence between streamed chunks
  Millis total_timeout{600'000};      // whole exchange
  // Pass the client's x-mock-* headers upstream (fault injection through the gateway, for tests
  // against `sluice mock-upstream`). Off by default so that production never forwards them.
  bool forward_mock_headers = false;
  // mock only: deterministic answers with configurable latency and faults.
  Millis mock_latency{0};
  double mock_error_rate = 0;
  int mock_error_status = 500;
  int mock_chunks = 8;

  bool operator==(const ProviderConfig&) const = default;
};

// The Azure OpenAI API version sent when a provider sets none: the latest GA version of the
// deployment-based inference API (stream_options, max_completion_tokens).
inline constexpr const char* kDefaultAzureApiVersion = "2024-10-21";

struct DeploymentConfig {
  std::string provider;  // a ProviderConfig name
  std::string model;     // the upstream's model id
  int weight = 1;        // for weighted routing
  int priority = 0;      // lower is tried first; higher priorities are fallbacks
  std::string region;    // a tag for routing and logs

  bool operator==(const DeploymentConfig&) const = default;
};

// When a canary's candidate is taken out of rotation: its `metric` over the last `window` is
// above `threshold` (and above the baseline's over the same window, when the baseline had
// `min_requests` there too), once the candidate had at least `min_requests` in the window.
struct CanaryRollbackConfig {
  std::string metric;     // error_rate | p99_latency | ttft_p99; empty = no automatic rollback
  std::string threshold;  // error_rate: a share (0.05); the latencies: a duration (2s, 800ms)
  Millis window{300'000};
  int min_requests = 50;

  bool operator==(const CanaryRollbackConfig&) const = default;
};

// A candidate version of a model alias: another alias (its own deployments) that serves
// `weight` of this alias' chat requests until it is rolled back.
struct CanaryConfig {
  std::string alias;  // the candidate, a configured alias; empty = no canary
  double weight = 0;  // the share of requests it serves, 0 to 1
  CanaryRollbackConfig rollback;

  bool operator==(const CanaryConfig&) const = default;
};

// The rollback threshold as a number: a share for error_rate, seconds for the latencies;
// nullopt when `threshold` does not fit `metric` (or the metric is unknown).
std::optional<double> canary_threshold(const CanaryRollbackConfig& rollback);

struct ModelAliasConfig {
  std::string alias;                  // the model name clients send
  std::string strategy = "weighted";  // weighted | least_outstanding | lowest_latency
  std::vector<DeploymentConfig> deployments;
  std::vector<std::string> fallbacks;  // other aliases, tried when every deployment failed
  Millis timeout{0};  // whole-request deadline for this alias; 0 = gateway.request_timeout
  CanaryConfig canary;

  bool operator==(const ModelAliasConfig&) const = default;
};

struct PriceConfig {
  std::string model;  // upstream model id (or alias)
  double input_per_million = 0;
  double output_per_million = 0;
  double cached_input_per_million = 0;  // cache reads; 0 = the input price
  double cache_write_per_million = 0;   // cache writes (Anthropic's 5-minute); 0 = the input price
  // Anthropic's 1-hour cache writes; 0 = twice the input price (Anthropic's multiplier).
  double cache_write_1h_per_million = 0;

  bool operator==(const PriceConfig&) const = default;
};

struct RetryConfig {
  int max_attempts = 3;  // per request, across deployments and fallbacks
  Millis base_backoff{100};
  Millis max_backoff{2'000};
  Millis budget{15'000};  // total time a request may spend waiting between attempts

  bool operator==(const RetryConfig&) const = default;
};

struct CircuitBreakerConfig {
  int failure_threshold = 5;   // consecutive failures that open the circuit
  Millis cooldown{30'000};     // open -> half-open after this
  int half_open_requests = 1;  // probes allowed while half-open

  bool operator==(const CircuitBreakerConfig&) const = default;
};

struct GatewayConfig {
  std::vector<ProviderConfig> providers;
  std::vector<ModelAliasConfig> models;
  std::vector<PriceConfig> prices;
  RetryConfig retry;
  CircuitBreakerConfig circuit_breaker;
  // Serves model names that are neither aliases nor "provider/model"; empty = 404 for those.
  std::string default_provider;
  // Whole-request deadline across attempts and backoff, streams included (clients may shorten it
  // with the x-sluice-timeout-ms header).
  Millis request_timeout{600'000};
  // How often each provider's upstream model list is fetched again; 0 = never fetched.
  Millis models_refresh{600'000};
  // The Responses API's store (in process): beyond these, the least recently used response goes.
  std::size_t response_store_max_bytes = std::size_t{64} << 20;
  int response_store_max_entries = 100'000;
  // Documents one POST /v1/rerank may rank.
  int rerank_max_documents = 1000;
  // The seed of the balancer's random picks and the retry jitter, so that a run's decisions can
  // be replayed (`sluice simulate`); kNoRandomSeed: drawn from the OS at start (and logged).
  static constexpr long long kNoRandomSeed = -1;
  long long random_seed = kNoRandomSeed;

  bool operator==(const GatewayConfig&) const = default;
};

// OTLP/HTTP export of traces; off while no endpoint is set. OpenTelemetry's standard variables
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...) fill the keys the configuration leaves
// unset.
struct TracingConfig {
  std::string endpoint;         // the collector's base URL: spans go to {endpoint}/v1/traces
  std::string traces_endpoint;  // the full URL of the traces endpoint, used as is; wins
  std::string service_name = "sluice";
  std::string headers;  // secret: "name=value,name2=value2" (the collector's credentials)
  Millis timeout{10'000};
  std::string sampler = "parentbased_always_on";
  double sampler_arg = 1.0;
  int queue_size = 2048;
  int batch_size = 512;
  Millis batch_delay{1'000};

  EgressRoute egress;  // derived at load: exports follow egress_proxy like provider calls

  bool enabled() const { return !endpoint.empty() || !traces_endpoint.empty(); }
  // Where spans are posted: traces_endpoint, else endpoint + "/v1/traces".
  std::string traces_url() const;

  bool operator==(const TracingConfig&) const = default;
};

// OTEL_EXPORTER_OTLP_HEADERS' format, "name=value,name2=value2" (values percent-decoded), as
// request header lines "name: value\r\n"; nullopt when an entry has no name or a name or value
// would break the header.
std::optional<std::string> otlp_header_lines(std::string_view headers);

// The corporate HTTP proxy that outbound calls (providers, trace exports) go through. The keys
// win over the standard variables, which fill what they leave unset: https_proxy / HTTPS_PROXY
// for https upstreams, http_proxy / HTTP_PROXY for http ones, no_proxy / NO_PROXY (lower case
// first, as curl, wget and Python read them).
struct EgressProxyConfig {
  std::string url;  // http://[user[:password]@]host:port for both schemes; "none" = direct
  std::vector<std::string> no_proxy;  // hosts reached directly (NO_PROXY's syntax, no_proxy.hpp)
  std::string password;  // secret (password_file): the password of the proxy URL's user

  // Derived at load, not keys: the proxy URL for https and for http upstreams ("" = direct),
  // and where each came from ("egress_proxy.url" or the variable's name).
  std::string https_url, http_url;
  std::string https_from, http_from;
  std::vector<std::string> no_proxy_hosts;  // no_proxy, or the variable's entries
  std::string no_proxy_from;

  bool operator==(const EgressProxyConfig&) const = default;
};

// Where a secret's value came from, so that the printed config can say it without the value.
struct SecretSource {
  enum class Kind { env_var, file };
  Kind kind = Kind::env_var;
  std::string ref;  // the variable's name, or the file's path

  bool operator==(const SecretSource&) const = default;
};

struct Config {
  Profile profile = Profile::dev;
  ServerConfig server;
  LogConfig log;
  MetricsConfig metrics;
  UiConfig ui;
  ShutdownConfig shutdown;
  AuthConfig auth;
  BudgetsConfig budgets;
  CorsConfig cors;
  RateLimitConfig rate_limits;
  StorageConfig storage;
  RagConfig rag;
  GatewayConfig gateway;
  AdmissionConfig admission;
  TracingConfig tracing;
  EgressProxyConfig egress_proxy;
  // Secret key path (e.g. "auth.api_keys.0.key") -> its source; absent = written inline.
  std::map<std::string, SecretSource> secret_sources;

  bool operator==(const Config&) const = default;
};

// One problem found while loading: the key path (e.g. "server.listen"), what is wrong, and how
// to fix it.
struct ConfigError {
  std::string path;
  std::string message;
  std::string fix;

  bool operator==(const ConfigError&) const = default;
};

struct ConfigSource {
  std::string file;                              // YAML path; empty = defaults + env only
  std::map<std::string, std::string> env;        // the process environment (a snapshot, for tests)
  std::map<std::string, std::string> overrides;  // key path -> value, from CLI flags; win over all
};

// Loads YAML, applies SLUICE_* env overrides and CLI overrides, interpolates ${VAR}, reads
// *_file secrets, applies the profile's defaults and validates. Returns every problem found, not
// just the first. When `file` is empty, env SLUICE_CONFIG (if set) names the file. Precedence:
// profile defaults < file < SLUICE_<SECTION>__<KEY> env < overrides; ${VAR} is expanded in every
// string afterwards, env-provided ones included ($$ is a literal $).
Result<Config, std::vector<ConfigError>> load_config(const ConfigSource& source);

// The effective configuration as YAML without any secret: a secret read from a file shows as
// `<name>_file: PATH`, one from the environment as `${VAR}`, an inline one as "<redacted>"; the
// password of a URL's user info is redacted too.
std::string render_effective_config(const Config& config);

// Snapshot of environ, for ConfigSource::env.
std::map<std::string, std::string> process_environment();

std::string_view to_string(Profile profile);
std::string_view to_string(LogLevel level);
std::string_view to_string(LogFormat format);

// One line for humans: "server.threads: expected an integer, got 'abc' (fix: ...)".
std::string to_string(const ConfigError& error);

}  // namespace sluice::core
