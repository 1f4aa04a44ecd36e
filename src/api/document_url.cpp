#include "api/document_url.hpp"

#include "api/document_upload.hpp"
#include "core/strings.hpp"
#include "http/url_fetcher.hpp"

namespace sluice::api {
namespace json = boost::json;

namespace {

Error invalid_url(std::string message) {
  return make_error(Errc::invalid_request, std::move(message), "url");
}

// Documents come as text, HTML, Markdown or PDF; a server that says image/png is not sending one.
// application/octet-stream and no type at all leave it to the file name and the content.
bool is_document_type(std::string_view media_type) {
  return media_type.empty() || media_type.starts_with("text/") || media_type == "application/pdf" ||
         media_type == "application/x-pdf" || media_type == "application/xhtml+xml" ||
         media_type == "application/octet-stream";
}

}  // namespace

bool is_url_upload(const json::object& body) { return body.contains("url"); }

Result<http::FetchPolicy> url_fetch_policy(const core::RagConfig& config) {
  const core::UrlIngestConfig& settings = config.url_ingest;
  http::FetchPolicy policy;
  policy.max_bytes = config.max_document_bytes;
  policy.timeout = settings.timeout;
  policy.max_redirects = settings.max_redirects;
  for (const std::string& text : settings.allow_cidrs) {
    auto cidr = core::Cidr::parse(text);
    if (!cidr) return cidr.error();
    policy.allow_cidrs.push_back(*cidr);
  }
  for (const std::string& host : settings.allow_hosts)
    policy.allow_hosts.push_back(core::lower(host));
  return policy;
}

boost::asio::awaitable<Result<store::NewDocument>> upload_from_url(
    const json::object& body, const core::RagConfig& config, core::Cancellation* cancellation) {
  if (!config.url_ingest.enabled)
    co_return invalid_url(
        "this server does not fetch documents from URLs "
        "(rag.url_ingest.enabled is false); upload the text or file instead");
  const json::value& url = body.at("url");
  if (!url.is_string() || url.as_string().empty())
    co_return invalid_url("url must be a non-empty string: an http or https URL");
  if (body.contains("text")) co_return invalid_url("give either text or url, not both");
  store::NewDocument out;
  if (Status fields = read_upload_fields(body, out); !fields) co_return fields.error();
  auto policy = url_fetch_policy(config);
  if (!policy) co_return make_error(Errc::internal, "rag.url_ingest is misconfigured");
  auto fetched = co_await http::fetch_url(url.as_string(), *policy, cancellation);
  if (!fetched) co_return fetched.error();
  const std::string media_type = core::lower(core::trim(
      std::string_view(fetched->content_type).substr(0, fetched->content_type.find(';'))));
  if (!is_document_type(media_type))
    co_return make_error(Errc::unprocessable,
                         "url: the server answered with " + media_type +
                             ", not a document (text, Markdown, HTML or PDF)",
                         "url", "unsupported_media_type");
  if (fetched->body.empty())
    co_return make_error(Errc::unprocessable, "url: the server answered with an empty document",
                         "url", "empty_document");
  out.bytes = std::move(fetched->body);
  if (out.media_type.empty()) out.media_type = media_type;
  if (out.source_name.empty()) out.source_name = http::file_name_of(fetched->url);
  co_return out;
}

}  // namespace sluice::api
