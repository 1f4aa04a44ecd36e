#include "core/ids.hpp"

#include <cstdint>
#include <random>

namespace sluice::core {
namespace {

// xorshift128+: a few ns per 64 bits; seeded per thread so no state is shared.
struct FastRandom {
  uint64_t s0, s1;
  FastRandom() {
    std::random_device rd;
    s0 = (uint64_t(rd()) << 32) ^ rd();
    s1 = (uint64_t(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ull;
    if ((s0 | s1) == 0) s1 = 1;
  }
  uint64_t next() {
    uint64_t x = s0;
    const uint64_t y = s1;
    s0 = y;
    x ^= x << 23;
    s1 = x ^ y ^ (x >> 17) ^ (y >> 26);
    return s1 + y;
  }
};

FastRandom& thread_random() {
  thread_local FastRandom random;
  return random;
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

void append_random_hex(std::string& out, std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out.resize(start + bytes * 2);
  uint64_t bits = 0;
  for (std::size_t i = 0; i < bytes * 2; ++i) {
    if (i % 16 == 0) bits = thread_random().next();
    out[start + i] = kDigits[bits & 0xf];
    bits >>= 4;
  }
}

std::string random_hex(std::size_t bytes) {
  std::string out;
  append_random_hex(out, bytes);
  return out;
}

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string new_request_id() {
  std::string id;
  assign_new_request_id(id);
  return id;
}

void assign_new_request_id(std::string& out) {
  out.assign("req_");
  append_random_hex(out, 12);
}

std::string TraceContext::traceparent() const {
  return "00-" + trace_id + "-" + span_id + "-" + flags;
}

bool parse_traceparent(std::string_view h, TraceContext& out) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2); future versions may append fields.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return false;
  const std::string_view version = h.substr(0, 2), trace = h.substr(3, 32),
                         parent = h.substr(36, 16), flags = h.substr(53, 2);
  if (!is_lower_hex(version) || version == "ff") return false;
  if (version == "00" && h.size() != 55) return false;
  if (h.size() > 55 && h[55] != '-') return false;
  if (!is_lower_hex(trace) || all_zero(trace)) return false;
  if (!is_lower_hex(parent) || all_zero(parent)) return false;
  if (!is_lower_hex(flags)) return false;
  out.trace_id.assign(trace);
  out.parent_span_id.assign(parent);
  out.flags.assign(flags);
  return true;
}

void TraceContext::reset_from(std::string_view traceparent_header) {
  if (traceparent_header.empty() || !parse_traceparent(traceparent_header, *this)) {
    trace_id.clear();
    append_random_hex(trace_id, 16);
    parent_span_id.clear();
    flags.assign("01");
  }
  span_id.clear();
  append_random_hex(span_id, 8);
}

TraceContext trace_context_from(std::string_view traceparent_header) {
  TraceContext ctx;
  ctx.reset_from(traceparent_header);
  return ctx;
}

}  // namespace sluice::core
