// multipart/form-data bodies as a client may send them. The first line of the input is the
// Content-Type header, the rest the body. Every part's body views into the input, in order and
// without overlap; at most max_parts parts; an error is always an invalid_request with a message.

#include "fuzz_support.hpp"
#include "http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);
  const std::size_t eol = input.find('\n');
  const std::string_view content_type = input.substr(0, eol);
  const std::string_view body =
      eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  auto boundary = sluice::http::multipart_boundary(content_type);
  if (!boundary) {
    FUZZ_CHECK(boundary.error().code == sluice::Errc::invalid_request);
    return 0;
  }
  const sluice::http::MultipartLimits limits{.max_parts = 8, .max_header_bytes = 256};
  auto parts = sluice::http::parse_multipart(body, *boundary, limits);
  if (!parts) {
    FUZZ_CHECK(parts.error().code == sluice::Errc::invalid_request);
    FUZZ_CHECK(!parts.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!parts->empty() && parts->size() <= limits.max_parts);
  const char* previous_end = body.data();
  for (const auto& part : *parts) {
    FUZZ_CHECK(!part.name.empty());
    FUZZ_CHECK(part.body.data() >= previous_end);
    FUZZ_CHECK(part.body.data() + part.body.size() <= body.data() + body.size());
    previous_end = part.body.data() + part.body.size();
  }
  return 0;
}
