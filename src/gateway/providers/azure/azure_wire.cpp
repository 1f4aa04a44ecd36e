#include "gateway/providers/azure/azure_wire.hpp"

#include <boost/json.hpp>

namespace sluice::gateway {
namespace json = boost::json;

namespace {

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void append_percent_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
}

// Azure writes some codes as numbers in strings ("429"), others as names ("content_filter").
std::string code_text(const json::value* code) {
  if (code == nullptr) return {};
  if (code->is_string()) return std::string(code->get_string());
  if (code->is_int64()) return std::to_string(code->get_int64());
  return {};
}

}  // namespace

std::string azure_target(std::string_view base_path, std::string_view deployment,
                         std::string_view resource, std::string_view api_version) {
  while (base_path.ends_with('/')) base_path.remove_suffix(1);
  std::string target(base_path);
  if (!base_path.ends_with("/openai")) target += "/openai";
  target += "/deployments/";
  append_percent_encoded(target, deployment);
  target += resource;
  target += "?api-version=";
  append_percent_encoded(target, api_version);
  return target;
}

void adapt_azure_failure(AttemptResult& failure, int status) {
  if (failure.upstream_error_body.empty()) return;  // not a JSON error object: nothing to adapt
  json::error_code ec;
  json::value parsed = json::parse(failure.upstream_error_body, ec);
  if (ec || !parsed.is_object()) return;
  json::value* error = parsed.as_object().if_contains("error");
  if (!error || !error->is_object()) return;
  json::object& e = error->as_object();
  const json::value* type = e.if_contains("type");
  if (!type || !type->is_string()) e["type"] = openai_error_type(errc_from_status(status));
  if (!e.contains("param")) e["param"] = nullptr;
  failure.error.code_detail = code_text(e.if_contains("code"));
  if (const json::value* param = e.if_contains("param"); param && param->is_string())
    failure.error.param = std::string(param->get_string());
  failure.upstream_error_body = json::serialize(parsed);
}

}  // namespace sluice::gateway
