// The tracing section: off by default, every key loaded, OpenTelemetry's variables as defaults
// (the file wins), and each problem naming its key.

#include <gtest/gtest.h>

#include "config_fixture.hpp"
#include "core/config.hpp"

namespace sluice::core {
namespace {

using std::chrono::milliseconds;
using ConfigTracingTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

TEST_F(ConfigTracingTest, OffByDefault) {
  auto r = load("");
  ASSERT_LOADS(r);
  EXPECT_FALSE(r->tracing.enabled());
  EXPECT_EQ(r->tracing.service_name, "sluice");
  EXPECT_EQ(r->tracing.sampler, "parentbased_always_on");
  EXPECT_EQ(r->tracing.queue_size, 2048);
}

TEST_F(ConfigTracingTest, ReadsEveryKey) {
  auto r = load(R"(
tracing:
  endpoint: http://collector:4318/
  service_name: gateway-eu
  headers: "authorization=Bearer%20abc,x-tenant=t1"
  timeout: 2s
  sampler: parentbased_traceidratio
  sampler_arg: 0.25
  queue_size: 100
  batch_size: 10
  batch_delay: 200ms
)");
  ASSERT_LOADS(r);
  const TracingConfig& t = r->tracing;
  EXPECT_TRUE(t.enabled());
  EXPECT_EQ(t.traces_url(), "http://collector:4318/v1/traces");
  EXPECT_EQ(t.service_name, "gateway-eu");
  EXPECT_EQ(otlp_header_lines(t.headers).value(), "authorization: Bearer abc\r\nx-tenant: t1\r\n");
  EXPECT_EQ(t.timeout, milliseconds(2000));
  EXPECT_EQ(t.sampler, "parentbased_traceidratio");
  EXPECT_DOUBLE_EQ(t.sampler_arg, 0.25);
  EXPECT_EQ(t.queue_size, 100);
  EXPECT_EQ(t.batch_size, 10);
  EXPECT_EQ(t.batch_delay, milliseconds(200));
  // A credential: never printed.
  EXPECT_FALSE(contains(render_effective_config(*r), "abc"));
}

TEST_F(ConfigTracingTest, StandardVariablesFillWhatTheFileLeavesUnset) {
  auto r = load("", {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"},
                     {"OTEL_SERVICE_NAME", "edge"},
                     {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cret"},
                     {"OTEL_EXPORTER_OTLP_TIMEOUT", "1500"},
                     {"OTEL_TRACES_SAMPLER", "traceidratio"},
                     {"OTEL_TRACES_SAMPLER_ARG", "0.5"},
                     {"OTEL_BSP_MAX_QUEUE_SIZE", "64"},
                     {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "8"},
                     {"OTEL_BSP_SCHEDULE_DELAY", "100"}});
  ASSERT_LOADS(r);
  const TracingConfig& t = r->tracing;
  EXPECT_EQ(t.traces_url(), "http://127.0.0.1:4318/v1/traces");
  EXPECT_EQ(t.service_name, "edge");
  EXPECT_EQ(t.headers, "api-key=s3cret");
  EXPECT_EQ(t.timeout, milliseconds(1500));
  EXPECT_EQ(t.sampler, "traceidratio");
  EXPECT_DOUBLE_EQ(t.sampler_arg, 0.5);
  EXPECT_EQ(t.queue_size, 64);
  EXPECT_EQ(t.batch_size, 8);
  EXPECT_EQ(t.batch_delay, milliseconds(100));
  const std::string printed = render_effective_config(*r);
  EXPECT_FALSE(contains(printed, "s3cret"));
  EXPECT_TRUE(contains(printed, "${OTEL_EXPORTER_OTLP_HEADERS}")) << printed;
}

TEST_F(ConfigTracingTest, TheFileWinsOverStandardVariables) {
  auto r = load("tracing: {endpoint: 'http://file:4318', service_name: from-file}",
                {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"},
                 {"OTEL_SERVICE_NAME", "from-env"},
                 {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://env:4318/custom/traces"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->tracing.endpoint, "http://file:4318");
  EXPECT_EQ(r->tracing.service_name, "from-file");
  // The signal's own URL is used as is, and wins over the base.
  EXPECT_EQ(r->tracing.traces_url(), "http://env:4318/custom/traces");
}

TEST_F(ConfigTracingTest, SdkDisabledTurnsEnvironmentTracingOff) {
  auto r =
      load("", {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"}, {"OTEL_SDK_DISABLED", "true"}});
  ASSERT_LOADS(r);
  EXPECT_FALSE(r->tracing.enabled());
}

TEST_F(ConfigTracingTest, ProblemsNameTheirKey) {
  auto r = load(R"(
tracing:
  endpoint: collector:4318
  service_name: ""
  headers: "novalue"
  timeout: 0s
  sampler: sometimes
  sampler_arg: 2
  queue_size: 0
  batch_size: 5
  batch_delay: 0s
)");
  EXPECT_ERROR_AT(r, "tracing.endpoint", "http://");
  EXPECT_ERROR_AT(r, "tracing.service_name", "empty");
  EXPECT_ERROR_AT(r, "tracing.headers", "name=value");
  EXPECT_ERROR_AT(r, "tracing.timeout", "positive");
  EXPECT_ERROR_AT(r, "tracing.sampler", "sometimes");
  EXPECT_ERROR_AT(r, "tracing.sampler_arg", "between 0 and 1");
  EXPECT_ERROR_AT(r, "tracing.queue_size", "between 1");
  EXPECT_ERROR_AT(r, "tracing.batch_size", "queue_size");
  EXPECT_ERROR_AT(r, "tracing.batch_delay", "positive");
}

TEST_F(ConfigTracingTest, ABadVariableIsNamedInTheError) {
  auto r = load("", {{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"},
                     {"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"}});
  EXPECT_ERROR_AT(r, "tracing.endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT");
  EXPECT_ERROR_AT(r, "tracing.timeout", "OTEL_EXPORTER_OTLP_TIMEOUT");
}

TEST(OtlpHeaderLines, RefusesWhatWouldBreakAHeader) {
  EXPECT_EQ(otlp_header_lines("").value(), "");
  EXPECT_EQ(otlp_header_lines(" a = 1 , b=x%3Dy ").value(), "a: 1\r\nb: x=y\r\n");
  EXPECT_FALSE(otlp_header_lines("=v"));
  EXPECT_FALSE(otlp_header_lines("bad name=v"));
  EXPECT_FALSE(otlp_header_lines("a=line%0Abreak"));
}

}  // namespace
}  // namespace sluice::core
