#include "api/rag_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

namespace sluice::api {
namespace json = boost::json;

namespace {

int64_t seconds(int64_t ms) { return ms / 1000; }

json::value parsed_or_empty_object(const std::string& text) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return json::object();
  return value;
}

}  // namespace

json::object collection_json(const store::Collection& collection) {
  return {{"id", collection.id},
          {"object", "collection"},
          {"name", collection.name},
          {"language", collection.language},
          {"embedding_model", collection.embedding_model.empty()
                                  ? json::value(nullptr)
                                  : json::value(collection.embedding_model)},
          {"document_count", collection.document_count},
          {"chunk_count", collection.chunk_count},
          {"created_at", seconds(collection.created_at_ms)}};
}

json::object job_json(const store::Job& job) {
  return {
      {"id", job.id},
      {"object", "job"},
      {"kind", job.kind},
      {"collection_id", job.collection_id},
      {"document_id", job.document_id},
      {"document_version", job.document_version},
      {"state", job.state},
      {"attempts", job.attempts},
      {"max_attempts", job.max_attempts},
      {"last_error", job.last_error.empty() ? json::value(nullptr) : json::value(job.last_error)},
      {"run_after", seconds(job.run_after_ms)},
      {"created_at", seconds(job.created_at_ms)},
      {"updated_at", seconds(job.updated_at_ms)}};
}

json::object document_json(const store::Document& document, const store::Job* last_job) {
  json::array tags;
  for (const std::string& tag : document.tags) tags.emplace_back(tag);
  json::object out{{"id", document.id},
                   {"object", "document"},
                   {"collection_id", document.collection_id},
                   {"client_id", document.external_id.empty() ? json::value(nullptr)
                                                              : json::value(document.external_id)},
                   {"title", document.title},
                   {"source_name", document.source_name},
                   {"media_type", document.media_type},
                   {"bytes", document.bytes},
                   {"content_hash", document.content_hash},
                   {"version", document.version},
                   {"status", document.status},
                   {"chunk_count", document.chunk_count},
                   {"metadata", parsed_or_empty_object(document.metadata_json)},
                   {"tags", std::move(tags)},
                   {"job_id", document.last_job_id},
                   {"created_at", seconds(document.created_at_ms)},
                   {"updated_at", seconds(document.updated_at_ms)}};
  if (last_job) out["job"] = job_json(*last_job);
  return out;
}

std::string list_body(json::array data, const std::string& next_cursor) {
  json::object body{
      {"object", "list"},
      {"data", std::move(data)},
      {"has_more", !next_cursor.empty()},
      {"next_cursor", next_cursor.empty() ? json::value(nullptr) : json::value(next_cursor)}};
  return json::serialize(body);
}

bool read_page_request(http::Exchange& exchange, PageRequest& out) {
  const http::Request& request = exchange.request;
  if (auto limit = request.query_param("limit")) {
    int value = 0;
    const auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 ||
        value > store::kMaxPageLimit) {
      exchange.response.set_error(make_error(
          Errc::invalid_request,
          "limit must be an integer from 1 to " + std::to_string(store::kMaxPageLimit), "limit"));
      return false;
    }
    out.limit = value;
  }
  if (auto after = request.query_param("after")) out.cursor = std::string(*after);
  return true;
}

void respond_json(http::Exchange& exchange, int status, const json::object& body) {
  exchange.response.set_json(status, json::serialize(body));
}

void respond_deleted(http::Exchange& exchange, std::string_view object, std::string_view id) {
  respond_json(exchange, 200,
               {{"id", id}, {"object", std::string(object) + ".deleted"}, {"deleted", true}});
}

}  // namespace sluice::api
