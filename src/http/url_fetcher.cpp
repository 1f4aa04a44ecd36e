#include "http/url_fetcher.hpp"

#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <vector>

#include "http/upstream_client.hpp"

namespace sluice::http {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// No keep-alive: a fetched server is not worth a pooled connection.
constexpr std::string_view kRequestHeaders =
    "User-Agent: sluice-url-ingest\r\n"
    "Accept: text/html, text/markdown, text/plain, application/pdf, */*;q=0.1\r\n"
    "Accept-Encoding: identity\r\n"
    "Connection: close\r\n";

Error fetch_error(Errc code, std::string message, std::string_view detail = "url_fetch_failed") {
  return make_error(code, "url: " + std::move(message), "url", std::string(detail));
}

Error timed_out(const FetchPolicy& policy) {
  return fetch_error(Errc::gateway_timeout,
                     "the fetch took longer than " + std::to_string(policy.timeout.count()) +
                         " ms (rag.url_ingest.timeout)",
                     "url_fetch_timeout");
}

Error too_large(const FetchPolicy& policy) {
  return fetch_error(Errc::payload_too_large,
                     "the document is larger than " + std::to_string(policy.max_bytes) +
                         " bytes (rag.max_document_bytes)",
                     "url_too_large");
}

// "localhost" and names under it are loopback by definition (RFC 6761): never asked of DNS,
// which may answer otherwise or, on a bare system, not at all.
bool is_localhost_name(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  constexpr std::string_view kLocalhost = "localhost";
  const auto ends_with_localhost = [&](std::size_t at) {
    return strncasecmp(host.data() + at, kLocalhost.data(), kLocalhost.size()) == 0;
  };
  if (host.size() == kLocalhost.size()) return ends_with_localhost(0);
  return host.size() > kLocalhost.size() && host[host.size() - kLocalhost.size() - 1] == '.' &&
         ends_with_localhost(host.size() - kLocalhost.size());
}

// The addresses to check for `url`: its literal, or what the host name resolves to.
asio::awaitable<Result<std::vector<asio::ip::address>>> addresses_of(const FetchUrl& url) {
  if (url.ip) co_return std::vector<asio::ip::address>{*url.ip};
  if (is_localhost_name(url.host))
    co_return std::vector<asio::ip::address>{asio::ip::address_v4::loopback(),
                                             asio::ip::address_v6::loopback()};
  asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [ec, results] =
      co_await resolver.async_resolve(url.host, url.port, asio::as_tuple(asio::use_awaitable));
  if (ec || results.empty())
    co_return fetch_error(Errc::unprocessable, "cannot resolve the host " + url.host);
  std::vector<asio::ip::address> addresses;
  for (const auto& entry : results) addresses.push_back(entry.endpoint().address());
  co_return addresses;
}

// An upstream call's failure in the fetch's words: no resolver, socket or pool details.
Error call_error(core::AttemptOutcome outcome, const FetchUrl& url, const FetchPolicy& policy) {
  switch (outcome) {
    case core::AttemptOutcome::timeout:
      return timed_out(policy);
    case core::AttemptOutcome::too_large:
      return too_large(policy);
    case core::AttemptOutcome::connect:
      return fetch_error(Errc::bad_gateway, "cannot connect to " + url.host);
    case core::AttemptOutcome::client_gone:
    case core::AttemptOutcome::cancelled:
      return fetch_error(Errc::gateway_timeout, "the fetch was cancelled");
    default:
      return fetch_error(Errc::bad_gateway,
                         url.host + " closed the connection or answered malformed HTTP");
  }
}

bool declared_too_large(const UpstreamCall& call, std::size_t max_bytes) {
  const std::string_view length = call.header("content-length");
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), value);
  return ec == std::errc() && value > max_bytes;
}

}  // namespace

asio::awaitable<Result<FetchedBody>> fetch_url(std::string_view text, const FetchPolicy& policy,
                                               core::Cancellation* cancellation) {
  auto url = parse_fetch_url(text);
  if (!url) co_return url.error();
  const Clock::time_point deadline = Clock::now() + policy.timeout;
  for (int redirects = 0;; ++redirects) {
    auto addresses = co_await addresses_of(*url);
    if (!addresses) co_return addresses.error();
    if (Clock::now() >= deadline) co_return timed_out(policy);
    auto address = vet_addresses(policy, url->host, *addresses);
    if (!address) co_return address.error();

    UpstreamEndpoint endpoint;
    endpoint.tls = url->tls;
    endpoint.host = url->host;
    endpoint.port = url->port;
    endpoint.connect_address = address->to_string();
    UpstreamTimeouts timeouts;
    timeouts.connect = timeouts.first_byte = timeouts.idle = timeouts.total = policy.timeout;
    timeouts.request_deadline = deadline;
    timeouts.cancellation = cancellation;
    UpstreamRequest request;
    request.method = "GET";
    request.target = url->target;
    request.headers = kRequestHeaders;
    UpstreamCall call;
    if (Status started = co_await call.start(endpoint, request, timeouts); !started)
      co_return call_error(call.outcome(), *url, policy);

    const int status = call.status();
    if (is_redirect_status(status)) {
      auto next = follow_redirect(*url, call.header("location"), redirects, policy.max_redirects);
      call.abandon();
      if (!next) co_return next.error();
      url = std::move(next);
      continue;
    }
    if (status < 200 || status > 299) {
      call.abandon();
      co_return fetch_error(Errc::unprocessable,
                            url->host + " answered HTTP " + std::to_string(status));
    }
    if (declared_too_large(call, policy.max_bytes)) {
      call.abandon();
      co_return too_large(policy);
    }
    FetchedBody fetched{*std::move(url), std::string(call.header("content-type")), {}};
    auto body = co_await call.read_all(policy.max_bytes);
    call.abandon();  // never pooled, whatever the server said about keep-alive
    if (!body) co_return call_error(call.outcome(), fetched.url, policy);
    fetched.body = std::move(*body);
    co_return fetched;
  }
}

}  // namespace sluice::http
