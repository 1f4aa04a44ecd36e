#include "http/request_framing.hpp"

#include <boost/beast/http/error.hpp>

#include "core/strings.hpp"

namespace sluice::http {
namespace bhttp = boost::beast::http;
namespace {

Error bad_framing(std::string message) {
  return make_error(Errc::invalid_request, std::move(message), {}, "bad_request_framing");
}

// The first transfer coding other than one `chunked` in a Transfer-Encoding value (codings are
// comma-separated, case-insensitive); empty when there is none. Sluice decodes chunked only: a
// body under another coding (gzip, say) would be read as if it had none.
std::string_view unsupported_coding(std::string_view value, int& chunked_seen) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    const std::string_view coding = core::trim(value.substr(0, comma));
    if (!coding.empty() && (!core::iequals(coding, "chunked") || ++chunked_seen > 1)) return coding;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return {};
}

Error both_lengths() {
  return bad_framing("a request must not carry both Content-Length and Transfer-Encoding");
}

Error chunked_twice() {
  return bad_framing(
      "transfer coding 'chunked' is not supported: a request body may only be chunked, once");
}

}  // namespace

std::optional<Error> parser_framing_error(const boost::system::error_code& ec,
                                          const bhttp::fields& seen) {
  const bool has_length = seen.find(bhttp::field::content_length) != seen.end();
  const bool has_coding = seen.find(bhttp::field::transfer_encoding) != seen.end();
  if (ec == bhttp::error::bad_transfer_encoding)
    return has_length ? both_lengths() : chunked_twice();
  if (ec == bhttp::error::bad_content_length) {
    if (has_coding) return both_lengths();
    return bad_framing("the Content-Length of a request must be a decimal number of bytes");
  }
  if (ec == bhttp::error::multiple_content_length)
    return bad_framing("a request must not carry differing Content-Length values");
  return std::nullopt;
}

std::optional<Error> framing_error(const bhttp::fields& fields, unsigned version, bool chunked) {
  std::size_t hosts = 0;
  bool transfer_encoding = false;
  bool content_length = false;
  int chunked_seen = 0;
  std::string_view bad_coding;
  for (const auto& field : fields) {
    switch (field.name()) {
      case bhttp::field::host:
        ++hosts;
        break;
      case bhttp::field::transfer_encoding:
        transfer_encoding = true;
        if (bad_coding.empty()) bad_coding = unsupported_coding(field.value(), chunked_seen);
        break;
      case bhttp::field::content_length:
        content_length = true;
        break;
      default:
        break;
    }
  }
  if (transfer_encoding && version < 11)
    return bad_framing("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  if (transfer_encoding && content_length) return both_lengths();
  if (!bad_coding.empty())
    return bad_framing("transfer coding '" + std::string(bad_coding) +
                       "' is not supported: a request body may only be chunked, once");
  if (transfer_encoding && !chunked)
    return bad_framing("the final Transfer-Encoding of a request must be chunked");
  if (hosts > 1)
    return bad_framing("a request must carry one Host header, not " + std::to_string(hosts));
  if (hosts == 0 && version >= 11)
    return bad_framing("an HTTP/1.1 request must carry a Host header");
  return std::nullopt;
}

}  // namespace sluice::http
