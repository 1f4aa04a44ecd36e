#include "http/request_parser.hpp"

#include <cstdint>

namespace sluice::http {

void apply_request_limits(RequestParser& parser, const core::ServerConfig& config) {
  // Validation keeps max_header_bytes within 32 bits.
  parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  parser.body_limit(boost::none);
}

void view_request(ParsedRequest& parsed, Request& request) {
  request.method = parsed.method_string();
  request.target = parsed.target();
  const auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string_view::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : parsed) request.headers.emplace_back(field.name_string(), field.value());
  request.body = std::move(parsed.body());
}

}  // namespace sluice::http
