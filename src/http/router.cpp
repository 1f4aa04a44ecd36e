#include "http/router.hpp"

#include <memory>

namespace sluice::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Router::Route& Router::route_for(const std::string& path_template) {
  for (auto& route : routes_)
    if (route->path_template == path_template) return *route;
  auto route = std::make_unique<Route>();
  route->path_template = path_template;
  route->segments = split_path(path_template);
  bool templated = false;
  for (const auto& segment : route->segments) templated |= is_param(segment);
  if (templated)
    templated_routes_.push_back(route.get());
  else
    static_routes_.emplace(path_template, route.get());
  routes_.push_back(std::move(route));
  return *routes_.back();
}

void Router::add(std::string_view method, std::string path_template, Handler handler,
                 RouteOptions options) {
  route_for(path_template).methods.push_back({std::string(method), std::move(handler), options});
}

bool Router::match_segments(const Route& route, std::string_view path,
                            std::vector<std::pair<std::string_view, std::string_view>>& params) {
  std::size_t pos = 1;
  const std::size_t first_param = params.size();
  for (std::size_t i = 0; i < route.segments.size(); ++i) {
    if (pos > path.size()) return params.resize(first_param), false;
    const auto slash = path.find('/', pos);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view segment = path.substr(pos, end - pos);
    const std::string& expected = route.segments[i];
    if (is_param(expected)) {
      if (segment.empty()) return params.resize(first_param), false;
      params.emplace_back(std::string_view(expected).substr(1, expected.size() - 2), segment);
    } else if (segment != expected) {
      return params.resize(first_param), false;
    }
    pos = end + 1;
  }
  if (pos <= path.size()) return params.resize(first_param), false;  // path has more segments
  return true;
}

Router::Match Router::match(
    std::string_view method, std::string_view path,
    std::vector<std::pair<std::string_view, std::string_view>>& params) const {
  const Route* route = nullptr;
  if (auto it = static_routes_.find(path); it != static_routes_.end()) {
    route = it->second;
  } else if (!path.empty() && path.front() == '/') {
    for (const Route* candidate : templated_routes_)
      if (match_segments(*candidate, path, params)) {
        route = candidate;
        break;
      }
  }
  Match result;
  if (!route) return result;
  result.route = route->path_template;
  const std::string_view lookup = method == "HEAD" ? std::string_view("GET") : method;
  for (const auto& entry : route->methods)
    if (entry.method == method || entry.method == lookup) {
      result.outcome = Outcome::found;
      result.handler = &entry.handler;
      result.options = entry.options;
      return result;
    }
  result.outcome = Outcome::method_not_allowed;
  params.clear();
  for (const auto& entry : route->methods) {
    // The path speaks one dialect whatever the method: its 405 is in that dialect's shape.
    if (!result.options.rewrite_error) result.options.rewrite_error = entry.options.rewrite_error;
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += entry.method;
    if (entry.method == "GET") result.allow += ", HEAD";
  }
  return result;
}

}  // namespace sluice::http
