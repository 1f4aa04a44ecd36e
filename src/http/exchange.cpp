#include "http/exchange.hpp"

#include <strings.h>

namespace sluice::http {

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0)
      return value;
  return {};
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name) return value;
  return {};
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view item = rest.substr(0, amp);
    const auto eq = item.find('=');
    if (item.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool Request::has_query_param(std::string_view name) const { return query_param(name).has_value(); }

bool Request::is_cors_preflight() const {
  return method == "OPTIONS" && !header("origin").empty() &&
         !header("access-control-request-method").empty();
}

void Response::set_json(int status_code, std::string json) {
  status = status_code;
  content_type = "application/json";
  body = std::move(json);
}

void Response::set_error(const Error& error) {
  set_json(http_status(error.code), render_error_body(error));
}

void Response::add_header(std::string name, std::string value) {
  // A CR, LF or NUL from anything a client supplied would end the header line and let it write
  // headers of its own (response splitting): each becomes a space.
  for (char& c : value)
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  headers.emplace_back(std::move(name), std::move(value));
}

void Exchange::reset() {
  request.method = request.target = request.path = request.query = {};
  request.headers.clear();
  request.params.clear();
  request.body.clear();
  response.status = 200;
  response.content_type.assign("application/json");
  response.body.clear();
  response.headers.clear();
  route = "unmatched";
  principal.reset();
  api_key_name = {};
  log_fields.clear();
  cancellation.reset();
  body_reader = nullptr;
  streaming_ = false;
  aborted_ = false;
}

void Exchange::release_large_bodies() {
  constexpr std::size_t kKeptBytes = 64 * 1024;
  if (request.body.capacity() > kKeptBytes) std::string().swap(request.body);
  if (response.body.capacity() > kKeptBytes) std::string().swap(response.body);
}

void Exchange::abort_connection() {
  if (aborted_) return;
  aborted_ = true;
  // nginx's 444 "no response": what the access log and metrics record when nothing was sent.
  if (!streaming_) response.status = 444;
  if (sink_) sink_->abort();
}

boost::asio::awaitable<bool> Exchange::begin_stream() {
  if (streaming_ || aborted_ || !sink_) co_return false;
  streaming_ = true;
  co_return co_await sink_->send_head(response);
}

boost::asio::awaitable<bool> Exchange::write(std::string_view data) {
  const std::string_view parts[1] = {data};
  co_return co_await write(parts);
}

boost::asio::awaitable<bool> Exchange::write(std::span<const std::string_view> parts) {
  if (aborted_) co_return false;
  std::size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  if (!streaming_ || size == 0) co_return streaming_;  // an empty chunk would end the body
  co_return co_await sink_->send_chunk(parts);
}

}  // namespace sluice::http
