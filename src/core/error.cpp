#include "core/error.hpp"

#include "core/json_text.hpp"

namespace sluice {

int http_status(Errc code) {
  switch (code) {
    case Errc::invalid_request:
      return 400;
    case Errc::unauthorized:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::not_found:
      return 404;
    case Errc::method_not_allowed:
      return 405;
    case Errc::request_timeout:
      return 408;
    case Errc::conflict:
      return 409;
    case Errc::payload_too_large:
      return 413;
    case Errc::unprocessable:
      return 422;
    case Errc::rate_limited:
      return 429;
    case Errc::headers_too_large:
      return 431;
    case Errc::internal:
      return 500;
    case Errc::bad_gateway:
      return 502;
    case Errc::unavailable:
      return 503;
    case Errc::gateway_timeout:
      return 504;
  }
  return 500;
}

std::string_view openai_error_type(Errc code) {
  switch (code) {
    case Errc::unauthorized:
      return "authentication_error";
    case Errc::forbidden:
      return "permission_error";
    case Errc::not_found:
      return "not_found_error";
    case Errc::rate_limited:
      return "rate_limit_error";
    case Errc::internal:
    case Errc::bad_gateway:
    case Errc::gateway_timeout:
      return "server_error";
    case Errc::unavailable:
      return "service_unavailable_error";
    default:
      return "invalid_request_error";
  }
}

Errc errc_from_status(int status) {
  switch (status) {
    case 400:
      return Errc::invalid_request;
    case 401:
      return Errc::unauthorized;
    case 403:
      return Errc::forbidden;
    case 404:
      return Errc::not_found;
    case 405:
      return Errc::method_not_allowed;
    case 408:
      return Errc::request_timeout;
    case 409:
      return Errc::conflict;
    case 413:
      return Errc::payload_too_large;
    case 422:
      return Errc::unprocessable;
    case 429:
      return Errc::rate_limited;
    case 431:
      return Errc::headers_too_large;
    case 502:
      return Errc::bad_gateway;
    case 503:
      return Errc::unavailable;
    case 504:
      return Errc::gateway_timeout;
    default:
      return status >= 500 ? Errc::internal : Errc::invalid_request;
  }
}

std::string render_error_body(const Error& error) {
  std::string out = "{\"error\":{\"message\":";
  core::append_json_string(out, error.message);
  out += ",\"type\":";
  core::append_json_string(out, openai_error_type(error.code));
  out += ",\"param\":";
  if (error.param.empty())
    out += "null";
  else
    core::append_json_string(out, error.param);
  out += ",\"code\":";
  if (error.code_detail.empty())
    out += "null";
  else
    core::append_json_string(out, error.code_detail);
  out += "}}";
  return out;
}

}  // namespace sluice
