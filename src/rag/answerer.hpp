#pragma once
// Questions answered from a collection: retrieve, prompt, ask the model (or extract), cite,
// cache, and keep the conversation when the question belongs to a session.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "gateway/gateway_service.hpp"
#include "rag/answer.hpp"
#include "rag/answer_cache.hpp"
#include "rag/model_call.hpp"
#include "rag/prompt_template.hpp"
#include "rag/rag_metrics.hpp"
#include "rag/retriever.hpp"
#include "store/store.hpp"
#include "store/tenant_scope.hpp"

namespace sluice::ops {
class Tracer;
}

namespace sluice::rag {

struct AnswerRequest {
  std::string question;
  std::string collection;  // id or name; empty: the session's, else rag.default_collection
  // Whose collections and sessions it may use: the caller's.
  store::TenantScope scope = store::TenantScope::everyone();
  std::string session_id;  // empty: no conversation
  // Without a session: the conversation so far as the client sent it (a chat's earlier
  // messages), oldest first.
  std::vector<Turn> history;
  std::optional<std::size_t> top_k;  // default rag.top_k; at most rag.max_top_k
  std::string model;                 // empty: rag.answer_model
  SearchFilters filters;
  // For the model call.
  std::string_view request_id;
  const core::TraceContext* trace = nullptr;
  std::string_view forward_headers;
  gateway::RequestLimits limits;
  gateway::Caller caller;
};

// A streamed answer's receiver: the head (every passage's citation, the model, the template
// version) first, then the text as it comes.
class AnswerStream : public TextSink {
 public:
  // Given once, before the first text() call.
  virtual void set_head(const Answer& head) = 0;
};

struct AnswerOutcome {
  std::optional<Error> error;  // set when the question got no answer
  std::optional<std::chrono::milliseconds> retry_after;
  Answer answer;
  std::string session_id;
  std::optional<gateway::Outcome> model_call;  // when a model was called: for the access log
  bool ok() const { return !error; }
};

class Answerer {
 public:
  // Whether `model` is served only by the built-in mock provider (its echo is no answer: such
  // questions get extractive answers).
  using MockModel = std::function<bool(std::string_view model)>;

  // All references must outlive the Answerer.
  Answerer(Retriever& retriever, gateway::GatewayService& gateway, store::Store& store,
           AnswerCache& cache, RagMetrics& metrics, const core::RagConfig& config,
           MockModel is_mock_model);

  // Answers `request`. With `stream`, the text goes there as it is produced (the head first);
  // a failure after the stream started is returned like any other and the caller ends the
  // stream with it. Errors: invalid_request (param question, top_k, collection), not_found
  // (collection, session_id), unavailable while the collection loads, and the model's failures.
  boost::asio::awaitable<AnswerOutcome> answer(const AnswerRequest& request,
                                               AnswerStream* stream = nullptr);

  // The model a request without one is answered by: rag.answer_model, or kExtractiveModel.
  std::string default_model() const;
  // Where the retrieval and answer spans of sampled requests go; null (the default) = none. Set
  // before serving; `tracer` must outlive the answerer.
  void set_tracer(ops::Tracer* tracer) { tracer_ = tracer; }

 private:
  struct Plan;
  boost::asio::awaitable<Status> prepare(const AnswerRequest& request, Plan& plan,
                                         AnswerOutcome& outcome);
  // The retrieval query; a model call's tokens are added to `usage`.
  boost::asio::awaitable<std::string> condense(const AnswerRequest& request, const Plan& plan,
                                               AnswerUsage& usage);
  // `trace`: the context the model call continues (the answer span's when traced).
  boost::asio::awaitable<Status> generate(const AnswerRequest& request, const Plan& plan,
                                          const std::vector<SearchHit>& hits,
                                          AnswerOutcome& outcome, AnswerStream* stream,
                                          const core::TraceContext* trace);
  boost::asio::awaitable<void> remember(const Plan& plan, const Answer& answer);
  // The collection as `scope` sees it: from the indexes when they know it (a cache hit then
  // makes no store call at all), else from the store.
  boost::asio::awaitable<Result<store::Collection>> visible_collection(
      const store::TenantScope& scope, const std::string& id_or_name);
  bool extractive(std::string_view model) const;

  Retriever& retriever_;
  gateway::GatewayService& gateway_;
  store::Store& store_;
  AnswerCache& cache_;
  RagMetrics& metrics_;
  const core::RagConfig& config_;
  MockModel is_mock_model_;
  ops::Tracer* tracer_ = nullptr;
};

}  // namespace sluice::rag
