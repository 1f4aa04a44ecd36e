#include "gateway/pricing.hpp"

#include <algorithm>

namespace sluice::gateway {

namespace {

// List prices in USD per 1M tokens as published by each provider (OpenAI, Anthropic and Groq
// pricing pages, mid-2025): {model, input, output, cached input}. They go stale; gateway.prices
// entries override them, and that is where negotiated or changed prices belong. Anthropic's
// cache writes (1.25x input) are not modelled: usage reports do not separate them here.
// Dated ids are the snapshots the aliases resolved to, since responses name the snapshot.
const std::vector<core::PriceConfig> kBuiltin = {
    {"gpt-4o", 2.50, 10.00, 1.25},
    {"gpt-4o-2024-08-06", 2.50, 10.00, 1.25},
    {"gpt-4o-mini", 0.15, 0.60, 0.075},
    {"gpt-4o-mini-2024-07-18", 0.15, 0.60, 0.075},
    {"gpt-4.1", 2.00, 8.00, 0.50},
    {"gpt-4.1-2025-04-14", 2.00, 8.00, 0.50},
    {"gpt-4.1-mini", 0.40, 1.60, 0.10},
    {"gpt-4.1-mini-2025-04-14", 0.40, 1.60, 0.10},
    {"o3-mini", 1.10, 4.40, 0.55},
    {"o3-mini-2025-01-31", 1.10, 4.40, 0.55},
    {"claude-3-5-sonnet-latest", 3.00, 15.00, 0.30},
    {"claude-3-5-sonnet-20241022", 3.00, 15.00, 0.30},
    {"claude-sonnet-4", 3.00, 15.00, 0.30},
    {"claude-sonnet-4-0", 3.00, 15.00, 0.30},
    {"claude-sonnet-4-20250514", 3.00, 15.00, 0.30},
    {"claude-3-5-haiku-latest", 0.80, 4.00, 0.08},
    {"claude-3-5-haiku-20241022", 0.80, 4.00, 0.08},
    {"text-embedding-3-small", 0.02, 0, 0},
    {"text-embedding-3-large", 0.13, 0, 0},
    {"llama-3.1-8b-instant", 0.05, 0.08, 0},
};

}  // namespace

const std::vector<core::PriceConfig>& builtin_prices() { return kBuiltin; }

PriceTable::PriceTable(const std::vector<core::PriceConfig>& prices) {
  // Validation rejects duplicates; should one slip through, the last entry wins, as in YAML.
  for (const core::PriceConfig& p : prices) configured_.insert_or_assign(p.model, p);
}

const core::PriceConfig* PriceTable::lookup(const Table& table, std::string_view model) {
  if (const auto it = table.find(model); it != table.end()) return &it->second;
  if (const std::size_t slash = model.find('/'); slash != std::string_view::npos) {
    if (const auto it = table.find(model.substr(slash + 1)); it != table.end()) return &it->second;
  }
  return nullptr;
}

const core::PriceConfig* PriceTable::find(std::string_view model) const {
  static const Table builtin = [] {
    Table t;
    for (const core::PriceConfig& p : kBuiltin) t.emplace(p.model, p);
    return t;
  }();
  if (const core::PriceConfig* p = lookup(configured_, model)) return p;
  return lookup(builtin, model);
}

double PriceTable::cost_usd(std::string_view model, long long prompt_tokens,
                            long long completion_tokens, long long cached_prompt_tokens) const {
  const core::PriceConfig* price = find(model);
  if (price == nullptr) return 0;
  const long long prompt = std::max(prompt_tokens, 0LL);
  const long long cached = std::clamp(cached_prompt_tokens, 0LL, prompt);
  const long long completion = std::max(completion_tokens, 0LL);
  const double cached_price = price->cached_input_per_million > 0 ? price->cached_input_per_million
                                                                  : price->input_per_million;
  return (static_cast<double>(prompt - cached) * price->input_per_million +
          static_cast<double>(cached) * cached_price +
          static_cast<double>(completion) * price->output_per_million) /
         1e6;
}

}  // namespace sluice::gateway
