#pragma once

#include "http/server.hpp"
#include "ops/metrics.hpp"

namespace sluice::ops {

// The server's own state, read at scrape: sluice_http_open_connections,
// sluice_http_connections_rejected_total (refused at server.max_connections), sluice_draining
// (0/1), and each installed filter's counters as sluice_filter_requests_total{filter,result}.
// `server` must outlive the registry's scrapes.
void register_server_metrics(Registry& registry, const http::Server& server);

}  // namespace sluice::ops
