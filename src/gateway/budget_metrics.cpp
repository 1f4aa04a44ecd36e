#include "gateway/budget_metrics.hpp"

namespace sluice::gateway {

void register_budget_metrics(ops::Registry& registry, const BudgetGuard& guard) {
  registry.add_collector([&guard](ops::MetricSink& out) {
    constexpr std::string_view kName = "sluice_budget_exceeded_total";
    ops::write_family_header(out, kName,
                             "Model calls over a key's or a team's budget, refused or downgraded.",
                             "counter");
    using Action = BudgetGuard::Action;
    for (const bool team : {false, true})
      for (const auto& [action, label] :
           {std::pair{Action::refused, "refused"}, std::pair{Action::downgraded, "downgraded"}})
        ops::write_sample(out, kName, {{"budget", team ? "team" : "key"}, {"action", label}},
                          static_cast<double>(guard.counted(team, action)));
  });
}

}  // namespace sluice::gateway
