#include "http/request_parser.hpp"

#include <cstdint>

#include "core/strings.hpp"

namespace sluice::http {

void apply_request_limits(RequestParser& parser, const core::ServerConfig& config) {
  // Validation keeps max_header_bytes within 32 bits.
  parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  parser.body_limit(boost::none);
}

void split_target(std::string_view target, Request& request) {
  request.target = target;
  std::string_view origin = target;
  if (!target.empty() && target.front() != '/') {
    const auto scheme_end = target.find("://");
    const std::string_view scheme = target.substr(0, scheme_end);
    if (scheme_end != std::string_view::npos &&
        (core::iequals(scheme, "http") || core::iequals(scheme, "https"))) {
      const auto path_start = target.find_first_of("/?", scheme_end + 3);
      origin =
          path_start == std::string_view::npos ? std::string_view() : target.substr(path_start);
    }
  }
  const auto question = origin.find('?');
  request.path = origin.substr(0, question);
  if (request.path.empty() && origin.data() != target.data()) request.path = "/";
  request.query =
      question == std::string_view::npos ? std::string_view() : origin.substr(question + 1);
}

RequestLine request_line_of(std::string_view head) {
  while (head.starts_with("\r\n")) head.remove_prefix(2);
  head = head.substr(0, head.find_first_of("\r\n"));
  const auto method_end = head.find(' ');
  if (method_end == std::string_view::npos) return {};
  const auto target_end = head.find(' ', method_end + 1);
  if (target_end == std::string_view::npos) return {};
  return {head.substr(0, method_end), head.substr(method_end + 1, target_end - method_end - 1)};
}

void view_request_head(const boost::beast::http::request_header<>& head, Request& request) {
  request.method = head.method_string();
  split_target(head.target(), request);
  for (const auto& field : head) request.headers.emplace_back(field.name_string(), field.value());
}

void view_request(ParsedRequest& parsed, Request& request) {
  view_request_head(parsed, request);
  request.body = std::move(parsed.body());
}

}  // namespace sluice::http
