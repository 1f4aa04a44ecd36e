#include "gateway/pricing.hpp"

#include <algorithm>

namespace sluice::gateway {

namespace {

// List prices in USD per 1M tokens as published by each provider (OpenAI, Anthropic and Groq
// pricing pages, late 2025): {model, input, output, cache read, cache write}. They go stale;
// gateway.prices entries override them, and that is where negotiated or changed prices belong.
// OpenAI bills no cache writes (caching is automatic) and reports none; Anthropic's are its
// 5-minute writes (1.25x input); its 1-hour writes (2x input) are priced by the rule in
// PriceTable::cache_write_1h_price, so entries leave them out.
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
    {"gpt-4.1-nano", 0.10, 0.40, 0.025},
    {"gpt-4.1-nano-2025-04-14", 0.10, 0.40, 0.025},
    {"gpt-5", 1.25, 10.00, 0.125},
    {"gpt-5-2025-08-07", 1.25, 10.00, 0.125},
    {"gpt-5-mini", 0.25, 2.00, 0.025},
    {"gpt-5-mini-2025-08-07", 0.25, 2.00, 0.025},
    {"gpt-5-nano", 0.05, 0.40, 0.005},
    {"gpt-5-nano-2025-08-07", 0.05, 0.40, 0.005},
    {"o1", 15.00, 60.00, 7.50},
    {"o1-2024-12-17", 15.00, 60.00, 7.50},
    {"o3", 2.00, 8.00, 0.50},
    {"o3-2025-04-16", 2.00, 8.00, 0.50},
    {"o3-mini", 1.10, 4.40, 0.55},
    {"o3-mini-2025-01-31", 1.10, 4.40, 0.55},
    {"o4-mini", 1.10, 4.40, 0.275},
    {"o4-mini-2025-04-16", 1.10, 4.40, 0.275},
    {"claude-3-5-sonnet-latest", 3.00, 15.00, 0.30, 3.75},
    {"claude-3-5-sonnet-20241022", 3.00, 15.00, 0.30, 3.75},
    {"claude-3-7-sonnet-latest", 3.00, 15.00, 0.30, 3.75},
    {"claude-3-7-sonnet-20250219", 3.00, 15.00, 0.30, 3.75},
    {"claude-sonnet-4", 3.00, 15.00, 0.30, 3.75},
    {"claude-sonnet-4-0", 3.00, 15.00, 0.30, 3.75},
    {"claude-sonnet-4-20250514", 3.00, 15.00, 0.30, 3.75},
    {"claude-sonnet-4-5", 3.00, 15.00, 0.30, 3.75},
    {"claude-sonnet-4-5-20250929", 3.00, 15.00, 0.30, 3.75},
    {"claude-opus-4-0", 15.00, 75.00, 1.50, 18.75},
    {"claude-opus-4-20250514", 15.00, 75.00, 1.50, 18.75},
    {"claude-opus-4-1", 15.00, 75.00, 1.50, 18.75},
    {"claude-opus-4-1-20250805", 15.00, 75.00, 1.50, 18.75},
    {"claude-3-5-haiku-latest", 0.80, 4.00, 0.08, 1.00},
    {"claude-3-5-haiku-20241022", 0.80, 4.00, 0.08, 1.00},
    {"claude-haiku-4-5", 1.00, 5.00, 0.10, 1.25},
    {"claude-haiku-4-5-20251001", 1.00, 5.00, 0.10, 1.25},
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

double PriceTable::cache_write_1h_price(const core::PriceConfig& price) {
  return price.cache_write_1h_per_million > 0 ? price.cache_write_1h_per_million
                                              : 2 * price.input_per_million;
}

double PriceTable::cost_usd(std::string_view model, const Usage& usage) const {
  const core::PriceConfig* price = find(model);
  if (price == nullptr) return 0;
  const Usage::PromptParts prompt = usage.prompt_parts();
  const long long completion = std::max(usage.completion_tokens, 0LL);
  const auto or_input = [price](double specific) {
    return specific > 0 ? specific : price->input_per_million;
  };
  return (static_cast<double>(prompt.uncached) * price->input_per_million +
          static_cast<double>(prompt.cache_read) * or_input(price->cached_input_per_million) +
          static_cast<double>(prompt.cache_write) * or_input(price->cache_write_per_million) +
          static_cast<double>(prompt.cache_write_1h) * cache_write_1h_price(*price) +
          static_cast<double>(completion) * price->output_per_million) /
         1e6;
}

double PriceTable::cost_usd(std::string_view model, long long prompt_tokens,
                            long long completion_tokens, long long cached_prompt_tokens) const {
  Usage usage;
  usage.prompt_tokens = prompt_tokens;
  usage.completion_tokens = completion_tokens;
  usage.cached_tokens = cached_prompt_tokens;
  return cost_usd(model, usage);
}

}  // namespace sluice::gateway
