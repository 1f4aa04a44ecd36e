#include "rag/gateway_embedder.hpp"

#include <boost/json.hpp>

#include "gateway/gateway_service.hpp"

namespace sluice::rag {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

Error malformed(const std::string& why) {
  return make_error(Errc::bad_gateway, "the embeddings response is malformed: " + why);
}

// The gateway's message for a failed call, the upstream's own when it sent one.
Error gateway_error(const gateway::Outcome& outcome) {
  Error error = outcome.error;
  boost::system::error_code ignored;
  const json::value body = json::parse(outcome.error_body, ignored);
  if (const auto* object = body.if_object())
    if (const auto* inner = object->if_contains("error"); inner && inner->is_object())
      if (const auto* message = inner->as_object().if_contains("message");
          message && message->is_string() && error.message.empty())
        error.message = std::string(message->get_string());
  if (error.message.empty()) error.message = "the embeddings call failed";
  error.message = "embedding failed: " + error.message;
  return error;
}

}  // namespace

Result<std::vector<std::vector<float>>> parse_embeddings_response(std::string_view body,
                                                                  std::size_t expected) {
  boost::system::error_code error;
  const json::value parsed = json::parse(body, error);
  if (error || !parsed.is_object()) return malformed("not a JSON object");
  const json::value* data = parsed.as_object().if_contains("data");
  if (!data || !data->is_array()) return malformed("no 'data' array");
  if (data->as_array().size() != expected)
    return malformed(std::to_string(data->as_array().size()) + " vectors for " +
                     std::to_string(expected) + " inputs");
  std::vector<std::vector<float>> vectors(expected);
  std::size_t position = 0;
  for (const json::value& item : data->as_array()) {
    const json::object* object = item.if_object();
    const json::value* embedding = object ? object->if_contains("embedding") : nullptr;
    if (!embedding || !embedding->is_array()) return malformed("an item has no 'embedding' array");
    std::size_t index = position++;
    if (const json::value* i = object->if_contains("index")) {
      if (!i->is_number()) return malformed("an 'index' is not a number");
      index = static_cast<std::size_t>(i->to_number<double>());
    }
    if (index >= expected || !vectors[index].empty())
      return malformed("'index' values are not 0.." + std::to_string(expected - 1));
    std::vector<float>& vector = vectors[index];
    vector.reserve(embedding->as_array().size());
    for (const json::value& x : embedding->as_array()) {
      if (!x.is_number()) return malformed("an embedding holds a non-number");
      vector.push_back(static_cast<float>(x.to_number<double>()));
    }
    if (vector.empty()) return malformed("an embedding is empty");
  }
  for (const auto& vector : vectors)
    if (vector.size() != vectors[0].size())
      return malformed("vectors of dimensions " + std::to_string(vectors[0].size()) + " and " +
                       std::to_string(vector.size()));
  return vectors;
}

awaitable<Result<std::vector<std::vector<float>>>> GatewayEmbedder::embed(
    std::string_view model, std::span<const std::string> texts) {
  std::vector<std::vector<float>> all;
  all.reserve(texts.size());
  for (std::size_t first = 0; first < texts.size(); first += kBatchSize) {
    const auto batch = texts.subspan(first, std::min(kBatchSize, texts.size() - first));
    json::object body;
    body["model"] = model;
    json::array input;
    for (const std::string& text : batch) input.emplace_back(text);
    body["input"] = std::move(input);
    const std::string raw = json::serialize(body);
    gateway::EmbeddingsRequest request;
    request.body = &body;
    request.raw_body = raw;
    request.model = std::string(model);
    request.limits.deadline = gateway_.deadline_for(model, std::nullopt);
    gateway::Outcome outcome = co_await gateway_.embeddings(request);
    if (!outcome.ok) co_return gateway_error(outcome);
    auto vectors = parse_embeddings_response(outcome.body, batch.size());
    if (!vectors) co_return vectors.error();
    if (!all.empty() && (*vectors)[0].size() != all[0].size())
      co_return malformed("batches of dimensions " + std::to_string(all[0].size()) + " and " +
                          std::to_string((*vectors)[0].size()));
    for (auto& vector : *vectors) all.push_back(std::move(vector));
  }
  co_return all;
}

}  // namespace sluice::rag
