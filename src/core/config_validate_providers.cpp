// What a provider adds to the requests it sends upstream: Azure's api-version, extra headers and
// parameter rules.

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "core/config_validate.hpp"
#include "core/strings.hpp"

namespace sluice::core::detail {
namespace {

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 9110's token characters: what a header name may be made of.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return is_ascii_alnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Control characters other than tab would end or split the header line.
bool has_control_character(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

// Framing and hop-by-hop headers (RFC 9110 7.6.1, RFC 9112): the upstream connection's own
// business, which the upstream client writes itself.
constexpr std::array<std::string_view, 9> kConnectionHeaders = {
    "host",       "content-length", "transfer-encoding",
    "connection", "keep-alive",     "proxy-connection",
    "te",         "trailer",        "upgrade"};
// Headers every request already carries: a second line would be ambiguous.
constexpr std::array<std::string_view, 4> kRequestHeaders = {"content-type", "accept",
                                                             "traceparent", "x-request-id"};

// The header a provider type authenticates with when it has an api_key.
std::string_view auth_header(std::string_view type) {
  if (type == "azure") return "api-key";
  if (type == "anthropic") return "x-api-key";
  return "authorization";
}

template <std::size_t N>
bool is_one_of(std::string_view lowered, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), lowered) != names.end();
}

void validate_headers(const ProviderConfig& p, const std::string& path, Reporter& report) {
  for (const auto& [name, value] : p.headers) {
    const std::string key = path + ".headers." + name;
    const std::string lowered = lower(name);
    if (!is_token(name)) {
      report.add(key, "'" + name + "' is not a header name",
                 "use letters, digits and - (e.g. OpenAI-Organization)");
      continue;
    }
    if (is_one_of(lowered, kConnectionHeaders)) {
      report.add(key, "is a framing or hop-by-hop header, which the upstream connection sets",
                 "remove it");
    } else if (is_one_of(lowered, kRequestHeaders) ||
               (p.type == "anthropic" && lowered == "anthropic-version")) {
      report.add(key, "is set on every request by Sluice", "remove it");
    } else if (!p.api_key.empty() && lowered == auth_header(p.type)) {
      report.add(key, "would send a second " + name + " beside the one api_key sets",
                 "remove it, or remove api_key");
    }
    // Never echo the value: it may be a credential.
    if (value.empty()) {
      report.add(key, "is empty", "give it a value or remove the entry");
    } else if (has_control_character(value)) {
      report.add(key, "has a line break or control character in its value",
                 "header values are one line; check the variable or file it comes from");
    }
  }
}

// Members the gateway itself relies on: a rule may not take them away.
bool is_protected_param(std::string_view name) {
  return name == "model" || name == "messages" || name == "stream" || name == "stream_options";
}

void validate_param_name(const std::string& key, const std::string& name, Reporter& report) {
  if (name.empty()) {
    report.add(key, "must not be empty", "name a request parameter, e.g. temperature");
  } else if (is_protected_param(name)) {
    report.add(key, "'" + name + "' cannot be changed: the gateway needs it",
               "rules may drop or rename other parameters, e.g. temperature");
  }
}

void validate_param_rules(const ProviderConfig& p, const std::string& path, Reporter& report) {
  for (std::size_t i = 0; i < p.param_rules.size(); ++i) {
    const ParamRuleConfig& rule = p.param_rules[i];
    const std::string rule_path = path + ".param_rules." + std::to_string(i);
    if (rule.models.empty())
      report.add(rule_path + ".models", "must not be empty",
                 "a pattern of the upstream model ids it applies to, e.g. o3* or my-deployment");
    if (rule.drop.empty() && rule.rename.empty())
      report.add(rule_path, "changes nothing", "give it drop: [...] and/or rename: {from: to}");
    for (std::size_t j = 0; j < rule.drop.size(); ++j)
      validate_param_name(rule_path + ".drop." + std::to_string(j), rule.drop[j], report);
    for (const auto& [from, to] : rule.rename) {
      const std::string key = rule_path + ".rename." + from;
      validate_param_name(key, from, report);
      validate_param_name(key, to, report);
      if (!from.empty() && from == to)
        report.add(key, "renames '" + from + "' to itself", "remove the entry");
    }
  }
}

}  // namespace

void validate_provider_requests(const ProviderConfig& p, const std::string& path,
                                Reporter& report) {
  if (p.type == "mock") {
    // The mock answers in process: there is no request to add anything to.
    if (!p.headers.empty())
      report.add(path + ".headers", "type mock sends no requests", "remove it");
    if (!p.param_rules.empty())
      report.add(path + ".param_rules", "type mock sends no requests", "remove it");
  }
  if (!p.api_version.empty()) {
    const bool url_safe = std::all_of(p.api_version.begin(), p.api_version.end(), [](char c) {
      return is_ascii_alnum(c) || c == '-' || c == '.' || c == '_';
    });
    if (p.type != "azure") {
      report.add(path + ".api_version", "is only for type azure", "remove it");
    } else if (!url_safe || p.api_version.size() > 64) {
      report.add(path + ".api_version", "'" + p.api_version + "' is not an API version",
                 std::string("e.g. ") + kDefaultAzureApiVersion + " or 2025-04-01-preview");
    }
  }
  validate_headers(p, path, report);
  validate_param_rules(p, path, report);
}

}  // namespace sluice::core::detail
