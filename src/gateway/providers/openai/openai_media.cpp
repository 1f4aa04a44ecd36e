// OpenAiProvider's media calls (images, audio): the request passes through with its model
// renamed for the deployment, the upstream's answer is relayed as it arrives, and its usage, when
// it reports one, is read from the answer's last bytes.
#include "core/strings.hpp"
#include "gateway/providers/openai/openai_provider.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/upstream_failure.hpp"

namespace sluice::gateway {
using boost::asio::awaitable;

namespace {

// Usage comes last in the answers that carry one (JSON, or the final event of a stream): this
// much of the answer's end is kept to read it, whatever the answer's size.
constexpr std::size_t kUsageTail = 4096;
// The answer is relayed in pieces of at most this much (an image's JSON, audio).
constexpr std::size_t kRelayPiece = 64 * 1024;

// `headers` ("Name: value\r\n" lines) with every line named in `replaced` removed and `lines`
// put first.
std::string replace_header_lines(std::string_view headers,
                                 std::initializer_list<std::string_view> replaced,
                                 std::string_view lines) {
  std::string out(lines);
  while (!headers.empty()) {
    const auto eol = headers.find("\r\n");
    const std::string_view line =
        headers.substr(0, eol == std::string_view::npos ? headers.size() : eol + 2);
    headers.remove_prefix(line.size());
    const std::string_view name = line.substr(0, line.find(':'));
    bool drop = false;
    for (std::string_view r : replaced) drop = drop || core::iequals(name, r);
    if (!drop) out += line;
  }
  return out;
}

bool may_carry_usage(std::string_view content_type) {
  const std::string_view type = core::trim(content_type.substr(0, content_type.find(';')));
  return core::iequals(type, "application/json") || core::iequals(type, "text/event-stream");
}

// The end of what was relayed, at most 2 * kUsageTail bytes.
void keep_tail(std::string& tail, std::string_view piece) {
  if (piece.size() >= kUsageTail) {
    tail.assign(piece.substr(piece.size() - kUsageTail));
    return;
  }
  if (tail.size() + piece.size() > 2 * kUsageTail) tail.erase(0, tail.size() - kUsageTail);
  tail.append(piece);
}

AttemptResult last(AttemptResult result, bool final_attempt) {
  result.final_attempt = final_attempt;
  return result;
}

}  // namespace

awaitable<AttemptResult> OpenAiProvider::media(const MediaRequest& request,
                                               std::string_view upstream_model, MediaSink& sink) {
  // The path under the base URL: the route without its "/v1".
  http::UpstreamRequest upstream =
      make_request(endpoint_route(request.endpoint).substr(3), upstream_model, {}, request.trace,
                   request.request_id, false);
  std::string content_type = "application/json";
  std::string renamed;  // a JSON body whose model the deployment calls by another name
  if (request.upload) {
    upstream.streamed_body = request.upload->body_for(upstream_model);
    if (!upstream.streamed_body)
      co_return last(AttemptResult::failure(
                         core::AttemptOutcome::rejected,
                         make_error(Errc::bad_gateway,
                                    "the upload was sent to an earlier deployment already")),
                     true);
    content_type = std::string(request.upload->content_type());
  } else {
    if (request.body)
      renamed = upstream_body_for_model(*request.body, request.model, upstream_model);
    upstream.body = renamed.empty() ? request.raw_body : std::string_view(renamed);
  }
  // Speech answers with audio, the others with JSON (or text, or an event stream, as asked).
  upstream.headers = replace_header_lines(
      upstream.headers, {"Content-Type", "Accept"},
      "Content-Type: " + content_type + "\r\nAccept: " +
          (request.endpoint == Endpoint::speech ? "*/*" : "application/json") + "\r\n");
  if (forward_mock_headers_) upstream.headers += request.forward_headers;

  http::UpstreamCall call;
  const auto started =
      co_await call.start(endpoint_, upstream, timeouts_for(timeouts_, request.limits));
  const bool sent = request.upload && request.upload->consumed();
  if (!started.ok()) co_return last(transport_failure(call, started.error()), sent);
  if (call.status() < 200 || call.status() > 299)
    co_return last(co_await read_http_failure(call), sent);

  AttemptResult result;
  result.final_attempt = true;  // the client's answer begins: nothing may follow
  const bool usage_possible = may_carry_usage(call.header("content-type"));
  if (!co_await sink.begin(call.status(), call.header("content-type"))) {
    call.abandon();
    co_return last(AttemptResult::failure(
                       core::AttemptOutcome::client_gone,
                       make_error(Errc::invalid_request, "the client closed the connection")),
                   true);
  }
  std::string tail;
  const std::unique_ptr<char[]> buffer(new char[kRelayPiece]);
  for (;;) {
    auto n = co_await call.read_into(std::span(buffer.get(), kRelayPiece));
    if (!n) co_return last(transport_failure(call, n.error()), true);
    if (*n == 0) break;
    const std::string_view piece(buffer.get(), *n);
    if (usage_possible) keep_tail(tail, piece);
    if (!co_await sink.write(piece)) {
      call.abandon();
      co_return last(AttemptResult::failure(
                         core::AttemptOutcome::client_gone,
                         make_error(Errc::invalid_request, "the client closed the connection")),
                     true);
    }
  }
  if (usage_possible) read_media_usage(tail, result.usage);
  co_return result;
}

}  // namespace sluice::gateway
