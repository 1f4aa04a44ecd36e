#include "gateway/providers/request_validation.hpp"

#include <boost/json.hpp>
#include <cstdint>

#include "gateway/token_estimate.hpp"

namespace sluice::gateway {
namespace json = boost::json;
namespace {

// "a string", "an array", ...: the phrasing of OpenAI's invalid_type messages.
std::string_view kind_phrase(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a decimal";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

Error invalid_type(const std::string& param, std::string_view expected, const json::value& got) {
  return make_error(Errc::invalid_request,
                    "Invalid type for '" + param + "': expected " + std::string(expected) +
                        ", but got " + std::string(kind_phrase(got)) + " instead.",
                    param, "invalid_type");
}

Error missing(const std::string& param) {
  return make_error(Errc::invalid_request, "Missing required parameter: '" + param + "'.", param,
                    "missing_required_parameter");
}

Status validate_model(const json::object& request) {
  const json::value* model = request.if_contains("model");
  if (!model || (model->is_string() && model->get_string().empty()))
    return make_error(Errc::invalid_request, "you must provide a model parameter", "model");
  if (!model->is_string()) return invalid_type("model", "a string", *model);
  return {};
}

bool is_integer(const json::value& v) { return v.is_int64() || v.is_uint64(); }

// Token ids as words ("17 4 17"): a text model sees repeated and shared tokens as such.
std::string token_key(const json::array& tokens) {
  std::string key;
  for (const json::value& t : tokens) {
    if (!key.empty()) key += ' ';
    key += t.is_int64() ? std::to_string(t.get_int64()) : std::to_string(t.get_uint64());
  }
  return key;
}

bool all_integers(const json::array& a) {
  for (const json::value& v : a)
    if (!is_integer(v)) return false;
  return true;
}

}  // namespace

// OpenAI accepts a string, an array of strings, one token array, or an array of token arrays.
// Empty when `input` is none of these (or holds an empty string or token array).
std::vector<EmbeddingInput> embedding_inputs(const json::value& input) {
  std::vector<EmbeddingInput> out;
  if (const json::string* s = input.if_string()) {
    if (!s->empty()) out.push_back({std::string(*s), estimate_tokens(*s)});
    return out;
  }
  const json::array* items = input.if_array();
  if (!items || items->empty()) return out;
  if (all_integers(*items)) {
    out.push_back({token_key(*items), static_cast<long long>(items->size())});
    return out;
  }
  for (const json::value& item : *items) {
    if (const json::string* s = item.if_string(); s && !s->empty()) {
      out.push_back({std::string(*s), estimate_tokens(*s)});
    } else if (const json::array* t = item.if_array(); t && !t->empty() && all_integers(*t)) {
      out.push_back({token_key(*t), static_cast<long long>(t->size())});
    } else {
      return {};
    }
  }
  return out;
}

Status validate_chat_request(const json::object& request) {
  if (auto status = validate_model(request); !status) return status;
  const json::value* messages = request.if_contains("messages");
  if (!messages) return missing("messages");
  if (!messages->is_array()) return invalid_type("messages", "an array", *messages);
  const json::array& list = messages->get_array();
  if (list.empty())
    return make_error(Errc::invalid_request,
                      "Invalid 'messages': empty array. Expected an array with minimum length 1, "
                      "but got an empty array instead.",
                      "messages", "empty_array");
  static constexpr std::string_view kRoles[] = {"system",    "developer", "user",
                                                "assistant", "tool",      "function"};
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = "messages[" + std::to_string(i) + "]";
    const json::object* message = list[i].if_object();
    if (!message) return invalid_type(at, "an object", list[i]);
    const json::value* role = message->if_contains("role");
    if (!role) return missing(at + ".role");
    if (!role->is_string()) return invalid_type(at + ".role", "a string", *role);
    bool known = false;
    for (std::string_view r : kRoles) known = known || role->get_string() == r;
    if (!known)
      return make_error(Errc::invalid_request,
                        "Invalid value: '" + std::string(role->get_string()) +
                            "'. Supported values are: 'system', 'developer', 'user', "
                            "'assistant', 'tool', and 'function'.",
                        at + ".role", "invalid_value");
  }
  if (const json::value* stream = request.if_contains("stream");
      stream && !stream->is_bool() && !stream->is_null())
    return invalid_type("stream", "a boolean", *stream);
  return {};
}

Status validate_embeddings_request(const json::object& request) {
  if (auto status = validate_model(request); !status) return status;
  const json::value* input = request.if_contains("input");
  if (!input) return missing("input");
  if (embedding_inputs(*input).empty())
    return make_error(Errc::invalid_request,
                      "'$.input' is invalid: expected a non-empty string, an array of non-empty "
                      "strings, or an array of non-empty token arrays.",
                      "input", "invalid_value");
  if (const json::value* d = request.if_contains("dimensions")) {
    const bool ok =
        (d->is_int64() && d->get_int64() >= 1 && d->get_int64() <= kMaxEmbeddingDimensions) ||
        (d->is_uint64() && d->get_uint64() <= static_cast<uint64_t>(kMaxEmbeddingDimensions));
    if (!ok)
      return make_error(Errc::invalid_request,
                        "Invalid 'dimensions': expected an integer from 1 to " +
                            std::to_string(kMaxEmbeddingDimensions) + ".",
                        "dimensions", "invalid_value");
  }
  if (const json::value* f = request.if_contains("encoding_format")) {
    const std::string_view format = f->is_string() ? std::string_view(f->get_string()) : "";
    if (format != "float" && format != "base64")
      return make_error(Errc::invalid_request,
                        "Invalid 'encoding_format': expected 'float' or 'base64'.",
                        "encoding_format", "invalid_value");
  }
  return {};
}

}  // namespace sluice::gateway
