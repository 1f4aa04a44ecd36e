#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/ids.hpp"

namespace sluice::ops {

// One finished span, as OTLP carries it. Attribute keys are string literals (static lifetime):
// spans are built per request, and the keys come from the semantic conventions.
struct SpanAttribute {
  std::string_view key;
  std::variant<std::string, int64_t, double, bool> value;
};

enum class SpanKind : uint8_t { internal = 1, server = 2, client = 3 };
enum class SpanStatus : uint8_t { unset = 0, ok = 1, error = 2 };

struct Span {
  std::array<uint8_t, 16> trace_id{};
  std::array<uint8_t, 8> span_id{};
  std::array<uint8_t, 8> parent_span_id{};
  bool has_parent = false;
  bool sampled = true;  // the W3C flags' sampled bit, echoed in the span's flags
  std::string name;
  SpanKind kind = SpanKind::internal;
  uint64_t start_unix_nanos = 0;
  uint64_t end_unix_nanos = 0;
  std::vector<SpanAttribute> attributes;
  SpanStatus status = SpanStatus::unset;
  std::string status_message;

  // Ids from a trace context: its trace id, `span_id_hex` as this span's id and, when given,
  // `parent_hex` as its parent. False when a value is not the hex of the right length.
  bool set_ids(std::string_view trace_id_hex, std::string_view span_id_hex,
               std::string_view parent_hex);

  void add(std::string_view key, std::string value) {
    attributes.push_back({key, std::move(value)});
  }
  void add(std::string_view key, std::string_view value) {
    attributes.push_back({key, std::string(value)});
  }
  void add(std::string_view key, const char* value) { add(key, std::string_view(value)); }
  void add(std::string_view key, int64_t value) { attributes.push_back({key, value}); }
  void add(std::string_view key, int value) { attributes.push_back({key, int64_t{value}}); }
  void add(std::string_view key, long long value) {
    attributes.push_back({key, static_cast<int64_t>(value)});
  }
  void add(std::string_view key, double value) { attributes.push_back({key, value}); }
  void add(std::string_view key, bool value) { attributes.push_back({key, value}); }
};

// Decodes lowercase or uppercase hex into `out` (exactly 2 * out.size() digits); false otherwise.
bool hex_to_bytes(std::string_view hex, uint8_t* out, std::size_t size);

}  // namespace sluice::ops
