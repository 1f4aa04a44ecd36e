#pragma once

#include <string>
#include <string_view>

namespace sluice {

// Error kinds with a fixed HTTP status and OpenAI error type, so every layer speaks one language
// and the API edge renders `{"error":{"message","type","param","code"}}` without guessing.
enum class Errc {
  invalid_request,     // 400
  unauthorized,        // 401
  forbidden,           // 403
  not_found,           // 404
  method_not_allowed,  // 405
  request_timeout,     // 408
  conflict,            // 409
  payload_too_large,   // 413
  unprocessable,       // 422
  rate_limited,        // 429
  headers_too_large,   // 431
  internal,            // 500
  bad_gateway,         // 502
  unavailable,         // 503
  gateway_timeout,     // 504
};

struct Error {
  Errc code = Errc::internal;
  std::string message;
  std::string param;        // the offending request field, when there is one
  std::string code_detail;  // OpenAI's machine-readable `code` (e.g. "model_not_found")
};

int http_status(Errc code);
// OpenAI's `type` field for this kind: invalid_request_error, authentication_error, ...
std::string_view openai_error_type(Errc code);
// The kind that an HTTP status maps to, for errors relayed from elsewhere.
Errc errc_from_status(int status);

// The OpenAI error body: {"error":{"message","type","param","code"}}.
std::string render_error_body(const Error& error);

inline Error make_error(Errc code, std::string message, std::string param = {},
                        std::string code_detail = {}) {
  return Error{code, std::move(message), std::move(param), std::move(code_detail)};
}

}  // namespace sluice
