#include "http/request_framing.hpp"

namespace sluice::http {
namespace bhttp = boost::beast::http;
namespace {

Error bad_framing(std::string message) {
  return make_error(Errc::invalid_request, std::move(message), {}, "bad_request_framing");
}

}  // namespace

std::optional<Error> framing_error(const bhttp::fields& fields, unsigned version, bool chunked) {
  std::size_t hosts = 0;
  bool transfer_encoding = false;
  bool content_length = false;
  for (const auto& field : fields) {
    switch (field.name()) {
      case bhttp::field::host:
        ++hosts;
        break;
      case bhttp::field::transfer_encoding:
        transfer_encoding = true;
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
  if (transfer_encoding && content_length)
    return bad_framing("a request must not carry both Content-Length and Transfer-Encoding");
  if (transfer_encoding && !chunked)
    return bad_framing("the final Transfer-Encoding of a request must be chunked");
  if (hosts > 1)
    return bad_framing("a request must carry one Host header, not " + std::to_string(hosts));
  if (hosts == 0 && version >= 11)
    return bad_framing("an HTTP/1.1 request must carry a Host header");
  return std::nullopt;
}

}  // namespace sluice::http
