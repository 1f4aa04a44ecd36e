#include "core/provider_discovery.hpp"

namespace sluice::core {
namespace {

std::string env_value(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

ProviderConfig provider(std::string name, std::string type, std::string base_url, std::string key) {
  ProviderConfig p;
  p.name = std::move(name);
  p.type = std::move(type);
  p.base_url = std::move(base_url);
  p.api_key = std::move(key);
  return p;
}

}  // namespace

void discover_providers(GatewayConfig& gateway, const std::map<std::string, std::string>& env) {
  if (!gateway.providers.empty()) return;
  if (auto key = env_value(env, "OPENAI_API_KEY"); !key.empty()) {
    std::string base = env_value(env, "OPENAI_BASE_URL");
    gateway.providers.push_back(
        provider("openai", "openai", base.empty() ? "https://api.openai.com/v1" : base, key));
  }
  if (auto key = env_value(env, "ANTHROPIC_API_KEY"); !key.empty())
    gateway.providers.push_back(
        provider("anthropic", "anthropic", "https://api.anthropic.com", key));
  if (auto key = env_value(env, "GROQ_API_KEY"); !key.empty())
    gateway.providers.push_back(provider("groq", "openai", "https://api.groq.com/openai/v1", key));
  if (auto key = env_value(env, "GEMINI_API_KEY"); !key.empty())
    gateway.providers.push_back(provider(
        "gemini", "openai", "https://generativelanguage.googleapis.com/v1beta/openai", key));
  if (auto host = env_value(env, "OLLAMA_HOST"); !host.empty()) {
    if (!host.starts_with("http://") && !host.starts_with("https://")) host = "http://" + host;
    while (!host.empty() && host.back() == '/') host.pop_back();
    gateway.providers.push_back(provider("ollama", "openai", host + "/v1", ""));
  }
  if (gateway.providers.empty()) {
    gateway.providers.push_back(provider("mock", "mock", "", ""));
    if (gateway.models.empty()) {
      ModelAliasConfig alias;
      alias.alias = "mock";
      alias.deployments.push_back(DeploymentConfig{"mock", "mock", 1, 0, ""});
      gateway.models.push_back(std::move(alias));
    }
  }
  if (gateway.default_provider.empty()) gateway.default_provider = gateway.providers.front().name;
}

}  // namespace sluice::core
