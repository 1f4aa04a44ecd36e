#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

// USD prices per million tokens, by model id. Immutable after construction, so one table may be
// shared by every thread.
class PriceTable {
 public:
  // `prices` (gateway.prices) override the built-in list prices model by model.
  explicit PriceTable(const std::vector<core::PriceConfig>& prices);

  // The price per million 1-hour cache writes of `price`: its own, else twice its input price.
  static double cache_write_1h_price(const core::PriceConfig& price);

  // The price of `model`: an exact match, else the id after a "provider/" prefix
  // ("openai/gpt-4o" -> "gpt-4o"); configured entries before built-in ones. Null when unknown.
  // Matching is exact otherwise, so dated snapshots that are not listed need a config entry.
  const core::PriceConfig* find(std::string_view model) const;
  bool has_price(std::string_view model) const { return find(model) != nullptr; }

  // The call's cost, its prompt split by Usage::prompt_parts() so that no token is priced twice:
  // (uncached * input + cache reads * cached_input + cache writes * cache_write + 1-hour cache
  // writes * cache_write_1h + completion * output) / 1e6. cached_input and cache_write default
  // to the input price when 0, cache_write_1h to twice the input price (Anthropic's multiplier
  // for 1-hour writes). 0 for a model without a price (check has_price).
  double cost_usd(std::string_view model, const Usage& usage) const;
  // The same for a usage without cache writes.
  double cost_usd(std::string_view model, long long prompt_tokens, long long completion_tokens,
                  long long cached_prompt_tokens = 0) const;

 private:
  using Table = std::map<std::string, core::PriceConfig, std::less<>>;
  static const core::PriceConfig* lookup(const Table& table, std::string_view model);

  Table configured_;
};

// The built-in list prices, used for models that gateway.prices does not name.
const std::vector<core::PriceConfig>& builtin_prices();

}  // namespace sluice::gateway
