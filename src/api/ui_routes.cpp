#include "api/ui_routes.hpp"

#include <cstdio>
#include <memory>

#include "core/fnv1a.hpp"
#include "core/html_escape.hpp"
#include "core/strings.hpp"

namespace sluice::api {
namespace {

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kMetricsPathMarker = "__METRICS_PATH__";
// Scripts, styles, images and fetches from this origin only; nothing inline, no framing.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// An asset as served: bytes, type and validator computed once, at registration.
struct ServedAsset {
  std::string body;
  std::string content_type;
  std::string etag;
};

std::string replace_all(std::string_view text, std::string_view from, const std::string& to) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(from, start)) != std::string_view::npos;
       start = at + from.size()) {
    out.append(text.substr(start, at - start));
    out += to;
  }
  out.append(text.substr(start));
  return out;
}

std::shared_ptr<const ServedAsset> serve_as(const UiAsset& asset, std::string_view metrics_path) {
  auto served = std::make_shared<ServedAsset>();
  served->body = asset.name == kIndex
                     ? replace_all(asset.bytes, kMetricsPathMarker, core::html_escape(metrics_path))
                     : std::string(asset.bytes);
  served->content_type = ui_content_type(asset.name);
  char etag[24];
  std::snprintf(etag, sizeof etag, "\"%016llx\"",
                static_cast<unsigned long long>(core::fnv1a(served->body)));
  served->etag = etag;
  return served;
}

http::Handler handler_for(std::shared_ptr<const ServedAsset> asset) {
  return [asset = std::move(asset)](http::Exchange& exchange) -> boost::asio::awaitable<void> {
    http::Response& response = exchange.response;
    response.add_header("ETag", asset->etag);
    response.add_header("Cache-Control", "no-cache");
    response.add_header("X-Content-Type-Options", "nosniff");
    response.add_header("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.add_header("Referrer-Policy", "no-referrer");
    response.content_type = asset->content_type;
    if (etag_matches(exchange.request.header("if-none-match"), asset->etag)) {
      response.status = 304;
      response.body.clear();
    } else {
      response.status = 200;
      response.body = asset->body;
    }
    co_return;
  };
}

// An entity tag's opaque part, for weak comparison: W/"x" and "x" compare equal.
std::string_view opaque_tag(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string_view ui_content_type(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "json") return "application/json";
  return "application/octet-stream";
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if_none_match = core::trim(if_none_match);
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    const std::string_view tag = core::trim(if_none_match.substr(0, comma));
    if (!tag.empty() && opaque_tag(tag) == opaque_tag(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void register_ui_routes(http::Router& router, std::string_view metrics_path,
                        std::span<const UiAsset> assets) {
  for (const UiAsset& asset : assets) {
    auto served = serve_as(asset, metrics_path);
    if (asset.name == kIndex) {
      router.add("GET", "/ui", handler_for(served));
      router.add("GET", "/ui/", handler_for(served));
    }
    router.add("GET", "/ui/" + std::string(asset.name), handler_for(std::move(served)));
  }
}

std::vector<std::string> ui_route_paths(std::span<const UiAsset> assets) {
  std::vector<std::string> paths;
  for (const UiAsset& asset : assets) {
    if (asset.name == kIndex) {
      paths.emplace_back("/ui");
      paths.emplace_back("/ui/");
    }
    paths.push_back("/ui/" + std::string(asset.name));
  }
  return paths;
}

}  // namespace sluice::api
