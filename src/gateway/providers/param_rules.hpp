#pragma once
// Request parameters a model rejects, dropped or renamed before a chat request goes upstream:
// OpenAI's reasoning models built in, and a provider's configured rules. Applied where a
// provider builds the body for its deployment, and only when they change something, so that an
// untouched request still goes out as the client's own bytes.

#include <atomic>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace sluice::gateway {

// Whether `model` is one of OpenAI's reasoning models, which take max_completion_tokens and
// reject the sampling parameters: o1, o3, o4-mini and later o-series, gpt-5 and later (but the
// gpt-5-chat models). A "provider/" prefix (e.g. "openai/o3" at an aggregator) is ignored.
bool is_openai_reasoning_model(std::string_view model);

class ParamRules {
 public:
  // `configured`: the provider's param_rules; `builtin`: also the rules of OpenAI's reasoning
  // models (before the configured ones).
  ParamRules(std::vector<core::ParamRuleConfig> configured, bool builtin);
  ParamRules(const ParamRules&) = delete;
  ParamRules& operator=(const ParamRules&) = delete;

  // Whether apply() would change `request` (a chat request's members) for `model`. Cheap: a
  // few lookups when the model matches a rule, a pattern test per rule otherwise.
  bool changes(std::string_view model, const boost::json::object& request) const {
    return !first_change(model, request).empty();
  }
  // The first member apply() would drop or rename; empty when none.
  std::string_view first_change(std::string_view model, const boost::json::object& request) const;
  // Drops and renames the members of `request` the rules for `model` name. A rename whose target
  // is already there drops the old name instead (the client's newer parameter wins). Counts each
  // change for edit_counts(). Returns whether anything changed.
  bool apply(std::string_view model, boost::json::object& request) const;

  // Changes made so far, per parameter and action ("dropped", "renamed"); every parameter a rule
  // names is listed, 0 included. Safe to call while requests apply rules.
  struct EditCount {
    std::string param;
    std::string_view action;
    uint64_t count = 0;
  };
  std::vector<EditCount> edit_counts() const;

 private:
  struct Edit {
    std::string param;
    std::string rename_to;  // empty: dropped
    std::size_t counter;    // index into counters_
  };
  struct Rule {
    std::string pattern;     // '*' matches any run of characters
    bool reasoning = false;  // the built-in rule: matches is_openai_reasoning_model()
    std::vector<Edit> edits;
  };
  // The built-in rule's sampling parameters are allowed with reasoning_effort "none" on the
  // models that offer it (gpt-5.1 and later).
  static bool sampling_allowed(std::string_view model, const boost::json::object& request);
  static bool is_sampling_param(std::string_view param);
  bool matches(const Rule& rule, std::string_view model) const;
  // Whether `edit` of `rule` finds something to change in `request`.
  static bool applicable(const Rule& rule, const Edit& edit, std::string_view model,
                         const boost::json::object& request);
  std::size_t counter_for(const std::string& param, std::string_view action);

  std::vector<Rule> rules_;
  struct CounterName {
    std::string param;
    std::string_view action;
  };
  std::vector<CounterName> counter_names_;
  std::unique_ptr<std::atomic<uint64_t>[]> counters_;
};

}  // namespace sluice::gateway
