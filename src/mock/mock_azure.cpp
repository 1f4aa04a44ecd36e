#include "mock/mock_azure.hpp"

#include <boost/json.hpp>

namespace sluice::mock {
namespace json = boost::json;

namespace {

json::object safe_filter_results() {
  json::object out;
  for (const char* category : {"hate", "self_harm", "sexual", "violence"})
    out[category] = json::object{{"filtered", false}, {"severity", "safe"}};
  return out;
}

json::array prompt_filter_results() {
  return json::array{
      json::object{{"prompt_index", 0}, {"content_filter_results", safe_filter_results()}}};
}

}  // namespace

std::optional<AzureRefusal> refuse_azure_request(std::string_view api_key,
                                                 std::string_view authorization,
                                                 std::optional<std::string_view> api_version) {
  const bool bearer = authorization.starts_with("Bearer ") && authorization.size() > 7;
  if (api_key.empty() && !bearer)
    return AzureRefusal{
        401, azure_error_json("401",
                              "Access denied due to invalid subscription key or wrong API "
                              "endpoint. Make sure to provide a valid key for an active "
                              "subscription and use a correct regional API endpoint for your "
                              "resource.")};
  if (!api_version || api_version->empty())
    return AzureRefusal{404, azure_error_json("404", "Resource not found")};
  return std::nullopt;
}

std::string azure_error_json(std::string_view code, std::string_view message,
                             std::string_view param) {
  json::object error{{"code", code}, {"message", message}};
  if (!param.empty()) error["param"] = param;
  return json::serialize(json::object{{"error", std::move(error)}});
}

std::string azure_content_filter_error() {
  json::object results = safe_filter_results();
  results["hate"] = json::object{{"filtered", true}, {"severity", "high"}};
  results["jailbreak"] = json::object{{"filtered", false}, {"detected", false}};
  json::object error{
      {"message",
       "The response was filtered due to the prompt triggering Azure OpenAI's content management "
       "policy. Please modify your prompt and retry. (injected by sluice mock-upstream)"},
      {"type", nullptr},
      {"param", "prompt"},
      {"code", "content_filter"},
      {"status", 400},
      {"innererror", json::object{{"code", "ResponsibleAIPolicyViolation"},
                                  {"content_filter_result", std::move(results)}}}};
  return json::serialize(json::object{{"error", std::move(error)}});
}

std::string azure_chat_completion(std::string_view openai_completion_json) {
  json::value parsed = json::parse(openai_completion_json);
  json::object& completion = parsed.as_object();
  completion["prompt_filter_results"] = prompt_filter_results();
  if (json::value* choices = completion.if_contains("choices"); choices && choices->is_array())
    for (json::value& choice : choices->as_array())
      if (choice.is_object()) choice.as_object()["content_filter_results"] = safe_filter_results();
  return json::serialize(parsed);
}

std::string azure_prompt_filter_chunk() {
  return json::serialize(json::object{{"choices", json::array()},
                                      {"created", 0},
                                      {"id", ""},
                                      {"model", ""},
                                      {"object", ""},
                                      {"prompt_filter_results", prompt_filter_results()}});
}

}  // namespace sluice::mock
