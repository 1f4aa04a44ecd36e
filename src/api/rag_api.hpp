#pragma once
// The document API's shared parts: what its handlers need, and the JSON objects it answers with.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "core/config.hpp"
#include "http/exchange.hpp"
#include "store/store.hpp"

namespace sluice::api {

struct RagApi {
  store::Store& store;
  const core::RagConfig& config;
  // This process accepted work for the queue (an upload, a retried job): wakes local workers.
  std::function<void()> on_job_queued;
  // A collection's documents changed through the API (a delete): indexes and caches follow.
  std::function<void(const std::string& collection_id)> on_change;
};

// The API objects: {"id","object":"collection",...}, "document" (with its last job when given)
// and "job". Times are Unix seconds.
boost::json::object collection_json(const store::Collection& collection);
boost::json::object document_json(const store::Document& document, const store::Job* last_job);
boost::json::object job_json(const store::Job& job);

// {"object":"list","data":[...],"has_more","next_cursor"}.
std::string list_body(boost::json::array data, const std::string& next_cursor);
template <class T, class Render>
std::string list_body(const store::Page<T>& page, Render render) {
  boost::json::array data;
  for (const T& item : page.items) data.push_back(render(item));
  return list_body(std::move(data), page.next_cursor);
}

// ?limit= (1..1000) and ?after=; false after answering a 400 for a malformed limit.
struct PageRequest {
  std::string cursor;
  int limit = 0;
};
bool read_page_request(http::Exchange& exchange, PageRequest& out);

void respond_json(http::Exchange& exchange, int status, const boost::json::object& body);
// {"id","object":"<object>.deleted","deleted":true}
void respond_deleted(http::Exchange& exchange, std::string_view object, std::string_view id);

}  // namespace sluice::api
