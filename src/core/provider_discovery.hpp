#pragma once

#include <map>
#include <string>

#include "core/config.hpp"

namespace sluice::core {

// The environment variables that configure providers, as a fix message lists them.
inline constexpr const char* kProviderEnvVars =
    "OPENAI_API_KEY / OPENAI_BASE_URL, ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL, "
    "AZURE_OPENAI_API_KEY / AZURE_OPENAI_ENDPOINT, GROQ_API_KEY, GEMINI_API_KEY or OLLAMA_HOST";

// When the configuration names no provider, the standard environment variables configure them:
// OPENAI_API_KEY and/or OPENAI_BASE_URL (without a key: a keyless OpenAI-compatible server such
// as vLLM or llama.cpp; OPENAI_ORG_ID and OPENAI_PROJECT_ID add the OpenAI-Organization and
// OpenAI-Project headers), ANTHROPIC_API_KEY and/or ANTHROPIC_BASE_URL, AZURE_OPENAI_API_KEY
// and/or AZURE_OPENAI_ENDPOINT (with OPENAI_API_VERSION), GROQ_API_KEY, GEMINI_API_KEY,
// OLLAMA_HOST (keyless). The first found, in that order, serves model names that
// are not aliases. With none at all, in the dev profile only, the in-process `mock` provider
// serves (alias "mock"); staging and prod are then refused by validation. Keys taken from the
// environment are recorded in config.secret_sources. Returns where each value set came from, by
// key path ("gateway.providers.0.base_url" -> "from env OPENAI_BASE_URL"), for error messages.
std::map<std::string, std::string> discover_providers(
    Config& config, const std::map<std::string, std::string>& env);

// The one start-up warning line when a provider of type mock serves fake answers; empty when
// none does.
std::string fake_answers_warning(const GatewayConfig& gateway);

}  // namespace sluice::core
