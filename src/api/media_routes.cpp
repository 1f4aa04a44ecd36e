#include "api/media_routes.hpp"

#include "api/budget_gate.hpp"
#include "api/gateway_outcome.hpp"
#include "api/media_upload.hpp"
#include "api/model_call.hpp"
#include "core/json_read.hpp"
#include "http/multipart.hpp"

namespace sluice::api {
using boost::asio::awaitable;
using gateway::Endpoint;

namespace {

constexpr std::string_view kUploadLimitKey = "server.max_media_body_bytes";
constexpr std::string_view kSpoolKey = "server.media_spool_dir";

// Relays the upstream's answer to the client as it arrives, with its status and Content-Type.
class ExchangeMediaSink final : public gateway::MediaSink {
 public:
  explicit ExchangeMediaSink(http::Exchange& exchange) : exchange_(exchange) {}

  void on_attempt(std::string_view deployment) override { deployment_.assign(deployment); }
  awaitable<bool> begin(int status, std::string_view content_type) override {
    started_ = true;
    http::Response& response = exchange_.response;
    response.status = status;
    response.content_type =
        content_type.empty() ? "application/octet-stream" : std::string(content_type);
    response.body.clear();
    response.add_header("x-sluice-deployment", deployment_);
    co_return co_await exchange_.begin_stream();
  }
  awaitable<bool> write(std::string_view bytes) override {
    co_return co_await exchange_.write(bytes);
  }
  bool started() const override { return started_; }

 private:
  http::Exchange& exchange_;
  std::string deployment_;
  bool started_ = false;
};

// The access log line says whether the upstream reported usage: zero tokens and no cost are
// then what is known, not what was used. Uploads add their size and how much was kept waiting
// for the model field.
void log_media(http::Exchange& exchange, std::string_view model, const gateway::Outcome& outcome,
               const MultipartUpload* upload) {
  log_outcome(exchange, model, outcome);
  if (outcome.ok && !outcome.usage.reported)
    append_log_string(exchange.log_fields, "usage", "not_reported");
  if (!upload) return;
  append_log_number(exchange.log_fields, "upload_bytes",
                    static_cast<double>(exchange.body_reader->bytes_read()));
  append_log_number(exchange.log_fields, "spooled_bytes",
                    static_cast<double>(upload->spooled_bytes()));
}

// What the client gets when the call failed: an answer cut short must not look whole, so its
// connection is reset; before the answer began, the error.
void answer_failure(http::Exchange& exchange, const gateway::Outcome& outcome,
                    const ExchangeMediaSink& sink) {
  if (outcome.ok) return;
  if (sink.started()) {
    exchange.abort_connection();
    return;
  }
  set_failure(exchange, outcome);
}

// `started`: when the request's deadline began (an upload's start; else now).
gateway::MediaRequest media_request(http::Exchange& exchange,
                                    const gateway::GatewayService& service, Endpoint endpoint,
                                    std::string model, std::string& mock_headers,
                                    std::chrono::steady_clock::time_point started) {
  gateway::MediaRequest request;
  request.endpoint = endpoint;
  request.model = std::move(model);
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;
  mock_headers = mock_header_lines(exchange.request);
  request.forward_headers = mock_headers;
  request.limits = request_limits(exchange, service, request.model, started);
  return request;
}

// Image generation and speech: a JSON body naming the model.
awaitable<void> json_media(gateway::GatewayService& service, Endpoint endpoint,
                           http::Exchange& exchange) {
  ParsedBody parsed;
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold)) co_return;
  std::string model(core::string_field(parsed.object, "model"));
  if (model.empty()) {
    exchange.response.set_error(
        make_error(Errc::invalid_request,
                   "'model' is required: a string naming the model (or alias) to call", "model"));
    co_return;
  }
  std::string mock_headers;
  gateway::MediaRequest request =
      media_request(exchange, service, endpoint, std::move(model), mock_headers, service.now());
  request.body = &parsed.object;
  request.raw_body = exchange.request.body;
  ExchangeMediaSink sink(exchange);
  const gateway::Outcome outcome = co_await service.media(request, sink, caller_of(exchange));
  log_media(exchange, request.model, outcome, nullptr);
  answer_failure(exchange, outcome, sink);
}

