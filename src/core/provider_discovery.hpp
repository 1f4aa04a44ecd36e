#pragma once

#include <map>
#include <string>

#include "core/config.hpp"

namespace sluice::core {

// When the configuration names no provider, the standard environment variables configure them:
// OPENAI_API_KEY (and OPENAI_BASE_URL), ANTHROPIC_API_KEY, GROQ_API_KEY, GEMINI_API_KEY,
// OLLAMA_HOST. The first found (in that order) serves model names that are not aliases. With
// none at all, the in-process `mock` provider does, so a fresh install answers out of the box.
void discover_providers(GatewayConfig& gateway, const std::map<std::string, std::string>& env);

}  // namespace sluice::core
