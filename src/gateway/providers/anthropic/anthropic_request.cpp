#include <boost/json.hpp>
#include <optional>

#include "gateway/providers/anthropic/anthropic_common.hpp"
#include "gateway/providers/anthropic/anthropic_messages.hpp"
#include "gateway/providers/anthropic/anthropic_translate.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;
using anthropic::field;
using anthropic::indexed;
using anthropic::invalid;
using anthropic::is_string;
using anthropic::member;

// Anthropic requires max_tokens; OpenAI clients usually leave it out.
constexpr long long kDefaultMaxTokens = 4096;

std::optional<double> number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return std::nullopt;
}

Status set_max_tokens(const json::object& request, json::object& out) {
  // max_completion_tokens superseded max_tokens in OpenAI's API; honour the newer one first.
  for (std::string_view key : {"max_completion_tokens", "max_tokens"}) {
    const json::value* v = field(request, key);
    if (!v) continue;
    const std::optional<double> n = number(*v);
    if (!n || *n < 1 || *n != static_cast<double>(static_cast<long long>(*n))) {
      return invalid(std::string(key), std::string(key) + " must be a positive integer");
    }
    out["max_tokens"] = static_cast<long long>(*n);
    return {};
  }
  out["max_tokens"] = kDefaultMaxTokens;
  return {};
}

Status set_sampling(const json::object& request, json::object& out) {
  if (const json::value* v = field(request, "temperature")) {
    const std::optional<double> t = number(*v);
    if (!t || *t < 0 || *t > 2) {
      return invalid("temperature", "temperature must be a number between 0 and 2");
    }
    // OpenAI's scale is 0..2, Anthropic's 0..1 and it rejects more; clamping keeps the request
    // valid and "as random as allowed".
    out["temperature"] = *t > 1 ? 1.0 : *t;
  }
  if (const json::value* v = field(request, "top_p")) {
    const std::optional<double> p = number(*v);
    if (!p || *p < 0 || *p > 1) return invalid("top_p", "top_p must be a number between 0 and 1");
    out["top_p"] = *p;
  }
  if (const json::value* v = field(request, "stop")) {
    json::array sequences;
    if (v->is_string()) {
      if (!v->get_string().empty()) sequences.push_back(v->get_string());
    } else if (v->is_array()) {
      std::size_t i = 0;
      for (const json::value& s : v->get_array()) {
        if (!s.is_string()) return invalid(indexed("stop", i), "stop sequences must be strings");
        if (!s.get_string().empty()) sequences.push_back(s);
        ++i;
      }
    } else {
      return invalid("stop", "stop must be a string or an array of strings");
    }
    if (!sequences.empty()) out["stop_sequences"] = std::move(sequences);
  }
  if (const json::value* v = field(request, "stream")) {
    if (!v->is_bool()) return invalid("stream", "stream must be a boolean");
    if (v->get_bool()) out["stream"] = true;
  }
  if (const json::value* v = field(request, "n")) {
    const std::optional<double> n = number(*v);
    if (!n || *n != 1) return invalid("n", "Anthropic models return one choice: n must be 1");
  }
  if (const json::value* v = field(request, "response_format")) {
    // Silently ignoring a JSON-mode request would hand the client prose it cannot parse.
    const bool text = v->is_object() && is_string(field(v->get_object(), "type"), "text");
    if (!text) {
      return invalid("response_format",
                     "response_format other than text is not supported for Anthropic models");
    }
  }
  if (const json::value* v = field(request, "user")) {
    if (!v->is_string()) return invalid("user", "user must be a string");
    if (!v->get_string().empty()) {
      out["metadata"] = json::object{{"user_id", v->get_string()}};
    }
  }
  return {};
}

