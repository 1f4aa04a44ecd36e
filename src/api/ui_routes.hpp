#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/ui_assets.hpp"
#include "http/router.hpp"

namespace sluice::api {

// The built-in status page: /ui and /ui/ serve index.html, /ui/<name> every asset, each with its
// Content-Type, a strong ETag (If-None-Match gives 304), `Cache-Control: no-cache` (a browser
// revalidates, so a new binary's page is seen at once), a Content-Security-Policy that allows
// only this origin and no inline script, and `X-Content-Type-Options: nosniff`. The page reads
// `metrics_path` (every `__METRICS_PATH__` in index.html becomes it, HTML-escaped). Any other
// path under /ui/ is the router's 404.
void register_ui_routes(http::Router& router, std::string_view metrics_path,
                        std::span<const UiAsset> assets = ui_assets());

// The paths register_ui_routes serves for `assets`: like probes and metrics, never held back by
// admission control.
std::vector<std::string> ui_route_paths(std::span<const UiAsset> assets = ui_assets());

// The Content-Type of an asset, by its file name's extension.
std::string_view ui_content_type(std::string_view name);

// Whether an If-None-Match header value (`*` or a list of entity tags, weak or strong) matches
// `etag` by RFC 9110's weak comparison.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace sluice::api
