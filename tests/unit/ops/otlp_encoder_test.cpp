// The export request decoded field by field with OTLP's field numbers (the end-to-end suite
// decodes it with the official definitions too).

#include "ops/otlp_encoder.hpp"

#include <gtest/gtest.h>

#include "support/protobuf_reader.hpp"

namespace sluice::ops {
namespace {

using sluice::testing::field_numbered;
using sluice::testing::fields_numbered;
using sluice::testing::ProtoField;
using sluice::testing::read_message;

// KeyValue list -> key -> AnyValue fields.
std::map<std::string, std::vector<ProtoField>> attributes_of(const std::vector<ProtoField>& kvs) {
  std::map<std::string, std::vector<ProtoField>> out;
  for (const ProtoField& kv : kvs) {
    const auto fields = read_message(kv.bytes);
    out[field_numbered(fields, 1).bytes] = read_message(field_numbered(fields, 2).bytes);
  }
  return out;
}

Span sample_span() {
  Span span;
  EXPECT_TRUE(
      span.set_ids("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "b7ad6b7169203331"));
  span.name = "chat gpt-4o";
  span.kind = SpanKind::client;
  span.start_unix_nanos = 1'700'000'000'000'000'000ULL;
  span.end_unix_nanos = 1'700'000'000'250'000'000ULL;
  span.add("gen_ai.request.model", "gpt-4o");
  span.add("gen_ai.usage.input_tokens", int64_t{-3});
  span.add("gen_ai.request.temperature", 0.5);
  span.add("sluice.cached", true);
  span.status = SpanStatus::error;
  span.status_message = "upstream said 503";
  return span;
}

TEST(OtlpEncoder, WritesAnExportTraceServiceRequest) {
  const std::vector<Span> spans{sample_span(), sample_span()};
  const std::string body = encode_export_request({"sluice-test", "1.2.3", "sluice"}, spans);

  const auto request = read_message(body);
  const auto resource_spans = read_message(field_numbered(request, 1).bytes);
  const auto resource = read_message(field_numbered(resource_spans, 1).bytes);
  const auto resource_attributes = attributes_of(fields_numbered(resource, 1));
  EXPECT_EQ(field_numbered(resource_attributes.at("service.name"), 1).bytes, "sluice-test");
  EXPECT_EQ(field_numbered(resource_attributes.at("service.version"), 1).bytes, "1.2.3");

  const auto scope_spans = read_message(field_numbered(resource_spans, 2).bytes);
  const auto scope = read_message(field_numbered(scope_spans, 1).bytes);
  EXPECT_EQ(field_numbered(scope, 1).bytes, "sluice");
  const auto encoded_spans = fields_numbered(scope_spans, 2);
  ASSERT_EQ(encoded_spans.size(), 2u);

  const auto span = read_message(encoded_spans[0].bytes);
  EXPECT_EQ(field_numbered(span, 1).bytes.size(), 16u);
  EXPECT_EQ(static_cast<uint8_t>(field_numbered(span, 1).bytes[0]), 0x4b);
  EXPECT_EQ(static_cast<uint8_t>(field_numbered(span, 2).bytes[7]), 0xb7);
  EXPECT_EQ(static_cast<uint8_t>(field_numbered(span, 4).bytes[0]), 0xb7);
  EXPECT_EQ(field_numbered(span, 5).bytes, "chat gpt-4o");
  EXPECT_EQ(field_numbered(span, 6).number_value, 3u);  // SPAN_KIND_CLIENT
  EXPECT_EQ(field_numbered(span, 7).wire_type, 1u);     // fixed64
  EXPECT_EQ(field_numbered(span, 7).number_value, 1'700'000'000'000'000'000ULL);
  EXPECT_EQ(field_numbered(span, 8).number_value, 1'700'000'000'250'000'000ULL);
  EXPECT_EQ(field_numbered(span, 16).number_value, 1u);  // sampled

  const auto attributes = attributes_of(fields_numbered(span, 9));
  EXPECT_EQ(field_numbered(attributes.at("gen_ai.request.model"), 1).bytes, "gpt-4o");
  EXPECT_EQ(static_cast<int64_t>(
                field_numbered(attributes.at("gen_ai.usage.input_tokens"), 3).number_value),
            -3);
  EXPECT_DOUBLE_EQ(field_numbered(attributes.at("gen_ai.request.temperature"), 4).as_double(), 0.5);
  EXPECT_EQ(field_numbered(attributes.at("sluice.cached"), 2).number_value, 1u);

  const auto status = read_message(field_numbered(span, 15).bytes);
  EXPECT_EQ(field_numbered(status, 2).bytes, "upstream said 503");
  EXPECT_EQ(field_numbered(status, 3).number_value, 2u);  // STATUS_CODE_ERROR
}

TEST(OtlpEncoder, ARootSpanHasNoParentAndUnsetStatusIsOmitted) {
  Span span;
  ASSERT_TRUE(span.set_ids("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", ""));
  span.name = "GET /livez";
  span.kind = SpanKind::server;
  span.sampled = false;
  const std::string body = encode_export_request({"s", "", "sluice"}, {&span, 1});
  const auto scope_spans = read_message(
      field_numbered(read_message(field_numbered(read_message(body), 1).bytes), 2).bytes);
  const auto decoded = read_message(field_numbered(scope_spans, 2).bytes);
  EXPECT_TRUE(fields_numbered(decoded, 4).empty());
  EXPECT_TRUE(fields_numbered(decoded, 15).empty());
  EXPECT_EQ(field_numbered(decoded, 6).number_value, 2u);  // SPAN_KIND_SERVER
  EXPECT_EQ(field_numbered(decoded, 16).number_value, 0u);
}

TEST(Span, RefusesIdsThatAreNotHexOfTheRightLength) {
  Span span;
  EXPECT_FALSE(span.set_ids("4bf92f35", "00f067aa0ba902b7", ""));
  EXPECT_FALSE(span.set_ids("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902bz", ""));
  EXPECT_FALSE(span.set_ids("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "12"));
}

}  // namespace
}  // namespace sluice::ops
