#include "gateway/providers/param_rules.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace sluice::gateway {
namespace json = boost::json;

namespace {

constexpr std::string_view kDropped = "dropped";
constexpr std::string_view kRenamed = "renamed";

// The model id after a "provider/" prefix, as aggregators name OpenAI's models.
std::string_view base_name(std::string_view model) {
  const std::size_t slash = model.rfind('/');
  return slash == std::string_view::npos ? model : model.substr(slash + 1);
}

// Reads leading digits of `s` into `out`; the characters read, 0 when none.
std::size_t read_number(std::string_view s, int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() ? static_cast<std::size_t>(end - s.data()) : 0;
}

// "gpt-<major>[.<minor>][-<variant>]" -> its parts; false for other names.
struct GptVersion {
  int major = 0;
  int minor = -1;  // -1: none
  std::string_view variant;
};
bool gpt_version(std::string_view name, GptVersion& v) {
  if (!name.starts_with("gpt-")) return false;
  std::string_view rest = name.substr(4);
  std::size_t n = read_number(rest, v.major);
  if (n == 0) return false;
  rest.remove_prefix(n);
  if (rest.starts_with('.')) {
    n = read_number(rest.substr(1), v.minor);
    if (n == 0) return false;
    rest.remove_prefix(n + 1);
  }
  if (rest.empty()) return true;
  if (rest.front() != '-' || rest.size() == 1) return false;
  v.variant = rest.substr(1);
  return true;
}

// '*' matches any run of characters (none included); everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool is_openai_reasoning_model(std::string_view model) {
  const std::string_view name = base_name(model);
  // o1, o3-mini, o4-mini-2025-04-16, ...: "o<digits>" then the end or '-'.
  if (name.size() >= 2 && name[0] == 'o' && name[1] >= '1' && name[1] <= '9') {
    int series = 0;
    const std::size_t n = read_number(name.substr(1), series);
    const std::string_view rest = name.substr(1 + n);
    return rest.empty() || rest.front() == '-';
  }
  GptVersion v;
  if (!gpt_version(name, v) || v.major < 5) return false;
  // gpt-5-chat-latest answers without reasoning and takes the usual parameters.
  return !(v.minor < 0 && v.variant.starts_with("chat"));
}

ParamRules::ParamRules(std::vector<core::ParamRuleConfig> configured, bool builtin) {
  if (builtin) {
    // OpenAI's reasoning models, as their API answers them (and as the official Vercel AI SDK
    // rewrites requests for them): max_tokens is refused in favour of max_completion_tokens,
    // the penalties, logit_bias and top_logprobs always, and temperature, top_p and logprobs
    // unless reasoning is off (reasoning_effort "none", gpt-5.1 and later).
    Rule rule;
    rule.reasoning = true;
    rule.edits.push_back({"max_tokens", "max_completion_tokens", 0});
    for (const char* param : {"temperature", "top_p", "logprobs", "presence_penalty",
                              "frequency_penalty", "logit_bias", "top_logprobs"})
      rule.edits.push_back({param, "", 0});
    rules_.push_back(std::move(rule));
  }
  for (core::ParamRuleConfig& c : configured) {
    Rule rule;
    rule.pattern = std::move(c.models);
    for (std::string& param : c.drop) rule.edits.push_back({std::move(param), "", 0});
    for (auto& [from, to] : c.rename) rule.edits.push_back({from, to, 0});
    rules_.push_back(std::move(rule));
  }
  for (Rule& rule : rules_)
    for (Edit& edit : rule.edits)
      edit.counter = counter_for(edit.param, edit.rename_to.empty() ? kDropped : kRenamed);
  counters_ = std::make_unique<std::atomic<uint64_t>[]>(counter_names_.size());
}

std::size_t ParamRules::counter_for(const std::string& param, std::string_view action) {
  for (std::size_t i = 0; i < counter_names_.size(); ++i)
    if (counter_names_[i].param == param && counter_names_[i].action == action) return i;
  counter_names_.push_back({param, action});
  return counter_names_.size() - 1;
}

bool ParamRules::is_sampling_param(std::string_view param) {
  return param == "temperature" || param == "top_p" || param == "logprobs";
}

bool ParamRules::sampling_allowed(std::string_view model, const json::object& request) {
  const json::value* effort = request.if_contains("reasoning_effort");
  if (!effort || !effort->is_string() || effort->get_string() != "none") return false;
  GptVersion v;
  return gpt_version(base_name(model), v) && (v.major > 5 || (v.major == 5 && v.minor >= 1));
}

bool ParamRules::matches(const Rule& rule, std::string_view model) const {
  return rule.reasoning ? is_openai_reasoning_model(model) : glob_match(rule.pattern, model);
}

bool ParamRules::applicable(const Rule& rule, const Edit& edit, std::string_view model,
                            const json::object& request) {
  if (!request.contains(edit.param)) return false;
  return !(rule.reasoning && is_sampling_param(edit.param) && sampling_allowed(model, request));
}

std::string_view ParamRules::first_change(std::string_view model,
                                          const json::object& request) const {
  for (const Rule& rule : rules_) {
    if (!matches(rule, model)) continue;
    for (const Edit& edit : rule.edits)
      if (applicable(rule, edit, model, request)) return edit.param;
  }
  return {};
}

bool ParamRules::apply(std::string_view model, json::object& request) const {
  bool changed = false;
  for (const Rule& rule : rules_) {
    if (!matches(rule, model)) continue;
    // Decided before anything changes: whether sampling is allowed reads the request itself.
    std::vector<const Edit*> edits;
    for (const Edit& edit : rule.edits)
      if (applicable(rule, edit, model, request)) edits.push_back(&edit);
    if (edits.empty()) continue;
    // Rebuilt rather than erased in place, which would move the last member into the gap: the
    // members keep their order, a renamed one its place.
    json::object out(request.storage());
    out.reserve(request.size());
    for (json::key_value_pair& member : request) {
      const Edit* edit = nullptr;
      for (const Edit* e : edits)
        if (e->param == member.key()) edit = e;
      if (edit == nullptr) {
        out.emplace(member.key(), std::move(member.value()));
        continue;
      }
      counters_[edit->counter].fetch_add(1, std::memory_order_relaxed);
      if (!edit->rename_to.empty() && !request.contains(edit->rename_to))
        out.emplace(edit->rename_to, std::move(member.value()));
    }
    request = std::move(out);
    changed = true;
  }
  return changed;
}

std::vector<ParamRules::EditCount> ParamRules::edit_counts() const {
  std::vector<EditCount> out;
  out.reserve(counter_names_.size());
  for (std::size_t i = 0; i < counter_names_.size(); ++i)
    out.push_back({counter_names_[i].param, counter_names_[i].action,
                   counters_[i].load(std::memory_order_relaxed)});
  return out;
}

}  // namespace sluice::gateway
