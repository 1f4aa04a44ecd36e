#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/exchange.hpp"

namespace sluice::http {

using Handler = std::function<boost::asio::awaitable<void>(Exchange&)>;

// What a route asks of the server before its handler runs.
struct RouteOptions {
  // Model calls (chat, embeddings, responses, messages) carry images and long contexts: their
  // bodies may reach server.max_model_body_bytes; every other route keeps server.max_body_bytes.
  bool model_route = false;
  // A body limit of the route's own (document uploads: rag.max_document_bytes), overriding both
  // server-wide ones when non-zero; a 413 names `body_limit_key`, which must outlive the router
  // (a string literal).
  std::size_t max_body_bytes = 0;
  std::string_view body_limit_key = {};
  // The handler reads the body itself, as it arrives, through Exchange::body_reader (uploads
  // relayed without holding them whole); request.body stays empty. The body limit still applies,
  // Content-Length before the handler runs and every byte as it is read.
  bool stream_body = false;
  // Routes of another API's dialect (Anthropic's Messages) render every error response in its
  // shape, whoever set it (a filter, the handler, the body limit): called with the response and
  // the request id before an error response goes out. Streams are the handler's own.
  void (*rewrite_error)(Response& response, std::string_view request_id) = nullptr;
};

// Maps (method, path) to a handler. Templates use `{name}` for one path segment, e.g.
// "/v1/collections/{collection}/documents/{id}". Static paths are a hash lookup; templated ones
// are tried in registration order. HEAD is served by the GET route.
class Router {
 public:
  void add(std::string_view method, std::string path_template, Handler handler,
           RouteOptions options = {});

  enum class Outcome { found, not_found, method_not_allowed };
  struct Match {
    Outcome outcome = Outcome::not_found;
    const Handler* handler = nullptr;
    // The found route's; defaults otherwise, but for a 405 the path's error shape (rewrite_error).
    RouteOptions options;
    std::string_view route;  // the template; stable for the router's lifetime
    std::string allow;       // for 405: the methods the path does accept, "GET, POST"
  };

  // Fills `params` with views into `path` for templated segments.
  Match match(std::string_view method, std::string_view path,
              std::vector<std::pair<std::string_view, std::string_view>>& params) const;

 private:
  struct Route {
    std::string path_template;
    std::vector<std::string> segments;  // "{x}" marks a parameter
    struct Method {
      std::string method;
      Handler handler;
      RouteOptions options;
    };
    std::vector<Method> methods;
  };
  Route& route_for(const std::string& path_template);
  static bool match_segments(const Route& route, std::string_view path,
                             std::vector<std::pair<std::string_view, std::string_view>>& params);

  // Transparent hashing: look up a string_view path without building a std::string per request.
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<std::unique_ptr<Route>> routes_;
  std::unordered_map<std::string, Route*, PathHash, std::equal_to<>> static_routes_;
  std::vector<Route*> templated_routes_;
};

}  // namespace sluice::http
