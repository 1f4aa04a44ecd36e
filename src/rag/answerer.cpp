#include "rag/answerer.hpp"

#include <boost/json.hpp>

#include "core/strings.hpp"
#include "ops/blocking_pool.hpp"
#include "ops/tracer.hpp"
#include "rag/condense.hpp"
#include "rag/extractive_answer.hpp"
#include "rag/prompt_template.hpp"
#include "rag/rag_spans.hpp"

namespace sluice::rag {
namespace json = boost::json;
using boost::asio::awaitable;

// What a request resolved to before retrieval.
struct Answerer::Plan {
  std::string question;
  store::Collection collection;
  std::string session_id;
  std::vector<Turn> history;  // the session's last turns, oldest first
  std::size_t top_k = 0;
  std::string model;  // empty: extractive
};

namespace {

// A store call on the blocking pool.
template <class F>
auto in_store(F f) {
  return ops::run_blocking(std::move(f));
}

}  // namespace

Answerer::Answerer(Retriever& retriever, gateway::GatewayService& gateway, store::Store& store,
                   AnswerCache& cache, RagMetrics& metrics, const core::RagConfig& config,
                   MockModel is_mock_model)
    : retriever_(retriever),
      gateway_(gateway),
      store_(store),
      cache_(cache),
      metrics_(metrics),
      config_(config),
      is_mock_model_(std::move(is_mock_model)) {}

bool Answerer::extractive(std::string_view model) const {
  return model.empty() || (is_mock_model_ && is_mock_model_(model));
}

std::string Answerer::default_model() const {
  return extractive(config_.answer_model) ? std::string(kExtractiveModel) : config_.answer_model;
}

awaitable<Status> Answerer::prepare(const AnswerRequest& request, Plan& plan,
                                    AnswerOutcome& outcome) {
  plan.question = std::string(core::trim(request.question));
  if (plan.question.empty())
    co_return make_error(Errc::invalid_request, "'question' must be a non-empty string",
                         "question");
  const std::size_t top_k =
      request.top_k.value_or(static_cast<std::size_t>(std::max(config_.top_k, 1)));
  if (top_k == 0 || top_k > static_cast<std::size_t>(config_.max_top_k))
    co_return make_error(
        Errc::invalid_request,
        "'top_k' must be between 1 and " + std::to_string(config_.max_top_k) + " (rag.max_top_k)",
        "top_k");
  plan.top_k = top_k;

  std::string collection = request.collection;
  std::string session_collection;
  if (!request.session_id.empty()) {
    auto session = co_await in_store([&] { return store_.sessions().get(request.session_id); });
    if (!session) {
      Error error = session.error();
      error.param = "session_id";
      co_return error;
    }
    plan.session_id = session->id;
    outcome.session_id = session->id;
    session_collection = session->collection_id;
    // Another tenant's session answers like none.
    auto owner = co_await visible_collection(request.scope, session_collection);
    if (!owner)
      co_return owner.error().code == Errc::not_found ? store::session_not_found(session->id)
                                                      : owner.error();
    if (collection.empty()) collection = session_collection;
  }
  if (collection.empty()) collection = config_.default_collection;
  Result<store::Collection> found = co_await visible_collection(request.scope, collection);
  if (!found) {
    Error error = found.error();
    error.param = "collection";
    co_return error;
  }
  plan.collection = std::move(*found);
  if (!plan.session_id.empty()) {
    if (session_collection != plan.collection.id)
      co_return make_error(Errc::invalid_request,
                           "the session belongs to another collection than '" + collection + "'",
                           "collection");
    const int messages = std::max(config_.session_turns, 0) * 2;
    if (messages > 0) {
      auto last = co_await in_store(
          [&] { return store_.sessions().last_messages(plan.session_id, messages); });
      if (!last) co_return last.error();
      std::vector<Turn> turns;
      for (store::Message& m : *last) turns.push_back({m.role, std::move(m.content)});
      plan.history = last_turns(std::move(turns), config_.session_turns);
    }
  }
  if (plan.session_id.empty()) plan.history = last_turns(request.history, config_.session_turns);
  plan.model = request.model.empty() ? config_.answer_model : request.model;
  if (extractive(plan.model)) plan.model.clear();
  co_return Status::success();
}

awaitable<Result<store::Collection>> Answerer::visible_collection(const store::TenantScope& scope,
                                                                  const std::string& id_or_name) {
  const std::string key = scope.key(id_or_name);
  Result<store::Collection> found = retriever_.collection(key);
  // Not loaded (new, loading or failed): the store says whether this tenant may know of it; its
  // owner hears of the loading from the index afterwards.
  if (!found) found = co_await in_store([&] { return store_.collections().get(key); });
  co_return store::visible(scope, std::move(found), id_or_name);
}

awaitable<std::string> Answerer::condense(const AnswerRequest& request, const Plan& plan,
                                          AnswerUsage& usage) {
  if (plan.history.empty()) co_return plan.question;
  if (plan.model.empty()) co_return concatenated_query(plan.history, plan.question);
  json::object body =
      chat_body(plan.model, condensation_prompt(plan.question, plan.history), false);
  const std::string raw = json::serialize(body);
  gateway::ChatRequest chat;
  chat.body = &body;
  chat.raw_body = raw;
  chat.model = plan.model;
  chat.trace = request.trace;
  chat.request_id = request.request_id;
  chat.forward_headers = request.forward_headers;
  chat.limits = request.limits;
  const gateway::Outcome outcome = co_await gateway_.chat(chat, nullptr, request.caller);
  usage.prompt_tokens += outcome.usage.prompt_tokens;
  usage.completion_tokens += outcome.usage.completion_tokens;
  std::string query = outcome.ok ? std::string(core::trim(completion_text(outcome.body))) : "";
  // A model that failed or said nothing still leaves a usable query.
  if (query.empty()) query = concatenated_query(plan.history, plan.question);
  co_return query;
}

awaitable<Status> Answerer::generate(const AnswerRequest& request, const Plan& plan,
                                     const std::vector<SearchHit>& hits, AnswerOutcome& outcome,
                                     AnswerStream* stream, const core::TraceContext* trace) {
  Answer& answer = outcome.answer;
  const std::vector<Citation> all = citations_for(hits);
  answer.citations = all;
  // Extractive, or nothing to ground a model's answer on: no model is asked.
  const bool ask_model = !plan.model.empty() && !hits.empty();
  answer.model = ask_model            ? plan.model
                 : plan.model.empty() ? std::string(kExtractiveModel)
                                      : "none";
  if (stream) stream->set_head(answer);

  if (!ask_model) {
    auto tokenizer = Tokenizer::create(plan.collection.language);
    if (!tokenizer) tokenizer = Tokenizer::create("none");
    const auto sentences = extractive_sentences(plan.question, hits, *tokenizer);
    for (std::size_t i = 0; i < sentences.size(); ++i) {
      const std::string piece = i > 0 ? ' ' + sentences[i] : sentences[i];
      answer.text += piece;
      if (!stream) continue;
      // No temporaries in a co_await's full expression: GCC 12 mis-destroys them.
      const bool open = co_await stream->text(piece);
      if (!open) break;
    }
  } else {
    const bool streaming = stream != nullptr;
    json::object body =
        chat_body(plan.model, answer_prompt(plan.question, hits, plan.history), streaming);
    const std::string raw = json::serialize(body);
    gateway::ChatRequest chat;
    chat.body = &body;
    chat.raw_body = raw;
    chat.model = plan.model;
    chat.stream = streaming;
    chat.include_usage = streaming;
    chat.trace = trace;
    chat.request_id = request.request_id;
    chat.forward_headers = request.forward_headers;
    chat.limits = request.limits;
    TextRelay relay(stream);
    gateway::Outcome called = co_await gateway_.chat(chat, &relay, request.caller);
    answer.usage.prompt_tokens += called.usage.prompt_tokens;
    answer.usage.completion_tokens += called.usage.completion_tokens;
    const bool ok = called.ok;
    if (ok) answer.text = streaming ? relay.text() : completion_text(called.body);
    if (!ok) outcome.retry_after = called.retry_after;
    Error error = called.error;
    outcome.model_call = std::move(called);
    if (!ok) co_return error;
  }
  answer.citations = keep_cited(all, answer.text);
  co_return Status::success();
}

awaitable<void> Answerer::remember(const Plan& plan, const Answer& answer) {
  if (plan.session_id.empty()) co_return;
  store::Message question;
  question.role = "user";
  question.content = plan.question;
  store::Message reply;
  reply.role = "assistant";
  reply.content = answer.text;
  reply.citations_json = json::serialize(citations_json(answer.citations));
  co_await in_store([&] {
    // A conversation that cannot be saved still got its answer; the next turn lacks it.
    if (store_.sessions().append(plan.session_id, std::move(question)))
      (void)store_.sessions().append(plan.session_id, std::move(reply));
    return 0;
  });
}

awaitable<AnswerOutcome> Answerer::answer(const AnswerRequest& request, AnswerStream* stream) {
  const auto started = std::chrono::steady_clock::now();
  AnswerOutcome outcome;
  Plan plan;
  std::string_view status = "success";
  Status result = co_await prepare(request, plan, outcome);
  if (result) {
    Answer& answer = outcome.answer;
    answer.template_version = std::string(kTemplateVersion);
    answer.collection_id = plan.collection.id;
    const std::string query = co_await condense(request, plan, answer.usage);
    // A condensed question is not the one asked: its answer depends on the conversation.
    const bool cacheable = query == plan.question;
    auto version = retriever_.index_version(plan.collection.id);
    std::string key;
    if (!version) {
      result = version.error();
    } else if (cacheable) {
      answer.index_version = *version;
      key = render_cache_key({plan.collection.id, plan.question, plan.top_k,
                              plan.model.empty() ? std::string(kExtractiveModel) : plan.model,
                              request.filters, std::string(kTemplateVersion), *version});
    }
    std::shared_ptr<const Answer> hit = key.empty() ? nullptr : cache_.get(key);
    if (hit) {
      answer = *hit;
      answer.cached = true;
      status = "cached";
      metrics_.cache_hit();
      if (stream) {
        stream->set_head(answer);
        co_await stream->text(answer.text);
      }
    } else if (result) {
      SearchRequest search;
      search.collection = plan.collection.id;
      search.scope = request.scope;
      search.query = query;
      search.top_k = plan.top_k;
      search.filters = request.filters;
      const bool traced = tracer_ && request.trace && tracer_->sampled(*request.trace);
      auto search_started = std::chrono::steady_clock::now();
      auto found = co_await retriever_.search(search);
      if (traced) {
        tracer_->record(retrieval_span(ops::Tracer::child_of(*request.trace, true), plan.collection,
                                       plan.top_k, found ? &*found : nullptr,
                                       ops::Tracer::unix_nanos(search_started),
                                       ops::Tracer::unix_nanos(std::chrono::steady_clock::now())));
      }
      if (!found) {
        result = found.error();
      } else {
        answer.modes = found->modes;
        answer.index_version = found->index_version;
        // Traced: the answer's span is the parent of its model call.
        const core::TraceContext answer_trace =
            traced ? ops::Tracer::child_of(*request.trace, true) : core::TraceContext{};
        const auto generate_started = std::chrono::steady_clock::now();
        result = co_await generate(request, plan, found->hits, outcome, stream,
                                   traced ? &answer_trace : request.trace);
        if (traced) {
          tracer_->record(answer_span(answer_trace, answer.model, found->hits.size(), !result,
                                      ops::Tracer::unix_nanos(generate_started),
                                      ops::Tracer::unix_nanos(std::chrono::steady_clock::now())));
        }
        // Keyed by the version the answer was read from: an ingest meanwhile makes it unreachable.
        // A degraded search's answer is not kept: it would outlive the overload.
        if (result && !key.empty() && !found->degraded && found->index_version == *version)
          cache_.put(key, answer);
      }
    }
    if (result) co_await remember(plan, answer);
  }
  if (!result) {
    status = "error";
    outcome.error = result.error();
    if (result.error().code == Errc::unavailable && !outcome.retry_after)
      outcome.retry_after = std::chrono::seconds(1);
  }
  metrics_.query(status,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  co_return outcome;
}

}  // namespace sluice::rag
