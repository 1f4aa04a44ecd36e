#include "core/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config_fixture.hpp"

namespace sluice::core {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

using ConfigTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

// Staging and prod refuse to start without a real provider: a keyless one from the environment.
const std::pair<const std::string, std::string> kRealProvider{"OPENAI_BASE_URL",
                                                              "http://127.0.0.1:8000/v1"};

// ----- defaults and basic loading -------------------------------------------------------------

TEST_F(ConfigTest, NoFileGivesDevDefaults) {
  auto r = load_config(ConfigSource{});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->profile, Profile::dev);
  EXPECT_EQ(r->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(r->server.host, "127.0.0.1");
  EXPECT_EQ(r->server.port, 8080);
  EXPECT_EQ(r->log.format, LogFormat::text);
  EXPECT_EQ(r->shutdown.drain_delay, milliseconds(0));
  EXPECT_EQ(r->shutdown.grace, milliseconds(10'000));
  EXPECT_EQ(r->server.max_header_bytes, 16u * 1024u);
  EXPECT_EQ(r->server.max_json_values, 1'000'000);
  EXPECT_TRUE(r->auth.api_keys.empty());
}

TEST_F(ConfigTest, EmptyFileIsAllDefaults) {
  auto r = load("# nothing here\n");
  ASSERT_LOADS(r);
  EXPECT_EQ(r->server.port, 8080);
}

// The store's history and the index snapshots: how long, how often; never zero.
TEST_F(ConfigTest, RagRetentionsAndSnapshotIntervalAreDurations) {
  auto r = load("rag: {tombstone_retention: 2d, index_snapshot: 5s}\n");
  ASSERT_LOADS(r);
  EXPECT_EQ(r->rag.tombstone_retention, milliseconds(2 * 24 * 3'600'000LL));
  EXPECT_EQ(r->rag.index_snapshot, milliseconds(5'000));
  auto defaults = load("");
  ASSERT_LOADS(defaults);
  EXPECT_EQ(defaults->rag.tombstone_retention, milliseconds(7 * 24 * 3'600'000LL));
  EXPECT_EQ(defaults->rag.index_snapshot, milliseconds(30'000));
  auto zero = load("rag: {tombstone_retention: 0s, index_snapshot: 0ms}\n");
  EXPECT_ERROR_AT(zero, "rag.tombstone_retention", "must be greater than 0");
  EXPECT_ERROR_AT(zero, "rag.index_snapshot", "must be greater than 0");
}

// URL ingestion: on by default with no allow-list; ranges and host names are checked by name.
TEST_F(ConfigTest, RagUrlIngestAllowListsAreValidated) {
  auto defaults = load("");
  ASSERT_LOADS(defaults);
  EXPECT_TRUE(defaults->rag.url_ingest.enabled);
  EXPECT_TRUE(defaults->rag.url_ingest.allow_cidrs.empty());
  EXPECT_EQ(defaults->rag.url_ingest.max_redirects, 5);
  auto r = load(
      "rag:\n  url_ingest:\n    allow_cidrs: [10.20.0.0/16, 'fd00::/8']\n"
      "    allow_hosts: [wiki.internal]\n    timeout: 5s\n    max_redirects: 2\n");
  ASSERT_LOADS(r);
  EXPECT_EQ(r->rag.url_ingest.allow_cidrs.size(), 2u);
  EXPECT_EQ(r->rag.url_ingest.timeout, milliseconds(5'000));
  auto bad = load(
      "rag:\n  url_ingest:\n    allow_cidrs: [10.0.0.0/8, 10.0.0.0/33]\n"
      "    allow_hosts: ['http://wiki/']\n    timeout: 0s\n    max_redirects: 50\n");
  EXPECT_ERROR_AT(bad, "rag.url_ingest.allow_cidrs[1]", "bad prefix length");
  EXPECT_ERROR_AT(bad, "rag.url_ingest.allow_hosts[0]", "not a host name");
  EXPECT_ERROR_AT(bad, "rag.url_ingest.timeout", "must be greater than 0");
  EXPECT_ERROR_AT(bad, "rag.url_ingest.max_redirects", "between 0 and 20");
}

TEST_F(ConfigTest, ReadsEveryKindOfValue) {
  auto r = load(R"(
server:
  listen: "[::1]:9000"
  threads: 4
  max_connections: 100
  max_header_bytes: 32KiB
  max_body_bytes: 2MiB
  max_json_values: 50000
  header_timeout: 250ms
  body_timeout: 1m
  idle_timeout: 90
log:
  level: debug
  format: json
  access_log: off
metrics:
  enabled: no
  path: /internal/metrics
shutdown:
  drain_delay: 2s
  grace: 1h
auth:
  api_keys:
    - name: ops
      key: ${OPS_KEY}
      role: admin
    - name: app
      key: ${APP_KEY}
cors:
  allow_origins: ["https://app.example.com", "http://localhost:3000"]
  allow_credentials: true
  max_age: 10m
storage:
  data_dir: /var/lib/sluice
)",
                {{"OPS_KEY", "k-ops"}, {"APP_KEY", "k-app"}});
  ASSERT_LOADS(r);
  const Config& c = *r;
  EXPECT_EQ(c.server.host, "::1");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.server.threads, 4);
  EXPECT_EQ(c.server.max_connections, 100);
  EXPECT_EQ(c.server.max_header_bytes, 32u * 1024u);
  EXPECT_EQ(c.server.max_body_bytes, 2u * 1024u * 1024u);
  EXPECT_EQ(c.server.max_json_values, 50000);
  EXPECT_EQ(c.server.header_timeout, milliseconds(250));
  EXPECT_EQ(c.server.body_timeout, milliseconds(60'000));
  EXPECT_EQ(c.server.idle_timeout, milliseconds(90'000));
  EXPECT_EQ(c.log.level, LogLevel::debug);
  EXPECT_EQ(c.log.format, LogFormat::json);
  EXPECT_FALSE(c.log.access_log);
  EXPECT_FALSE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.path, "/internal/metrics");
  EXPECT_EQ(c.shutdown.drain_delay, milliseconds(2'000));
  EXPECT_EQ(c.shutdown.grace, milliseconds(3'600'000));
  ASSERT_EQ(c.auth.api_keys.size(), 2u);
  EXPECT_EQ(c.auth.api_keys[0].name, "ops");
  EXPECT_EQ(c.auth.api_keys[0].key, "k-ops");
  EXPECT_EQ(c.auth.api_keys[0].role, "admin");
  EXPECT_EQ(c.auth.api_keys[1].role, "user");
  EXPECT_EQ(c.cors.allow_origins,
            (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));
  EXPECT_TRUE(c.cors.allow_credentials);
  EXPECT_EQ(c.cors.max_age, milliseconds(600'000));
  EXPECT_EQ(c.storage.data_dir, "/var/lib/sluice");
}

TEST_F(ConfigTest, SluiceConfigEnvNamesTheFile) {
  ConfigSource source;
  source.env = {{"SLUICE_CONFIG", write("other.yaml", "server:\n  threads: 3\n")}};
  auto r = load_config(source);
  ASSERT_LOADS(r);
  EXPECT_EQ(r->server.threads, 3);
}

// ----- file errors ----------------------------------------------------------------------------

TEST_F(ConfigTest, MissingFileIsAnErrorNamingTheFile) {
  ConfigSource source;
  source.file = (dir_ / "nope.yaml").string();
  auto r = load_config(source);
  EXPECT_ERROR_AT(r, source.file, "No such file");
}

TEST_F(ConfigTest, DirectoryIsAnUnreadableFile) {
  ConfigSource source;
  source.file = dir_.string();
  auto r = load_config(source);
  EXPECT_ERROR_AT(r, source.file, "directory");
}

TEST_F(ConfigTest, YamlSyntaxErrorNamesFileAndLine) {
  auto r = load("server:\n  listen: 1.2.3.4:80\n  threads: [1, 2\nlog:\n  level: info\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().size(), 1u) << describe(r.error());
  const std::string text = to_string(r.error()[0]);
  EXPECT_TRUE(contains(text, "sluice.yaml:")) << text;
  EXPECT_TRUE(contains(text, "line ")) << text;
}

TEST_F(ConfigTest, TopLevelMustBeAMapping) {
  auto r = load("- a\n- b\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(describe(r.error()), "mapping")) << describe(r.error());
}

TEST_F(ConfigTest, AliasReferringToItselfIsAnErrorNotACrash) {
  auto r = load("server: &loop [*loop]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(describe(r.error()), "nested too deep")) << describe(r.error());
}

TEST_F(ConfigTest, AliasesThatMultiplyAreBounded) {
  // Each level repeats the one before ten times: 10^6 nodes once expanded.
  std::string yaml = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 5; ++level) {
    const std::string previous = "*l" + std::to_string(level - 1);
    yaml += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) yaml += (i ? ", " : "") + previous;
    yaml += "]\n";
  }
  auto r = load(yaml);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(describe(r.error()), "too large")) << describe(r.error());
}

TEST_F(ConfigTest, DuplicateKeyIsAnError) {
  auto r = load("server:\n  threads: 1\n  threads: 2\n");
  EXPECT_ERROR_AT(r, "server.threads", "duplicate");
}

// ----- unknown keys and types -----------------------------------------------------------------

TEST_F(ConfigTest, UnknownKeyWithSuggestion) {
  auto r = load("server:\n  listne: 127.0.0.1:1\n");
  EXPECT_ERROR_AT(r, "server.listne", "unknown key");
  EXPECT_ERROR_AT(r, "server.listne", "did you mean server.listen?");
  EXPECT_ERROR_AT(r, "server.listne", "sluice.yaml:2");
}

TEST_F(ConfigTest, UnknownKeysAtEveryLevel) {
  auto r = load(R"(
servre: {}
auth:
  api_keys:
    - name: a
      key: ${K}
      rol: admin
    - name: b
      key: ${K}
      rloe: user
cors:
  zzzzzz: 1
)",
                {{"K", "x"}});
  EXPECT_ERROR_AT(r, "servre", "did you mean server?");
  EXPECT_ERROR_AT(r, "auth.api_keys.0.rol", "did you mean auth.api_keys.0.role?");
  EXPECT_ERROR_AT(r, "auth.api_keys.1.rloe", "did you mean auth.api_keys.1.role?");
  EXPECT_ERROR_AT(r, "cors.zzzzzz", "unknown key");
  EXPECT_FALSE(contains(to_string(*error_at(r.error(), "cors.zzzzzz")), "did you mean"));
}

TEST_F(ConfigTest, WrongTypesNameThePathAndTheValue) {
  auto r = load(R"(
server:
  threads: abc
  max_body_bytes: lots
  idle_timeout: -5s
  listen: [1, 2]
log:
  level: loud
  access_log: maybe
metrics: 5
cors:
  allow_origins: "*"
)");
  EXPECT_ERROR_AT(r, "server.threads", "server.threads: expected an integer, got 'abc'");
  EXPECT_ERROR_AT(r, "server.max_body_bytes", "'lots'");
  EXPECT_ERROR_AT(r, "server.idle_timeout", "negative");
  EXPECT_ERROR_AT(r, "server.listen", "expected a string, got a list");
  EXPECT_ERROR_AT(r, "log.level", "'loud'");
  EXPECT_ERROR_AT(r, "log.access_log", "'maybe'");
  EXPECT_ERROR_AT(r, "metrics", "expected a mapping");
  EXPECT_ERROR_AT(r, "cors.allow_origins", "expected a list");
}

TEST_F(ConfigTest, CollectsAllErrorsNotJustTheFirst) {
  auto r = load("server:\n  threads: x\n  max_connections: y\nlog:\n  level: z\n");
  ASSERT_FALSE(r.ok());
  EXPECT_GE(r.error().size(), 3u) << describe(r.error());
}

TEST_F(ConfigTest, NullValueIsAnError) {
  auto r = load("server:\n  listen:\n");
  EXPECT_ERROR_AT(r, "server.listen", "got nothing");
}

TEST_F(ConfigTest, EmptySectionIsFine) {
  auto r = load("server:\nlog:\n");
  ASSERT_LOADS(r);
}

// ----- env overrides --------------------------------------------------------------------------

TEST_F(ConfigTest, EnvOverridesFileValues) {
  auto r = load("server:\n  threads: 2\nlog:\n  level: info\n",
                {{"SLUICE_SERVER__THREADS", "8"},
                 {"SLUICE_LOG__LEVEL", "error"},
                 {"SLUICE_SERVER__LISTEN", ":9999"},
                 {"SLUICE_CORS__ALLOW_ORIGINS", "https://a.example, https://b.example"},
                 {"SLUICE_CORS__ALLOW_CREDENTIALS", "yes"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->server.threads, 8);
  EXPECT_EQ(r->log.level, LogLevel::error);
  EXPECT_EQ(r->server.host, "0.0.0.0");
  EXPECT_EQ(r->server.port, 9999);
  EXPECT_EQ(r->cors.allow_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_TRUE(r->cors.allow_credentials);
}

TEST_F(ConfigTest, EnvIndexesLists) {
  auto r = load("auth:\n  api_keys:\n    - name: first\n      key: ${K}\n",
                {{"K", "k0"},
                 {"SLUICE_AUTH__API_KEYS__0__ROLE", "admin"},
                 {"SLUICE_AUTH__API_KEYS__1__NAME", "second"},
                 {"SLUICE_AUTH__API_KEYS__1__KEY", "k1"},
                 {"SLUICE_CORS__ALLOW_ORIGINS__0", "https://x.example"}});
  ASSERT_LOADS(r);
  ASSERT_EQ(r->auth.api_keys.size(), 2u);
  EXPECT_EQ(r->auth.api_keys[0].name, "first");
  EXPECT_EQ(r->auth.api_keys[0].role, "admin");
  EXPECT_EQ(r->auth.api_keys[1].name, "second");
  EXPECT_EQ(r->auth.api_keys[1].key, "k1");
  EXPECT_EQ(r->cors.allow_origins, std::vector<std::string>{"https://x.example"});
}

TEST_F(ConfigTest, EnvListGapIsAnError) {
  auto r = load("", {{"SLUICE_AUTH__API_KEYS__1__KEY", "k1"}});
  EXPECT_ERROR_AT(r, "auth.api_keys.0", "SLUICE_AUTH__API_KEYS__1__KEY");
  EXPECT_ERROR_AT(r, "auth.api_keys.0", "missing list entry");
}

TEST_F(ConfigTest, UnknownEnvKeyNamesTheVariable) {
  auto r = load("", {{"SLUICE_SERVER__LISTNE", "1.2.3.4:80"}});
  EXPECT_ERROR_AT(r, "SLUICE_SERVER__LISTNE", "server.listne");
  EXPECT_ERROR_AT(r, "SLUICE_SERVER__LISTNE", "did you mean SLUICE_SERVER__LISTEN?");
}

TEST_F(ConfigTest, SingleUnderscoreEnvGetsASuggestion) {
  auto r = load("", {{"SLUICE_SERVER_THREADS", "2"}});
  EXPECT_ERROR_AT(r, "SLUICE_SERVER_THREADS", "did you mean SLUICE_SERVER__THREADS?");
}

TEST_F(ConfigTest, UnrelatedSingleLevelSluiceVariablesAreNotKeys) {
  // Scripts and images set variables like these; they name no key and resemble none.
  auto r = load("", {{"SLUICE_BIN", "/usr/bin/sluice"}, {"SLUICE_VERSION", "1.2.3"}});
  ASSERT_LOADS(r);
}

TEST_F(ConfigTest, UnknownEnvKeyInsideListKeepsIndex) {
  auto r = load("", {{"SLUICE_AUTH__API_KEYS__3__KYE", "x"}});
  EXPECT_ERROR_AT(r, "SLUICE_AUTH__API_KEYS__3__KYE", "SLUICE_AUTH__API_KEYS__3__KEY");
}

TEST_F(ConfigTest, SluiceConfigAndSluiceEnvAreNotKeys) {
  ConfigSource source;
  source.env = {{"SLUICE_ENV", "dev"}, {"SLUICE_CONFIG", ""}, {"UNRELATED", "x"}};
  auto r = load_config(source);
  ASSERT_LOADS(r);
}

TEST_F(ConfigTest, EnvTypeErrorNamesTheVariable) {
  auto r = load("", {{"SLUICE_SERVER__THREADS", "many"}});
  EXPECT_ERROR_AT(r, "server.threads", "SLUICE_SERVER__THREADS");
  EXPECT_ERROR_AT(r, "server.threads", "'many'");
}

TEST_F(ConfigTest, MalformedEnvNameIsAnError) {
  auto r = load("", {{"SLUICE_SERVER____THREADS", "2"}});
  EXPECT_ERROR_AT(r, "SLUICE_SERVER____THREADS", "not a valid key path");
}

// ----- CLI overrides --------------------------------------------------------------------------

TEST_F(ConfigTest, OverridesWinOverEnvAndFile) {
  auto r = load("server:\n  threads: 2\n", {{"SLUICE_SERVER__THREADS", "3"}},
                {{"server.threads", "4"}, {"server.listen", "127.0.0.1:7000"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->server.threads, 4);
  EXPECT_EQ(r->server.port, 7000);
}

TEST_F(ConfigTest, UnknownOverrideIsAnError) {
  auto r = load("", {}, {{"server.listne", "x"}});
  EXPECT_ERROR_AT(r, "server.listne", "did you mean server.listen?");
}

// ----- interpolation --------------------------------------------------------------------------

TEST_F(ConfigTest, InterpolatesVariablesDefaultsAndEscapes) {
  auto r = load(R"(
server:
  listen: "${HOST}:${APP_PORT:-7070}"
storage:
  data_dir: "/data/$${literal}/${EMPTY:-fallback}/${SET_EMPTY}x/$HOME"
metrics:
  path: ${METRICS_PATH:-/metrics}
)",
                {{"HOST", "10.0.0.1"}, {"EMPTY", ""}, {"SET_EMPTY", ""}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->server.host, "10.0.0.1");
  EXPECT_EQ(r->server.port, 7070);
  EXPECT_EQ(r->storage.data_dir, "/data/${literal}/fallback/x/$HOME");
  EXPECT_EQ(r->metrics.path, "/metrics");
}

TEST_F(ConfigTest, UnsetVariableNamesKeyAndVariable) {
  auto r = load("storage:\n  data_dir: ${DATA_HOME}/sluice\n");
  EXPECT_ERROR_AT(r, "storage.data_dir", "DATA_HOME");
}

TEST_F(ConfigTest, UnsetVariableInsideListNamesTheIndex) {
  auto r = load("cors:\n  allow_origins:\n    - https://ok.example\n    - ${FRONTEND}\n");
  EXPECT_ERROR_AT(r, "cors.allow_origins.1", "FRONTEND");
}

TEST_F(ConfigTest, MalformedInterpolationIsAnError) {
  auto r = load("storage:\n  data_dir: \"${UNCLOSED\"\nmetrics:\n  path: \"${1BAD}\"\n");
  EXPECT_ERROR_AT(r, "storage.data_dir", "unterminated");
  EXPECT_ERROR_AT(r, "metrics.path", "invalid variable name");
}

TEST_F(ConfigTest, InterpolationAppliesToEnvOverrides) {
  auto r = load("", {{"SLUICE_STORAGE__DATA_DIR", "${BASE}/d"}, {"BASE", "/srv"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->storage.data_dir, "/srv/d");
}

// ----- secrets from files ---------------------------------------------------------------------

TEST_F(ConfigTest, KeyFileReadsAndTrimsTrailingNewline) {
  const std::string secret = write("api.key", "s3cr3t-from-file\n");
  auto r = load("auth:\n  api_keys:\n    - name: a\n      key_file: " + secret + "\n");
  ASSERT_LOADS(r);
  ASSERT_EQ(r->auth.api_keys.size(), 1u);
  EXPECT_EQ(r->auth.api_keys[0].key, "s3cr3t-from-file");
}

TEST_F(ConfigTest, KeyFilePathMayBeInterpolatedOrFromEnv) {
  const std::string secret = write("api.key", "from-env-file\r\n");
  auto r = load("", {{"SECRETS", dir_.string()},
                     {"SLUICE_AUTH__API_KEYS__0__KEY_FILE", "${SECRETS}/api.key"}});
  ASSERT_LOADS(r);
  ASSERT_EQ(r->auth.api_keys.size(), 1u);
  EXPECT_EQ(r->auth.api_keys[0].key, "from-env-file");
}

TEST_F(ConfigTest, UnreadableKeyFileNamesThePath) {
  const std::string missing = (dir_ / "missing.key").string();
  auto r = load("auth:\n  api_keys:\n    - name: a\n      key_file: " + missing + "\n");
  EXPECT_ERROR_AT(r, "auth.api_keys.0.key_file", missing);
}

TEST_F(ConfigTest, KeyAndKeyFileTogetherIsAnError) {
  const std::string secret = write("api.key", "x\n");
  auto r =
      load("auth:\n  api_keys:\n    - name: a\n      key: ${K}\n      key_file: " + secret + "\n",
           {{"K", "y"}});
  EXPECT_ERROR_AT(r, "auth.api_keys.0.key", "key_file");
}

// ----- profiles -------------------------------------------------------------------------------

TEST_F(ConfigTest, ProdAndStagingProfileDefaults) {
  for (const char* env : {"staging", "prod", "production"}) {
    auto r = load("auth:\n  api_keys:\n    - name: a\n      key: ${K}\n",
                  {{"SLUICE_ENV", env}, {"K", "abc"}, kRealProvider});
    ASSERT_LOADS(r);
    EXPECT_NE(r->profile, Profile::dev) << env;
    EXPECT_EQ(r->log.format, LogFormat::json) << env;
    EXPECT_EQ(r->shutdown.drain_delay, milliseconds(5'000)) << env;
    EXPECT_EQ(r->shutdown.grace, milliseconds(30'000)) << env;
    EXPECT_EQ(r->server.listen, "0.0.0.0:8080") << env;
  }
  auto dev = load("", {{"SLUICE_ENV", "development"}});
  ASSERT_LOADS(dev);
  EXPECT_EQ(dev->profile, Profile::dev);
}

TEST_F(ConfigTest, FileAndEnvOverrideProfileDefaults) {
  auto r = load("log:\n  format: json\nshutdown:\n  grace: 3s\n",
                {{"SLUICE_SHUTDOWN__DRAIN_DELAY", "1s"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->log.format, LogFormat::json);
  EXPECT_EQ(r->shutdown.grace, milliseconds(3'000));
  EXPECT_EQ(r->shutdown.drain_delay, milliseconds(1'000));
}

TEST_F(ConfigTest, UnknownProfileIsAnError) {
  auto r = load("", {{"SLUICE_ENV", "qa"}});
  EXPECT_ERROR_AT(r, "SLUICE_ENV", "'qa'");
}

// ----- listen and PORT ------------------------------------------------------------------------

TEST_F(ConfigTest, PortEnvSetsListenOnAllInterfaces) {
  auto r = load("", {{"PORT", "3000"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->server.listen, "0.0.0.0:3000");
  EXPECT_EQ(r->server.host, "0.0.0.0");
  EXPECT_EQ(r->server.port, 3000);
}

TEST_F(ConfigTest, ExplicitListenBeatsPort) {
  auto r = load("server:\n  listen: 127.0.0.1:5000\n", {{"PORT", "3000"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->server.port, 5000);
  auto e = load("", {{"PORT", "3000"}, {"SLUICE_SERVER__LISTEN", "127.0.0.1:5001"}});
  ASSERT_LOADS(e);
  EXPECT_EQ(e->server.port, 5001);
}

TEST_F(ConfigTest, InvalidPortIsAnErrorNamingPort) {
  for (const char* bad : {"http", "70000", "-1"}) {
    auto r = load("", {{"PORT", bad}});
    EXPECT_ERROR_AT(r, "server.listen", "PORT");
  }
}

TEST_F(ConfigTest, BadListenIsAnError) {
  auto r = load("server:\n  listen: localhost\n");
  EXPECT_ERROR_AT(r, "server.listen", "missing port");
  auto v6 = load("server:\n  listen: \"::1:80\"\n");
  EXPECT_ERROR_AT(v6, "server.listen", "brackets");
}

// ----- validation -----------------------------------------------------------------------------

TEST_F(ConfigTest, RangeValidation) {
  auto r = load(R"(
server:
  threads: 257
  max_connections: -1
  max_header_bytes: 512
  max_body_bytes: 100
  max_json_values: 999
  header_timeout: 0s
  body_timeout: 0
  idle_timeout: 0ms
metrics:
  path: metrics
storage:
  data_dir: ""
)");
  EXPECT_ERROR_AT(r, "server.threads", "between 0 and 256");
  EXPECT_ERROR_AT(r, "server.max_connections", "negative");
  EXPECT_ERROR_AT(r, "server.max_header_bytes", "1KiB");
  EXPECT_ERROR_AT(r, "server.max_body_bytes", "1KiB");
  EXPECT_ERROR_AT(r, "server.max_json_values", "at least 1000");
  EXPECT_ERROR_AT(r, "server.header_timeout", "greater than 0");
  EXPECT_ERROR_AT(r, "server.body_timeout", "greater than 0");
  EXPECT_ERROR_AT(r, "server.idle_timeout", "greater than 0");
  EXPECT_ERROR_AT(r, "metrics.path", "/");
  EXPECT_ERROR_AT(r, "storage.data_dir", "empty");
  EXPECT_ERROR_AT(r, "server.threads", "sluice.yaml:3");
}

TEST_F(ConfigTest, StatusPageIsOnByDefaultAndCanBeTurnedOff) {
  auto defaults = load("");
  ASSERT_LOADS(defaults);
  EXPECT_TRUE(defaults->ui.enabled);
  auto off = load("ui:\n  enabled: false\n");
  ASSERT_LOADS(off);
  EXPECT_FALSE(off->ui.enabled);
  auto by_env = load("", {{"SLUICE_UI__ENABLED", "false"}});
  ASSERT_LOADS(by_env);
  EXPECT_FALSE(by_env->ui.enabled);
  auto unknown = load("ui:\n  colour: blue\n");
  EXPECT_ERROR_AT(unknown, "ui.colour", "unknown");
}

TEST_F(ConfigTest, MetricsPathMayNotBeTheStatusPages) {
  for (const char* path : {"/ui", "/ui/metrics"}) {
    auto r = load(std::string("metrics:\n  path: ") + path + "\n");
    EXPECT_ERROR_AT(r, "metrics.path", "ui.enabled");
  }
  auto page_off = load("metrics:\n  path: /ui/metrics\nui:\n  enabled: false\n");
  ASSERT_LOADS(page_off);
  auto metrics_off = load("metrics:\n  enabled: false\n  path: /ui/metrics\n");
  ASSERT_LOADS(metrics_off);
  auto beside = load("metrics:\n  path: /uix\n");
  ASSERT_LOADS(beside);
}

TEST_F(ConfigTest, PrinterShowsTheStatusPageSetting) {
  auto r = load("ui:\n  enabled: false\n");
  ASSERT_LOADS(r);
  const std::string text = render_effective_config(*r);
  EXPECT_TRUE(contains(text, "ui:\n  enabled: false\n")) << text;
  auto back = load(text);
  ASSERT_LOADS(back);
  EXPECT_FALSE(back->ui.enabled);
}

TEST_F(ConfigTest, HeaderBytesUpperBound) {
  auto r = load("server:\n  max_header_bytes: 2MiB\n");
  EXPECT_ERROR_AT(r, "server.max_header_bytes", "1MiB");
  auto ok = load("server:\n  max_header_bytes: 1MiB\n  max_body_bytes: 1KiB\n");
  ASSERT_LOADS(ok);
}

TEST_F(ConfigTest, ApiKeyValidation) {
  auto r = load(R"(
auth:
  api_keys:
    - name: a
      key: ${K1}
      role: root
    - name: b
      key: ""
    - name: c
      key: ${K1}
)",
                {{"K1", "same-secret-value"}});
  EXPECT_ERROR_AT(r, "auth.api_keys.0.role", "admin, user (ingest and query), ingest, query or");
  EXPECT_ERROR_AT(r, "auth.api_keys.1.key", "empty");
  EXPECT_ERROR_AT(r, "auth.api_keys.2.key", "auth.api_keys.0");
  EXPECT_FALSE(contains(describe(r.error()), "same-secret-value")) << describe(r.error());
}

TEST_F(ConfigTest, VirtualKeySettings) {
  auto defaults = load("");
  ASSERT_LOADS(defaults);
  EXPECT_EQ(defaults->auth.max_keys, 100000);
  EXPECT_EQ(defaults->auth.key_refresh, core::Millis(1000));
  auto bad = load("auth: { max_keys: 0, key_refresh: 10ms }");
  EXPECT_ERROR_AT(bad, "auth.max_keys", "between 1 and");
  EXPECT_ERROR_AT(bad, "auth.key_refresh", "at least 100ms");
  auto admin = load("auth:\n  admin_key: ${ADMIN}\n", {{"ADMIN", "sk-bootstrap"}});
  ASSERT_LOADS(admin);
  EXPECT_EQ(admin->auth.admin_key, "sk-bootstrap");
}

TEST_F(ConfigTest, CorsOriginValidation) {
  auto r = load(R"(
cors:
  allow_origins:
    - "*"
    - https://app.example.com
    - http://localhost:3000
    - "http://[::1]:8080"
    - app.example.com
    - https://app.example.com/
    - https://App.Example.com
    - https://x.example:99999
    - ftp://x.example
)");
  ASSERT_FALSE(r.ok());
  for (int ok : {0, 1, 2, 3}) {
    EXPECT_EQ(error_at(r.error(), "cors.allow_origins." + std::to_string(ok)), nullptr) << ok;
  }
  EXPECT_ERROR_AT(r, "cors.allow_origins.4", "http://");
  EXPECT_ERROR_AT(r, "cors.allow_origins.5", "trailing slash");
  EXPECT_ERROR_AT(r, "cors.allow_origins.6", "lowercase");
  EXPECT_ERROR_AT(r, "cors.allow_origins.7", "port");
  EXPECT_ERROR_AT(r, "cors.allow_origins.8", "http://");
}

// ----- prod guards ----------------------------------------------------------------------------

TEST_F(ConfigTest, StagingAndProdRefuseToStartWithoutAuth) {
  auto r = load("", {{"SLUICE_ENV", "prod"}});
  EXPECT_ERROR_AT(r, "auth.api_keys", "prod refuses to start without authentication");
  auto staging = load("", {{"SLUICE_ENV", "staging"}, kRealProvider});
  EXPECT_ERROR_AT(staging, "auth.api_keys", "staging refuses to start without authentication");
  ASSERT_LOADS(load("", {{"SLUICE_ENV", "dev"}}));
  // A bootstrap admin key is authentication enough.
  auto bootstrap =
      load("", {{"SLUICE_ENV", "prod"}, {"SLUICE_AUTH__ADMIN_KEY", "sk-boot"}, kRealProvider});
  ASSERT_LOADS(bootstrap);
  // So are bearer JWTs, checked for their issuer and audience.
  const std::string jwt =
      "auth:\n  jwt:\n    jwks_file: /etc/sluice/jwks.json\n    issuer: https://idp\n"
      "    audience: sluice\n";
  ASSERT_LOADS(load(jwt, {{"SLUICE_ENV", "staging"}, kRealProvider}));
  ASSERT_LOADS(load(jwt, {{"SLUICE_ENV", "prod"}, kRealProvider}));
}

TEST_F(ConfigTest, JwtOutsideDevNeedsIssuerAndAudience) {
  auto r = load("auth:\n  jwt:\n    jwks_file: /etc/sluice/jwks.json\n",
                {{"SLUICE_ENV", "staging"}, kRealProvider});
  EXPECT_ERROR_AT(r, "auth.jwt.issuer", "staging refuses JWTs without an issuer check");
  EXPECT_ERROR_AT(r, "auth.jwt.audience", "staging refuses JWTs without an audience check");
  auto dev = load("auth:\n  jwt:\n    jwks_file: /etc/sluice/jwks.json\n");
  ASSERT_LOADS(dev);
  EXPECT_EQ(dev->auth.jwt.clock_skew, milliseconds(60'000));
  EXPECT_EQ(dev->auth.jwt.roles_claim, "roles");
  EXPECT_EQ(dev->auth.jwt.team_claim, "team");
}

TEST_F(ConfigTest, JwtSettingsAreRangeChecked) {
  auto r = load(
      "auth:\n  jwt:\n    jwks_file: j.json\n    clock_skew: 11m\n    jwks_refresh: 10ms\n"
      "    roles_claim: \"\"\n");
  EXPECT_ERROR_AT(r, "auth.jwt.clock_skew", "between 0 and 10m");
  EXPECT_ERROR_AT(r, "auth.jwt.jwks_refresh", "at least 100ms");
  EXPECT_ERROR_AT(r, "auth.jwt.roles_claim", "must not be empty");
  auto env = load("", {{"SLUICE_AUTH__JWT__JWKS_FILE", "/k.json"},
                       {"SLUICE_AUTH__JWT__AUDIENCE", "api"},
                       {"SLUICE_AUTH__JWT__CLOCK_SKEW", "5s"}});
  ASSERT_LOADS(env);
  EXPECT_EQ(env->auth.jwt.jwks_file, "/k.json");
  EXPECT_EQ(env->auth.jwt.audience, "api");
  EXPECT_EQ(env->auth.jwt.clock_skew, milliseconds(5'000));
}

TEST_F(ConfigTest, ProdRefusesCorsWildcardWithCredentials) {
  const std::map<std::string, std::string> env = {
      {"SLUICE_ENV", "prod"}, {"SLUICE_AUTH__API_KEYS__0__KEY", "k"}, kRealProvider};
  auto r = load("cors:\n  allow_origins: [\"*\"]\n  allow_credentials: true\n", env);
  EXPECT_ERROR_AT(r, "cors", "allow_credentials");
  auto dev = load("cors:\n  allow_origins: [\"*\"]\n  allow_credentials: true\n");
  ASSERT_LOADS(dev);
  auto no_creds = load("cors:\n  allow_origins: [\"*\"]\n", env);
  ASSERT_LOADS(no_creds);
}

TEST_F(ConfigTest, ProdRefusesInlineSecrets) {
  const std::string yaml = "auth:\n  api_keys:\n    - name: a\n      key: literal-key-123\n";
  auto r = load(yaml, {{"SLUICE_ENV", "prod"}});
  EXPECT_ERROR_AT(r, "auth.api_keys.0.key", "${VAR} or key_file");
  EXPECT_FALSE(contains(describe(r.error()), "literal-key-123"));
  auto dev = load(yaml);
  ASSERT_LOADS(dev);
}

TEST_F(ConfigTest, ProdRejectsSecretFromInlineDefault) {
  auto r = load("auth:\n  api_keys:\n    - name: a\n      key: ${API_KEY:-dev-key}\n",
                {{"SLUICE_ENV", "prod"}});
  EXPECT_ERROR_AT(r, "auth.api_keys.0.key", "key_file");
  EXPECT_ERROR_AT(r, "auth.api_keys.0.key", "the default after :- is written inline");
  EXPECT_FALSE(contains(describe(r.error()), "dev-key"));
  auto set = load("auth:\n  api_keys:\n    - name: a\n      key: ${API_KEY:-dev-key}\n",
                  {{"SLUICE_ENV", "prod"}, {"API_KEY", "from-env"}, kRealProvider});
  ASSERT_LOADS(set);
}

TEST_F(ConfigTest, ProdReportsAnUnsetSecretVariableOnce) {
  auto r = load("auth:\n  api_keys:\n    - name: a\n      key: ${API_KEY}\n",
                {{"SLUICE_ENV", "prod"}, kRealProvider});
  ASSERT_FALSE(r.ok());
  std::size_t at_key = 0;
  for (const ConfigError& e : r.error()) at_key += e.path == "auth.api_keys.0.key";
  EXPECT_EQ(at_key, 1u) << describe(r.error());
  EXPECT_ERROR_AT(r, "auth.api_keys.0.key", "API_KEY is not set");
  EXPECT_FALSE(contains(describe(r.error()), "inline")) << describe(r.error());
}

TEST_F(ConfigTest, ProdAcceptsSecretsFromVarFileAndEnv) {
  const std::string secret = write("k2", "file-key\n");
  auto r = load(
      "auth:\n  api_keys:\n    - name: a\n      key: ${API_KEY}\n"
      "    - name: b\n      key_file: " +
          secret +
          "\n"
          "    - name: c\n      key: overridden-literal\n",
      {{"SLUICE_ENV", "prod"},
       {"API_KEY", "var-key"},
       {"SLUICE_AUTH__API_KEYS__2__KEY", "env-key"},
       kRealProvider});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->auth.api_keys[0].key, "var-key");
  EXPECT_EQ(r->auth.api_keys[1].key, "file-key");
  EXPECT_EQ(r->auth.api_keys[2].key, "env-key");
}

// ----- printing -------------------------------------------------------------------------------

TEST_F(ConfigTest, PrinterRedactsSecrets) {
  const std::string secret = write("k", "file-secret-value\n");
  auto r = load(
      "auth:\n  api_keys:\n    - name: a\n      key: ${K}\n"
      "    - name: b\n      key_file: " +
          secret + "\n",
      {{"K", "env-secret-value"}});
  ASSERT_LOADS(r);
  const std::string text = render_effective_config(*r);
  EXPECT_FALSE(contains(text, "env-secret-value")) << text;
  EXPECT_FALSE(contains(text, "file-secret-value")) << text;
  EXPECT_TRUE(contains(text, "name: a")) << text;
}

TEST_F(ConfigTest, PrinterSaysWhereEachSecretCameFrom) {
  const std::string secret = write("k", "file-secret-value\n");
  auto r = load(
      "auth:\n  api_keys:\n    - name: a\n      key: ${K}\n"
      "    - name: b\n      key_file: " +
          secret +
          "\n"
          "    - name: c\n      key: inline-secret-value\n"
          "    - name: d\n      key: x\n",
      {{"K", "env-secret-value"}, {"SLUICE_AUTH__API_KEYS__3__KEY", "override-secret-value"}});
  ASSERT_LOADS(r);
  const std::string text = render_effective_config(*r);
  EXPECT_TRUE(contains(text, "key: ${K}")) << text;
  EXPECT_TRUE(contains(text, "key_file: " + secret)) << text;
  EXPECT_TRUE(contains(text, "key: <redacted>")) << text;
  EXPECT_TRUE(contains(text, "key: ${SLUICE_AUTH__API_KEYS__3__KEY}")) << text;
  for (const char* value :
       {"env-secret-value", "file-secret-value", "inline-secret-value", "override-secret-value"})
    EXPECT_FALSE(contains(text, value)) << text;
}

TEST_F(ConfigTest, PrinterShowsKeysFromTheEnvironmentAndTheyLoadBack) {
  const std::map<std::string, std::string> env = {{"OPENAI_API_KEY", "sk-from-env"}};
  auto first = load("", env);
  ASSERT_LOADS(first);
  const std::string text = render_effective_config(*first);
  EXPECT_TRUE(contains(text, "api_key: ${OPENAI_API_KEY}")) << text;
  EXPECT_FALSE(contains(text, "sk-from-env")) << text;
  auto second = load(text, env);
  ASSERT_LOADS(second);
  EXPECT_TRUE(*first == *second) << text;
}

TEST_F(ConfigTest, PrinterRedactsThePasswordInAUrl) {
  auto r = load(
      "gateway:\n  providers:\n"
      "    - {name: a, base_url: \"http://user:hunter2@proxy:8080/v1\"}\n"
      "    - {name: b, base_url: \"https://token@host/v1?x=a:b@c\"}\n");
  ASSERT_LOADS(r);
  const std::string text = render_effective_config(*r);
  EXPECT_FALSE(contains(text, "hunter2")) << text;
  EXPECT_TRUE(contains(text, "http://user:<redacted>@proxy:8080/v1")) << text;
  EXPECT_TRUE(contains(text, "https://<redacted>@host/v1?x=a:b@c")) << text;
}

TEST_F(ConfigTest, PrinterUsesReadableUnits) {
  auto r = load("server:\n  header_timeout: 250ms\n  max_body_bytes: 2MiB\n");
  ASSERT_LOADS(r);
  const std::string text = render_effective_config(*r);
  EXPECT_TRUE(contains(text, "header_timeout: 250ms")) << text;
  EXPECT_TRUE(contains(text, "grace: 10s")) << text;
  EXPECT_TRUE(contains(text, "max_age: 10m")) << text;
  EXPECT_TRUE(contains(text, "max_body_bytes: 2097152")) << text;
  EXPECT_TRUE(contains(text, "listen: 127.0.0.1:8080")) << text;
  EXPECT_TRUE(contains(text, "profile: dev")) << text;
}

TEST_F(ConfigTest, RenderedConfigLoadsBackEqual) {
  auto first = load(R"(
server:
  listen: "[::1]:9000"
  threads: 3
  max_header_bytes: 8KiB
  header_timeout: 1500ms
log:
  level: warn
  access_log: false
metrics:
  path: /m
cors:
  allow_origins: ["*", "https://a.example"]
  max_age: 90s
storage:
  data_dir: "/tmp/$${weird} dir: #1"
)",
                    {{"SLUICE_ENV", "staging"}, {"SLUICE_AUTH__ADMIN_KEY", "k"}, kRealProvider});
  ASSERT_LOADS(first);
  const std::string text = render_effective_config(*first);
  auto second =
      load(text, {{"SLUICE_ENV", "staging"}, {"SLUICE_AUTH__ADMIN_KEY", "k"}, kRealProvider});
  ASSERT_LOADS(second);
  EXPECT_EQ(second->storage.data_dir, "/tmp/${weird} dir: #1");
  EXPECT_TRUE(*first == *second) << text;
  EXPECT_EQ(render_effective_config(*second), text);
}

TEST_F(ConfigTest, DefaultConfigRoundTrips) {
  auto first = load_config(ConfigSource{});
  ASSERT_LOADS(first);
  const std::string text = render_effective_config(*first);
  auto second = load(text);
  ASSERT_LOADS(second);
  EXPECT_TRUE(*first == *second) << text;
}

TEST(ConfigToString, EnumsAndErrors) {
  EXPECT_EQ(to_string(Profile::prod), "prod");
  EXPECT_EQ(to_string(LogLevel::warn), "warn");
  EXPECT_EQ(to_string(LogFormat::text), "text");
  EXPECT_EQ(to_string(ConfigError{"a.b", "bad", "do x"}), "a.b: bad (fix: do x)");
  EXPECT_EQ(to_string(ConfigError{"a.b", "bad", ""}), "a.b: bad");
}

TEST(ConfigEnvironment, SnapshotsTheProcessEnvironment) {
  ::setenv("SLUICE_CONFIG_TEST_PROBE", "v=1", 1);
  const auto env = process_environment();
  ::unsetenv("SLUICE_CONFIG_TEST_PROBE");
  ASSERT_TRUE(env.contains("SLUICE_CONFIG_TEST_PROBE"));
  EXPECT_EQ(env.at("SLUICE_CONFIG_TEST_PROBE"), "v=1");
}

}  // namespace
}  // namespace sluice::core