Result<json::array> convert_tools(const json::value& tools) {
  if (!tools.is_array()) return invalid("tools", "tools must be an array");
  json::array out;
  std::size_t i = 0;
  for (const json::value& tool_value : tools.get_array()) {
    const std::string param = indexed("tools", i++);
    if (!tool_value.is_object()) return invalid(param, "tool must be an object");
    const json::object& tool = tool_value.get_object();
    if (!is_string(field(tool, "type"), "function")) {
      return invalid(member(param, "type"), "only function tools are supported");
    }
    const json::value* function = field(tool, "function");
    if (!function || !function->is_object()) {
      return invalid(member(param, "function"), "function must be an object");
    }
    const json::object& f = function->get_object();
    const json::value* name = field(f, "name");
    if (!name || !name->is_string() || name->get_string().empty()) {
      return invalid(member(param, "function.name"), "function.name must be a non-empty string");
    }
    json::object converted{{"name", name->get_string()}};
    if (const json::value* description = field(f, "description")) {
      if (!description->is_string()) {
        return invalid(member(param, "function.description"), "description must be a string");
      }
      converted["description"] = description->get_string();
    }
    // A function without parameters takes none; Anthropic still wants an object schema.
    json::value schema = json::object{{"type", "object"}, {"properties", json::object()}};
    if (const json::value* parameters = field(f, "parameters")) {
      if (!parameters->is_object()) {
        return invalid(member(param, "function.parameters"), "parameters must be an object");
      }
      schema = *parameters;
    }
    converted["input_schema"] = std::move(schema);
    out.push_back(std::move(converted));
  }
  return out;
}

Result<json::object> convert_tool_choice(const json::value& choice) {
  if (choice.is_string()) {
    const std::string_view mode = choice.get_string();
    if (mode == "auto") return json::object{{"type", "auto"}};
    if (mode == "none") return json::object{{"type", "none"}};
    if (mode == "required") return json::object{{"type", "any"}};
  } else if (choice.is_object()) {
    const json::object& o = choice.get_object();
    const json::value* function = field(o, "function");
    const json::value* name =
        function && function->is_object() ? field(function->get_object(), "name") : nullptr;
    if (is_string(field(o, "type"), "function") && name && name->is_string()) {
      return json::object{{"type", "tool"}, {"name", name->get_string()}};
    }
  }
  return invalid("tool_choice",
                 "tool_choice must be \"auto\", \"none\", \"required\" or "
                 "{\"type\":\"function\",\"function\":{\"name\":...}}");
}

Status set_tools(const json::object& request, json::object& out) {
  json::array tools;
  if (const json::value* v = field(request, "tools")) {
    auto converted = convert_tools(*v);
    if (!converted) return converted.error();
    tools = std::move(*converted);
  }
  std::optional<json::object> choice;
  if (const json::value* v = field(request, "tool_choice")) {
    auto converted = convert_tool_choice(*v);
    if (!converted) return converted.error();
    choice = std::move(*converted);
  }
  bool parallel = true;
  if (const json::value* v = field(request, "parallel_tool_calls")) {
    if (!v->is_bool())
      return invalid("parallel_tool_calls", "parallel_tool_calls must be a boolean");
    parallel = v->get_bool();
  }
  // Anthropic rejects tool_choice without tools; OpenAI tolerates it, so it is dropped.
  if (tools.empty()) return {};
  out["tools"] = std::move(tools);
  if (!parallel) {
    if (!choice) choice = json::object{{"type", "auto"}};
    if (!is_string(choice->if_contains("type"), "none")) {
      (*choice)["disable_parallel_tool_use"] = true;
    }
  }
  if (choice) out["tool_choice"] = std::move(*choice);
  return {};
}

}  // namespace

Result<std::string> anthropic_request_from_openai(const json::object& openai_request,
                                                  std::string_view upstream_model) {
  auto conversation = anthropic::convert_messages(openai_request);
  if (!conversation) return conversation.error();

  json::object out;
  out["model"] = upstream_model;
  if (!conversation->system.empty()) out["system"] = conversation->system;
  out["messages"] = std::move(conversation->messages);
  if (auto s = set_max_tokens(openai_request, out); !s) return s.error();
  if (auto s = set_sampling(openai_request, out); !s) return s.error();
  if (auto s = set_tools(openai_request, out); !s) return s.error();
  // Everything else OpenAI defines (seed, penalties, logprobs, stream_options, store, ...) has no
  // Anthropic equivalent and does not change what a correct answer is, so it is dropped.
  return json::serialize(out);
}

}  // namespace sluice::gateway
