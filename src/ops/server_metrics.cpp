#include "ops/server_metrics.hpp"

namespace sluice::ops {

void register_server_metrics(Registry& registry, const http::Server& server) {
  registry.add_collector([&server](MetricSink& out) {
    write_family_header(out, "sluice_http_open_connections", "Open client connections.", "gauge");
    write_sample(out, "sluice_http_open_connections", {},
                 static_cast<double>(server.open_connections()));
    write_family_header(out, "sluice_http_connections_rejected_total",
                        "Client connections refused at server.max_connections.", "counter");
    write_sample(out, "sluice_http_connections_rejected_total", {},
                 static_cast<double>(server.connections_rejected()));
    write_family_header(out, "sluice_draining",
                        "1 from the first termination signal on, while requests drain.", "gauge");
    write_sample(out, "sluice_draining", {}, server.draining() ? 1 : 0);
    if (server.filters().empty()) return;
    write_family_header(out, "sluice_filter_requests_total",
                        "Requests each filter saw, by what it decided.", "counter");
    for (const http::Filter* filter : server.filters()) {
      const http::FilterStats& stats = filter->stats();
      for (std::size_t i = 0; i < stats.results().size(); ++i)
        write_sample(out, "sluice_filter_requests_total",
                     {{"filter", filter->name()}, {"result", stats.results()[i]}},
                     static_cast<double>(stats.value(i)));
    }
  });
}

}  // namespace sluice::ops
