#include "gateway/token_estimate.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

namespace sluice::gateway {

namespace {

constexpr long long kTokensPerMessage = 4;
constexpr long long kReplyPriming = 3;

long long string_tokens(const boost::json::value* v) {
  if (v == nullptr || !v->is_string()) return 0;
  const boost::json::string& s = v->get_string();
  return estimate_tokens(std::string_view(s.data(), s.size()));
}

long long content_tokens(const boost::json::value* content) {
  if (content == nullptr) return 0;
  if (content->is_string()) return string_tokens(content);
  if (!content->is_array()) return 0;
  long long total = 0;
  for (const boost::json::value& part : content->get_array()) {
    if (!part.is_object()) continue;
    const boost::json::object& p = part.get_object();
    const boost::json::value* type = p.if_contains("type");
    if (type != nullptr && type->is_string() && type->get_string() == "text") {
      total += string_tokens(p.if_contains("text"));
    }
  }
  return total;
}

long long tool_call_tokens(const boost::json::value* tool_calls) {
  if (tool_calls == nullptr || !tool_calls->is_array()) return 0;
  long long total = 0;
  for (const boost::json::value& call : tool_calls->get_array()) {
    if (!call.is_object()) continue;
    const boost::json::value* function = call.get_object().if_contains("function");
    if (function == nullptr || !function->is_object()) continue;
    total += string_tokens(function->get_object().if_contains("name"));
    total += string_tokens(function->get_object().if_contains("arguments"));
  }
  return total;
}

}  // namespace

long long estimate_tokens_from_bytes(std::size_t bytes) {
  return static_cast<long long>((bytes + 3) / 4);  // ~4 bytes per token
}

long long estimate_tokens(std::string_view text) { return estimate_tokens_from_bytes(text.size()); }

long long estimate_prompt_tokens(const boost::json::array& messages) {
  long long total = kReplyPriming;
  for (const boost::json::value& message : messages) {
    if (!message.is_object()) continue;
    const boost::json::object& m = message.get_object();
    total += kTokensPerMessage + content_tokens(m.if_contains("content")) +
             tool_call_tokens(m.if_contains("tool_calls"));
  }
  return total;
}

long long requested_completion_tokens(const boost::json::object* body) {
  if (!body) return 0;
  for (const char* name : {"max_completion_tokens", "max_tokens"})
    if (const auto* value = body->if_contains(name); value && value->is_int64())
      return std::max<long long>(0, value->get_int64());
  return 0;
}

}  // namespace sluice::gateway
