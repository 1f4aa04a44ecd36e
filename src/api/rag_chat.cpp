#include "api/rag_chat.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "api/answer_exchange.hpp"
#include "api/search_filters.hpp"
#include "api/sse_sink.hpp"
#include "api/tenant_access.hpp"
#include "gateway/providers/mock/mock_replies.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// The question (the last user message's text) and the options of a rag/<collection> chat.
Result<rag::AnswerRequest> parse_rag_chat(const json::object& body) {
  rag::AnswerRequest request;
  request.collection = std::string(body.at("model").get_string().subview(kRagModelPrefix.size()));
  if (request.collection.empty())
    return make_error(Errc::invalid_request, "model 'rag/<collection>' names no collection",
                      "model");
  const json::value* messages = body.if_contains("messages");
  if (!messages || !messages->is_array())
    return make_error(Errc::invalid_request, "'messages' must be an array", "messages");
  // The last user message is the question; the user and assistant messages before it are the
  // conversation (system messages are the answer template's business).
  for (const json::value& m : messages->get_array()) {
    const json::object* message = m.if_object();
    if (!message) continue;
    const json::value* role = message->if_contains("role");
    const json::value* content = message->if_contains("content");
    if (!role || !role->is_string() || !content) continue;
    const std::string_view name = role->get_string();
    if (name != "user" && name != "assistant") continue;
    request.history.push_back({std::string(name), gateway::mock_content_text(*content)});
  }
  while (!request.history.empty() && request.history.back().role != "user")
    request.history.pop_back();
  if (request.history.empty() || request.history.back().content.empty())
    return make_error(Errc::invalid_request, "a rag/<collection> model needs a user message",
                      "messages");
  request.question = std::move(request.history.back().content);
  request.history.pop_back();
  if (const json::value* top_k = body.if_contains("top_k"); top_k && !top_k->is_null()) {
    if (!top_k->is_int64() || top_k->get_int64() < 1)
      return make_error(Errc::invalid_request, "'top_k' must be a positive integer", "top_k");
    request.top_k = static_cast<std::size_t>(top_k->get_int64());
  }
  if (const json::value* filters = body.if_contains("filters")) {
    auto parsed = parse_search_filters(*filters);
    if (!parsed) return parsed.error();
    request.filters = std::move(*parsed);
  }
  return request;
}

struct ChatFrame {
  std::string id;
  std::string model;
  long long created = 0;
};

json::object chunk(const ChatFrame& frame, json::object delta, json::value finish_reason) {
  return json::object{{"id", frame.id},
                      {"object", "chat.completion.chunk"},
                      {"created", frame.created},
                      {"model", frame.model},
                      {"choices", json::array{json::object{{"index", 0},
                                                           {"delta", std::move(delta)},
                                                           {"finish_reason", finish_reason}}}}};
}

// The answer as chat.completion.chunk events (see rag_chat.hpp).
class ChatStream final : public rag::AnswerStream {
 public:
  ChatStream(http::Exchange& exchange, gateway::GatewayMetrics& metrics, const ChatFrame& frame)
      : sink_(exchange, metrics), frame_(frame) {}

  void on_attempt(std::string_view deployment) override { sink_.on_attempt(deployment); }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    sink_.on_token_limit(report);
  }
  bool started() const override { return sink_.started(); }
  void set_head(const rag::Answer& head) override {
    citations_ = rag::citations_json(head.citations);
  }
  awaitable<bool> text(std::string_view piece) override {
    if (!co_await send_head()) co_return false;
    const std::string event =
        json::serialize(chunk(frame_, json::object{{"content", piece}}, nullptr));
    co_return co_await sink_.send(event);
  }
  awaitable<void> finish(const rag::Answer& answer, bool include_usage) {
    if (!co_await send_head()) co_return;
    json::object last = chunk(frame_, json::object{}, "stop");
    last["citations"] = rag::citations_json(answer.citations);
    last["template_version"] = answer.template_version;
    last["cached"] = answer.cached;
    const std::string last_event = json::serialize(last);
    if (!co_await sink_.send(last_event)) co_return;
    if (include_usage) {
      json::object usage{{"id", frame_.id},           {"object", "chat.completion.chunk"},
                         {"created", frame_.created}, {"model", frame_.model},
                         {"choices", json::array()},  {"usage", usage_json(answer.usage)}};
      const std::string usage_event = json::serialize(usage);
      if (!co_await sink_.send(usage_event)) co_return;
    }
    co_await sink_.finish();
  }
  awaitable<void> fail(const Error& error) { co_await sink_.fail(error); }

 private:
  awaitable<bool> send_head() {
    if (head_sent_) co_return true;
    head_sent_ = true;
    json::object first =
        chunk(frame_, json::object{{"role", "assistant"}, {"content", ""}}, nullptr);
    first["citations"] = std::move(citations_);
    const std::string event = json::serialize(first);
    co_return co_await sink_.send(event);
  }

  SseSink sink_;
  const ChatFrame& frame_;
  json::array citations_;
  bool head_sent_ = false;
};

