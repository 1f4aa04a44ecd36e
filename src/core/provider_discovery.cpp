#include "core/provider_discovery.hpp"

#include <string_view>

namespace sluice::core {
namespace {

// A provider the environment can configure: by its key variable, its base URL variable, or both.
struct EnvProvider {
  const char* name;
  const char* type;
  const char* key_var;  // empty: keyless
  const char* url_var;  // empty: the URL is fixed
  const char* default_url;
};

constexpr EnvProvider kEnvProviders[] = {
    {"openai", "openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1"},
    {"anthropic", "anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
     "https://api.anthropic.com"},
    // The variables the official SDKs' AzureOpenAI clients read. No default URL: every resource
    // has its own endpoint, and validation says so when only the key is set.
    {"azure", "azure", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", ""},
    {"groq", "openai", "GROQ_API_KEY", "", "https://api.groq.com/openai/v1"},
    {"gemini", "openai", "GEMINI_API_KEY", "",
     "https://generativelanguage.googleapis.com/v1beta/openai"},
};

constexpr std::string_view kOllamaDefaultPort = "11434";

std::string env_value(const std::map<std::string, std::string>& env, std::string_view name) {
  if (name.empty()) return {};
  auto it = env.find(std::string(name));
  return it == env.end() ? std::string() : it->second;
}

ProviderConfig provider(std::string name, std::string type, std::string base_url) {
  ProviderConfig p;
  p.name = std::move(name);
  p.type = std::move(type);
  p.base_url = std::move(base_url);
  return p;
}

// OLLAMA_HOST as Ollama reads it ("host", "host:port" or a URL) -> its OpenAI-compatible base.
std::string ollama_base_url(std::string host) {
  if (!host.starts_with("http://") && !host.starts_with("https://")) host = "http://" + host;
  while (host.ends_with('/')) host.pop_back();
  const std::size_t authority = host.find("://") + 3;
  const std::string_view rest = std::string_view(host).substr(authority);
  const bool has_port = rest.starts_with('[') ? rest.find("]:") != std::string_view::npos
                                              : rest.find(':') != std::string_view::npos;
  if (!has_port && rest.find('/') == std::string_view::npos) {
    host += ":";
    host += kOllamaDefaultPort;
  }
  return host + "/v1";
}

void add_mock_provider(GatewayConfig& gateway) {
  gateway.providers.push_back(provider("mock", "mock", ""));
  if (!gateway.models.empty()) return;
  ModelAliasConfig alias;
  alias.alias = "mock";
  alias.deployments.push_back(DeploymentConfig{"mock", "mock", 1, 0, ""});
  gateway.models.push_back(std::move(alias));
}

// OPENAI_ORG_ID and OPENAI_PROJECT_ID, which the official OpenAI SDKs send as these headers.
// `path` is the provider's key path with a trailing dot.
void add_openai_headers(ProviderConfig& p, const std::string& path,
                        const std::map<std::string, std::string>& env, Config& config,
                        std::map<std::string, std::string>& where) {
  constexpr std::pair<const char*, const char*> kHeaders[] = {
      {"OPENAI_ORG_ID", "OpenAI-Organization"}, {"OPENAI_PROJECT_ID", "OpenAI-Project"}};
  for (const auto& [var, header] : kHeaders) {
    std::string value = env_value(env, var);
    if (value.empty()) continue;
    const std::string key = path + "headers." + header;
    where[key] = "from env " + std::string(var);
    config.secret_sources[key] = {SecretSource::Kind::env_var, var};
    p.headers.emplace(header, std::move(value));
  }
}

}  // namespace

std::map<std::string, std::string> discover_providers(
    Config& config, const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> where;
  GatewayConfig& gateway = config.gateway;
  if (!gateway.providers.empty()) return where;
  const auto next_path = [&gateway](std::string_view key) {
    return "gateway.providers." + std::to_string(gateway.providers.size()) + "." + std::string(key);
  };
  for (const EnvProvider& candidate : kEnvProviders) {
    const std::string key = env_value(env, candidate.key_var);
    const std::string url = env_value(env, candidate.url_var);
    if (key.empty() && url.empty()) continue;
    ProviderConfig p =
        provider(candidate.name, candidate.type, url.empty() ? candidate.default_url : url);
    p.api_key = key;
    if (!url.empty()) where[next_path("base_url")] = "from env " + std::string(candidate.url_var);
    if (!key.empty()) {
      where[next_path("api_key")] = "from env " + std::string(candidate.key_var);
      config.secret_sources[next_path("api_key")] = {SecretSource::Kind::env_var,
                                                     candidate.key_var};
    }
    if (p.type == "azure") {
      if (url.empty())
        where[next_path("base_url")] =
            "from env AZURE_OPENAI_API_KEY without AZURE_OPENAI_ENDPOINT";
      if (std::string version = env_value(env, "OPENAI_API_VERSION"); !version.empty()) {
        where[next_path("api_version")] = "from env OPENAI_API_VERSION";
        p.api_version = std::move(version);
      }
    }
    if (p.name == "openai") add_openai_headers(p, next_path(""), env, config, where);
    gateway.providers.push_back(std::move(p));
  }
  if (const std::string host = env_value(env, "OLLAMA_HOST"); !host.empty()) {
    where[next_path("base_url")] = "from env OLLAMA_HOST";
    gateway.providers.push_back(provider("ollama", "openai", ollama_base_url(host)));
  }
  if (gateway.providers.empty() && config.profile == Profile::dev) add_mock_provider(gateway);
  if (gateway.default_provider.empty() && !gateway.providers.empty())
    gateway.default_provider = gateway.providers.front().name;
  return where;
}

std::string fake_answers_warning(const GatewayConfig& gateway) {
  std::string mocks;
  std::size_t count = 0;
  for (const ProviderConfig& p : gateway.providers) {
    if (p.type != "mock") continue;
    mocks += count++ == 0 ? "'" : ", '";
    mocks += p.name + "'";
  }
  if (count == 0) return {};
  if (count < gateway.providers.size())
    return "requests routed to " + mocks + " get fake answers from the built-in mock provider";
  return "serving fake answers from the built-in mock provider: configure a provider "
         "(gateway.providers in sluice.yaml, or " +
         std::string(kProviderEnvVars) + ")";
}

}  // namespace sluice::core
