#include "http/proxy_tunnel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <string>

namespace sluice::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// A proxy's answer to CONNECT is a status line and a few headers.
constexpr std::uint32_t kMaxAnswerHead = 16 * 1024;

}  // namespace

asio::awaitable<Status> open_tunnel(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                    const core::ProxyUrl& proxy, std::string_view target) {
  const std::string who = "egress proxy " + proxy.authority();
  const std::string what = "CONNECT " + std::string(target);
  std::string request = what + " HTTP/1.1\r\nHost: " + std::string(target) + "\r\n";
  if (const std::string credentials = proxy.authorization(); !credentials.empty())
    request += "Proxy-Authorization: " + credentials + "\r\n";
  request += "\r\n";
  auto [write_ec, ignored_written] =
      co_await asio::async_write(stream, asio::buffer(request), kNoThrow);
  if (write_ec)
    co_return make_error(Errc::bad_gateway,
                         "sending " + what + " to " + who + " failed: " + write_ec.message());

  // A 2xx answer to CONNECT has no body, whatever its headers say (RFC 9110 section 6.4.1); a
  // refusal's body is never read: the connection is closed with it.
  bhttp::response_parser<bhttp::empty_body> answer;
  answer.skip(true);
  answer.header_limit(kMaxAnswerHead);
  auto [read_ec, ignored_read] =
      co_await bhttp::async_read_header(stream, buffer, answer, kNoThrow);
  if (read_ec == beast::error::timeout)
    co_return make_error(Errc::bad_gateway,
                         who + " did not answer " + what + " within the connect timeout");
  if (read_ec)
    co_return make_error(Errc::bad_gateway, who + " closed the connection or answered " + what +
                                                " malformed: " + read_ec.message());
  const unsigned status = answer.get().result_int();
  if (status < 200 || status > 299) {
    std::string refusal = who + " refused " + what + ": " + std::to_string(status);
    if (const auto reason = answer.get().reason(); !reason.empty())
      refusal += " " + std::string(reason.substr(0, 128));
    if (status == 407)
      refusal += std::string(proxy.user.empty() ? " (no credentials were sent)"
                                                : " (the credentials were refused)");
    co_return make_error(Errc::bad_gateway, std::move(refusal));
  }
  // The upstream speaks only after the TLS client hello: earlier bytes are not from it.
  if (buffer.size() != 0)
    co_return make_error(Errc::bad_gateway,
                         who + " sent bytes after its answer to " + what + ", before TLS began");
  co_return Status{};
}

}  // namespace sluice::http
