#include "api/openai_routes.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "core/json_text.hpp"
#include "gateway/mock_responses.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Streams chunks to the client as OpenAI does: `data: <json>\n\n` per chunk.
class SseSink final : public gateway::ChunkSink {
 public:
  explicit SseSink(http::Exchange& exchange) : exchange_(exchange) {}

  void on_attempt(std::string_view deployment) override { deployment_.assign(deployment); }
  bool started() const override { return started_; }

  awaitable<bool> send(std::string_view chunk_json) override {
    if (!started_) {
      started_ = true;
      auto& response = exchange_.response;
      response.status = 200;
      response.content_type = "text/event-stream; charset=utf-8";
      response.add_header("Cache-Control", "no-cache");
      response.add_header("x-sluice-deployment", deployment_);
      if (!co_await exchange_.begin_stream()) co_return false;
    }
    frame_.assign("data: ");
    frame_.append(chunk_json);
    frame_.append("\n\n");
    co_return co_await exchange_.write(frame_);
  }

  awaitable<void> finish() { co_await exchange_.write("data: [DONE]\n\n"); }

  // A failure after the stream started: OpenAI's SDKs raise an APIError for a data event that
  // carries an `error` object, so the client learns the stream broke instead of seeing a cut.
  awaitable<void> fail(const Error& error) {
    frame_.assign("data: ");
    frame_.append(render_error_body(error));
    frame_.append("\n\n");
    co_await exchange_.write(frame_);
  }

 private:
  http::Exchange& exchange_;
  std::string deployment_;
  std::string frame_;
  bool started_ = false;
};

// A request body parsed into an arena: one buffer instead of an allocation per JSON node. The
// arena must outlive the value, so they travel together.
struct ParsedBody {
  unsigned char initial[1024];  // held for a whole stream: small, the arena grows as needed
  json::monotonic_resource arena{initial, sizeof initial};
  json::object object{json::storage_ptr(&arena)};
};

// Parses a JSON object body; on failure sets the 400 and returns false.
bool parse_object_body(http::Exchange& exchange, ParsedBody& out) {
  json::error_code ec;
  json::value value = json::parse(exchange.request.body, ec, json::storage_ptr(&out.arena));
  if (ec || !value.is_object()) {
    exchange.response.set_error(make_error(
        Errc::invalid_request,
        "We could not parse the JSON body of your request. The API expects a JSON object."));
    return false;
  }
  out.object = std::move(value.as_object());
  return true;
}

void append_log_number(std::string& out, std::string_view key, double value) {
  out += ",\"";
  out += key;
  out += "\":";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

void log_outcome(http::Exchange& exchange, std::string_view model,
                 const gateway::Outcome& outcome) {
  std::string& f = exchange.log_fields;
  f += ",\"model\":";
  core::append_json_string(f, model);
  if (!outcome.deployment.empty()) {
    f += ",\"deployment\":";
    core::append_json_string(f, outcome.deployment);
  }
  append_log_number(f, "attempts", outcome.attempts);
  append_log_number(f, "prompt_tokens", static_cast<double>(outcome.usage.prompt_tokens));
  append_log_number(f, "completion_tokens", static_cast<double>(outcome.usage.completion_tokens));
  append_log_number(f, "cost_usd", outcome.cost_usd);
  if (outcome.usage.estimated) f += ",\"usage_estimated\":true";
  if (!outcome.ok) {
    f += ",\"upstream_error\":";
    core::append_json_string(f, outcome.error.message);
  }
}

void set_failure(http::Exchange& exchange, const gateway::Outcome& outcome) {
  auto& response = exchange.response;
  if (!outcome.error_body.empty())
    response.set_json(http_status(outcome.error.code), outcome.error_body);
  else
    response.set_error(outcome.error);
  if (outcome.retry_after) {
    const auto seconds = (outcome.retry_after->count() + 999) / 1000;
    response.add_header("Retry-After", std::to_string(seconds));
    response.add_header("retry-after-ms", std::to_string(outcome.retry_after->count()));
  }
  if (!outcome.deployment.empty()) response.add_header("x-sluice-deployment", outcome.deployment);
}

awaitable<void> chat_completions(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;  // lives in the coroutine frame: no allocation of its own
  if (!parse_object_body(exchange, parsed)) co_return;
  json::object* body = &parsed.object;
  if (auto valid = gateway::validate_chat_request(*body); !valid.ok()) {
    exchange.response.set_error(valid.error());
    co_return;
  }
  gateway::ChatRequest request;
  request.body = &*body;
  request.raw_body = exchange.request.body;
  request.model = std::string(body->at("model").as_string());
  if (const auto* stream = body->if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) {
      exchange.response.set_error(
          make_error(Errc::invalid_request, "'stream' must be a boolean", "stream"));
      co_return;
    }
    request.stream = stream->as_bool();
  }
  if (const auto* options = body->if_contains("stream_options"); options && options->is_object())
    if (const auto* usage = options->as_object().if_contains("include_usage"); usage && usage->is_bool())
      request.include_usage = usage->as_bool();
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;

  SseSink sink(exchange);
  gateway::Outcome outcome = co_await service.chat(request, &sink);
  log_outcome(exchange, request.model, outcome);
  if (outcome.ok) {
    if (request.stream) {
      co_await sink.finish();
    } else {
      exchange.response.set_json(200, std::move(outcome.body));
      exchange.response.add_header("x-sluice-deployment", outcome.deployment);
    }
  } else if (sink.started()) {
    co_await sink.fail(outcome.error);
  } else {
    set_failure(exchange, outcome);
  }
}

awaitable<void> embeddings(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;  // lives in the coroutine frame: no allocation of its own
  if (!parse_object_body(exchange, parsed)) co_return;
  json::object* body = &parsed.object;
  if (auto valid = gateway::validate_embeddings_request(*body); !valid.ok()) {
    exchange.response.set_error(valid.error());
    co_return;
  }
  gateway::EmbeddingsRequest request;
  request.body = &*body;
  request.raw_body = exchange.request.body;
  request.model = std::string(body->at("model").as_string());
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;
  gateway::Outcome outcome = co_await service.embeddings(request);
  log_outcome(exchange, request.model, outcome);
  if (outcome.ok) {
    exchange.response.set_json(200, std::move(outcome.body));
    exchange.response.add_header("x-sluice-deployment", outcome.deployment);
  } else {
    set_failure(exchange, outcome);
  }
}

}  // namespace

void register_openai_routes(http::Router& router, gateway::GatewayService& service) {
  router.add("POST", "/v1/chat/completions", [&service](http::Exchange& exchange) {
    return chat_completions(service, exchange);
  });
  router.add("POST", "/v1/embeddings", [&service](http::Exchange& exchange) {
    return embeddings(service, exchange);
  });
  router.add("GET", "/v1/models", [&service](http::Exchange& exchange) -> awaitable<void> {
    exchange.response.set_json(200, gateway::models_json(service.model_ids()));
    co_return;
  });
  router.add("GET", "/v1/models/{model}", [&service](http::Exchange& exchange) -> awaitable<void> {
    const std::string_view wanted = exchange.request.param("model");
    for (const auto& id : service.model_ids())
      if (id == wanted) {
        json::object model{{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "sluice"}};
        exchange.response.set_json(200, json::serialize(model));
        co_return;
      }
    exchange.response.set_error(make_error(
        Errc::not_found, "The model `" + std::string(wanted) + "` does not exist or you do not have access to it.",
        "model", "model_not_found"));
  });
}

}  // namespace sluice::api
