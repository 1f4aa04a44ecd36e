#include "ops/span.hpp"

namespace sluice::ops {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool hex_to_bytes(std::string_view hex, uint8_t* out, std::size_t size) {
  if (hex.size() != 2 * size) return false;
  for (std::size_t i = 0; i < size; ++i) {
    const int high = hex_digit(hex[2 * i]);
    const int low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return true;
}

bool Span::set_ids(std::string_view trace_id_hex, std::string_view span_id_hex,
                   std::string_view parent_hex) {
  has_parent = !parent_hex.empty();
  return hex_to_bytes(trace_id_hex, trace_id.data(), trace_id.size()) &&
         hex_to_bytes(span_id_hex, span_id.data(), span_id.size()) &&
         (!has_parent || hex_to_bytes(parent_hex, parent_span_id.data(), parent_span_id.size()));
}

}  // namespace sluice::ops
