#pragma once
// Azure OpenAI's side of `sluice mock-upstream`: what its deployment endpoints check before any
// model runs, their error bodies, and the content filter results Azure adds to OpenAI's answers.
// Pure functions over JSON text; the routes live in mock_upstream.cpp.

#include <optional>
#include <string>
#include <string_view>

namespace sluice::mock {

struct AzureRefusal {
  int status = 0;
  std::string body;  // Azure's error JSON
};

// Azure's refusals before the body is read: 401 without an `api-key` header (or an Entra ID
// `Authorization: Bearer`), 404 "Resource not found" without an api-version query parameter.
// nullopt: the request may go on.
std::optional<AzureRefusal> refuse_azure_request(std::string_view api_key,
                                                 std::string_view authorization,
                                                 std::optional<std::string_view> api_version);

// {"error":{"code","message"}} (with "param" when given), as Azure answers most errors: its code
// a name ("DeploymentNotFound") or the status as text ("429").
std::string azure_error_json(std::string_view code, std::string_view message,
                             std::string_view param = {});

// The 400 Azure answers a prompt its content filter refuses: code content_filter, param prompt,
// status 400, innererror ResponsibleAIPolicyViolation with the filter's results (hate filtered).
std::string azure_content_filter_error();

// An OpenAI chat.completion as Azure sends it: `prompt_filter_results` added, and
// `content_filter_results` in every choice (every category "safe").
std::string azure_chat_completion(std::string_view openai_completion_json);

// The chunk Azure streams first: no choices, the prompt's filter results, empty id and model.
std::string azure_prompt_filter_chunk();

}  // namespace sluice::mock
