#pragma once
// What Azure OpenAI does differently from OpenAI's API on the wire: deployment-based URLs with an
// api-version query, and error bodies that leave out OpenAI's `type`. Requests, answers and
// streams are otherwise OpenAI's, so the OpenAI-compatible provider speaks to Azure with these.

#include <string>
#include <string_view>

#include "gateway/types.hpp"

namespace sluice::gateway {

// "{base_path}/openai/deployments/{deployment}{resource}?api-version={api_version}", e.g.
// resource "/chat/completions". The deployment is percent-encoded; a base path that already ends
// in "/openai" (or "/") is not doubled.
std::string azure_target(std::string_view base_path, std::string_view deployment,
                         std::string_view resource, std::string_view api_version);

// An Azure error answer, read by http_failure(), in OpenAI's shape: `type` filled in from the
// status where Azure sends none or null, the rest (code, param, status, and innererror with a
// content filter's results) kept as Azure sent it. The failure's Error takes Azure's code (e.g.
// "content_filter", "DeploymentNotFound") and param, so logs and other dialects see them. A
// content-filtered prompt thus stays a 400 upstream_4xx: relayed to the client, never retried.
void adapt_azure_failure(AttemptResult& failure, int status);

}  // namespace sluice::gateway
