#pragma once
// POST /v1/collections/{c}/documents with {"url": ..., title?, id?, metadata?, tags?,
// media_type? | format?, source_name?}: the server fetches the document (http/url_fetcher.hpp,
// under rag.url_ingest) during the request, so that the client gets a refused or failed fetch as
// the answer to its own request; the fetched body then takes the same path as an upload.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/cancellation.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "http/fetch_policy.hpp"
#include "store/document_store.hpp"

namespace sluice::api {

// Whether a JSON upload names a URL instead of carrying its text.
bool is_url_upload(const boost::json::object& body);

// The fetch policy rag.url_ingest describes (with rag.max_document_bytes as the size limit).
// Fails only on a configuration `sluice check` refuses.
Result<http::FetchPolicy> url_fetch_policy(const core::RagConfig& config);

// The document at body["url"], with the other fields as in a JSON upload. The media type is the
// response's, unless the body gives one; the source name is the URL's file name.
boost::asio::awaitable<Result<store::NewDocument>> upload_from_url(
    const boost::json::object& body, const core::RagConfig& config,
    core::Cancellation* cancellation);

}  // namespace sluice::api
