#include "gateway/responses/response_store_metrics.hpp"

namespace sluice::gateway {

void register_response_store_metrics(ops::Registry& registry,
                                     std::shared_ptr<const ResponseStore> store) {
  registry.add_collector([store = std::move(store)](ops::MetricSink& out) {
    const ResponseStoreStats stats = store->stats();
    const auto one = [&out](std::string_view name, std::string_view help, std::string_view type,
                            double value) {
      ops::write_family_header(out, name, help, type);
      ops::write_sample(out, name, {}, value);
    };
    one("sluice_response_store_entries", "Stored Responses API responses held in memory.", "gauge",
        static_cast<double>(stats.entries));
    one("sluice_response_store_bytes",
        "Bytes the stored responses hold, as counted against gateway.response_store.max_bytes.",
        "gauge", static_cast<double>(stats.bytes));
    constexpr std::string_view kEvictions = "sluice_response_store_evictions_total";
    ops::write_family_header(out, kEvictions,
                             "Stored responses evicted, least recently used first, to stay within "
                             "gateway.response_store.max_entries or max_bytes.",
                             "counter");
    ops::write_sample(out, kEvictions, {{"limit", "max_entries"}},
                      static_cast<double>(stats.evicted_for_entries));
    ops::write_sample(out, kEvictions, {{"limit", "max_bytes"}},
                      static_cast<double>(stats.evicted_for_bytes));
    one("sluice_response_store_rejected_total",
        "Responses not stored: larger than an eighth of gateway.response_store.max_bytes.",
        "counter", static_cast<double>(stats.rejected));
  });
}

}  // namespace sluice::gateway