// Edits, variations, transcriptions, translations: a multipart upload, read as it arrives.
awaitable<void> upload_media(gateway::GatewayService& service, Endpoint endpoint,
                             const std::string& spool_dir, http::Exchange& exchange) {
  if (!exchange.body_reader) {  // registered without stream_body: a bug
    exchange.response.set_error(make_error(Errc::internal, "upload route reads no body"));
    co_return;
  }
  if (auto bad = invalid_timeout_header(exchange)) {
    exchange.response.set_error(*bad);
    co_return;
  }
  auto boundary = http::multipart_boundary(exchange.request.header("content-type"));
  if (!boundary) {
    exchange.response.set_error(boundary.error());
    co_return;
  }
  // The body is read within the request's deadline, counted from the request's start (a client
  // trickling bytes must not hold an upstream connection and a spool file open for ever): until
  // the model is known, the longest deadline any model may have.
  const auto started = exchange.started;
  exchange.body_reader->set_request_deadline(deadline_before_model(exchange, service, started));
  MultipartUpload upload(*exchange.body_reader, std::move(*boundary), spool_dir, kSpoolKey);
  auto model = co_await upload.read_model();
  if (!model) {
    const auto reason = exchange.cancellation.reason();
    if (reason == core::Cancellation::Reason::client_gone)
      exchange.response.status = 499;  // nobody to tell
    else if (reason == core::Cancellation::Reason::deadline)
      exchange.response.set_error(gateway::deadline_exceeded());
    else
      exchange.response.set_error(model.error());
    co_return;
  }
  if (auto refused = model_refused(exchange, *model)) {
    exchange.response.set_error(*refused);
    co_return;
  }
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!admit_spend_for_model(exchange, service.budget_guard(), *model, spend_hold)) co_return;
  std::string mock_headers;
  gateway::MediaRequest request =
      media_request(exchange, service, endpoint, std::move(*model), mock_headers, started);
  exchange.body_reader->set_request_deadline(request.limits.deadline);
  request.upload = &upload;
  ExchangeMediaSink sink(exchange);
  const gateway::Outcome outcome = co_await service.media(request, sink, caller_of(exchange));
  log_media(exchange, request.model, outcome, &upload);
  answer_failure(exchange, outcome, sink);
}

}  // namespace

void register_media_routes(http::Router& router, gateway::GatewayService& service,
                           const MediaRoutesConfig& config) {
  const http::RouteOptions json_route{.model_route = true};
  for (const auto& [path, endpoint] :
       {std::pair{"/v1/images/generations", Endpoint::image_generation},
        std::pair{"/v1/audio/speech", Endpoint::speech}})
    router.add(
        "POST", path,
        [&service, endpoint](http::Exchange& exchange) {
          return json_media(service, endpoint, exchange);
        },
        json_route);
  const http::RouteOptions upload_route{.max_body_bytes = config.max_upload_bytes,
                                        .body_limit_key = kUploadLimitKey,
                                        .stream_body = true};
  for (const auto& [path, endpoint] :
       {std::pair{"/v1/images/edits", Endpoint::image_edit},
        std::pair{"/v1/images/variations", Endpoint::image_variation},
        std::pair{"/v1/audio/transcriptions", Endpoint::transcription},
        std::pair{"/v1/audio/translations", Endpoint::translation}})
    router.add(
        "POST", path,
        [&service, endpoint, spool_dir = config.spool_dir](http::Exchange& exchange) {
          return upload_media(service, endpoint, spool_dir, exchange);
        },
        upload_route);
}

}  // namespace sluice::api
