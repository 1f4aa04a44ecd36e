#pragma once
// multipart/form-data bodies (RFC 7578 over RFC 2046's multipart syntax), for file uploads.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::http {

// One form field. `body` views into the parsed body, which must outlive the part.
struct MultipartPart {
  std::string name;      // Content-Disposition's name
  std::string filename;  // Content-Disposition's filename; empty for a plain field
  // The disposition has a filename (or filename*) parameter, even an empty one: form parsers
  // then read the part as a file, not as a field.
  bool has_filename = false;
  std::string content_type;  // the part's Content-Type; empty when absent
  std::string_view body;
};

struct MultipartLimits {
  std::size_t max_parts = 16;
  std::size_t max_header_bytes = 4096;  // one part's header block
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not, 1 to 70
// characters). invalid_request saying what is wrong otherwise.
Result<std::string> multipart_boundary(std::string_view content_type);

// The invalid_request (code invalid_multipart) for a malformed body: "malformed ...: <what>".
Error multipart_error(std::string what);

// Reads one part's header block (`headers`, without its final blank line) into `part`: a
// form-data Content-Disposition (one, with one `name`, never `name*`) is required, Content-Type
// kept, other headers ignored. `index` (from 0) numbers the part in error messages.
Status parse_part_headers(std::string_view headers, std::size_t index, MultipartPart& part);

// Splits `body` into its parts: the preamble before the first delimiter and the epilogue after
// the closing one are ignored, CRLF line ends are required, each part needs a form-data
// Content-Disposition with a name; headers other than Content-Disposition and Content-Type are
// ignored. A malformed body is an invalid_request error saying what is wrong.
Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MultipartLimits& limits = {});

}  // namespace sluice::http