std::string completion_json(const ChatFrame& frame, const rag::Answer& answer) {
  json::object message{{"role", "assistant"}, {"content", answer.text}};
  json::object out{
      {"id", frame.id},
      {"object", "chat.completion"},
      {"created", frame.created},
      {"model", frame.model},
      {"choices", json::array{json::object{
                      {"index", 0}, {"message", std::move(message)}, {"finish_reason", "stop"}}}},
      {"usage", usage_json(answer.usage)},
      {"citations", rag::citations_json(answer.citations)},
      {"template_version", answer.template_version},
      {"cached", answer.cached}};
  return json::serialize(out);
}

}  // namespace

bool RagChat::wants(const json::object& body) {
  const json::value* model = body.if_contains("model");
  return model && model->is_string() && model->get_string().starts_with(kRagModelPrefix);
}

awaitable<void> RagChat::handle(http::Exchange& exchange, json::object& body) {
  auto request = parse_rag_chat(body);
  auto stream = optional_bool(body, "stream");
  if (!request || !stream) {
    exchange.response.set_error(!request ? request.error() : stream.error());
    co_return;
  }
  bool include_usage = false;
  if (const json::value* options = body.if_contains("stream_options");
      options && options->is_object())
    if (const json::value* usage = options->get_object().if_contains("include_usage"))
      include_usage = usage->is_bool() && usage->get_bool();
  std::string mock_headers;
  bind_to_exchange(exchange, service_, answerer_.default_model(), *request, mock_headers);
  const ChatFrame frame{"chatcmpl-" + exchange.request_id,
                        std::string(body.at("model").get_string()),
                        static_cast<long long>(std::time(nullptr))};

  ChatStream events(exchange, service_.metrics(), frame);
  rag::AnswerOutcome outcome = co_await answerer_.answer(*request, *stream ? &events : nullptr);
  log_answer(exchange, outcome);
  if (!outcome.ok()) {
    if (events.started())
      co_await events.fail(*outcome.error);
    else
      set_answer_failure(exchange, outcome);
    add_answer_limit_headers(exchange, outcome);
    co_return;
  }
  if (*stream)
    co_await events.finish(outcome.answer, include_usage);
  else
    exchange.response.set_json(200, completion_json(frame, outcome.answer));
  add_answer_limit_headers(exchange, outcome);
}

awaitable<Result<std::vector<gateway::ListedModel>>> RagChat::models(
    const store::TenantScope& scope) {
  // An admin sees every tenant's collections, but chats by name within its own.
  auto page = co_await ops::run_blocking([&] {
    return store_.collections().list("", kMaxListedCollections, std::optional(scope.tenant()));
  });
  if (!page) co_return page.error();
  std::vector<gateway::ListedModel> out;
  out.reserve(page->items.size());
  for (const store::Collection& collection : page->items)
    if (scope.may_use(collection))
      out.push_back({std::string(kRagModelPrefix) + collection.name, "sluice"});
  co_return out;
}

awaitable<Result<gateway::ListedModel>> RagChat::model(const store::TenantScope& scope,
                                                       std::string_view id) {
  const std::string name(id.substr(std::min(id.size(), kRagModelPrefix.size())));
  auto collection =
      co_await ops::run_blocking([&] { return find_collection(store_, scope, name); });
  if (!collection) co_return collection.error();
  co_return gateway::ListedModel{std::string(kRagModelPrefix) + collection->name, "sluice"};
}

}  // namespace sluice::api
