#include "api/sse_sink.hpp"

#include "api/gateway_outcome.hpp"

namespace sluice::api {
using boost::asio::awaitable;

SseWriter::~SseWriter() {
  if (started_ && metrics_) metrics_->active_streams(-1);
}

awaitable<bool> SseWriter::write(std::string_view type, std::string_view data) {
  if (!started_) {
    started_ = true;
    if (metrics_) metrics_->active_streams(+1);
    auto& response = exchange_.response;
    response.status = 200;
    response.content_type = "text/event-stream; charset=utf-8";
    response.add_header("Cache-Control", "no-cache");
    response.add_header("x-sluice-deployment", deployment_);
    if (!canary_.empty()) response.add_header(std::string(kCanaryHeader), std::string(canary_));
    add_token_limit_headers(response, token_limit_);
    if (!co_await exchange_.begin_stream()) co_return false;
  }
  event_line_.clear();
  if (!type.empty()) {
    event_line_.append("event: ");
    event_line_.append(type);
    event_line_.push_back('\n');
  }
  // Written as parts, not copied into one frame: a stream holds no copy of its last event.
  const std::string_view parts[] = {event_line_, "data: ", data, "\n\n"};
  co_return co_await exchange_.write(parts);
}

awaitable<bool> SseSink::send(std::string_view chunk_json) {
  co_return co_await writer_.write({}, chunk_json);
}

awaitable<void> SseSink::finish() { co_await writer_.write({}, "[DONE]"); }

awaitable<void> SseSink::fail(const Error& error) {
  // A named local, not a temporary argument: GCC 12 may destroy a co_await operand's temporaries
  // before the coroutine resumes.
  const std::string body = render_error_body(error);
  co_await writer_.write({}, body);
}

}  // namespace sluice::api
