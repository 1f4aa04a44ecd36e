#include "http/multipart.hpp"

#include "core/strings.hpp"

namespace sluice::http {
namespace {

constexpr std::size_t kMaxBoundary = 70;  // RFC 2046 5.1.1

Error malformed(std::string what) { return multipart_error(std::move(what)); }

bool is_lwsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_lwsp(std::string_view s) {
  while (!s.empty() && is_lwsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lwsp(s.back())) s.remove_suffix(1);
  return s;
}

// Header parameters: `; key=value` or `; key="quoted \" value"`, in order.
struct Parameter {
  std::string key;  // lowercased
  std::string value;
};

// Splits `type; a=b; c="d"` into the value before the first ';' and its parameters. false when a
// parameter is malformed (no '=', an unterminated quote).
bool split_parameters(std::string_view header, std::string_view& value,
                      std::vector<Parameter>& parameters) {
  const std::size_t semicolon = header.find(';');
  value = trim_lwsp(header.substr(0, semicolon));
  std::size_t pos = semicolon == std::string_view::npos ? header.size() : semicolon + 1;
  while (pos < header.size()) {
    while (pos < header.size() && is_lwsp(header[pos])) ++pos;
    if (pos == header.size()) break;
    const std::size_t equals = header.find('=', pos);
    if (equals == std::string_view::npos) return false;
    Parameter parameter{core::lower(trim_lwsp(header.substr(pos, equals - pos))), {}};
    if (parameter.key.empty()) return false;
    pos = equals + 1;
    while (pos < header.size() && is_lwsp(header[pos])) ++pos;
    if (pos < header.size() && header[pos] == '"') {
      ++pos;
      bool closed = false;
      while (pos < header.size()) {
        const char c = header[pos++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && pos < header.size()) {
          parameter.value += header[pos++];
        } else {
          parameter.value += c;
        }
      }
      if (!closed) return false;
      while (pos < header.size() && is_lwsp(header[pos])) ++pos;
      if (pos < header.size() && header[pos] != ';') return false;
    } else {
      const std::size_t end = std::min(header.find(';', pos), header.size());
      parameter.value = std::string(trim_lwsp(header.substr(pos, end - pos)));
      pos = end;
    }
    if (pos < header.size()) ++pos;  // the ';'
    parameters.push_back(std::move(parameter));
  }
  return true;
}

}  // namespace

Error multipart_error(std::string what) {
  return make_error(Errc::invalid_request, "malformed multipart/form-data body: " + what, {},
                    "invalid_multipart");
}

Status parse_part_headers(std::string_view headers, std::size_t index, MultipartPart& part) {
  const std::string where = "part " + std::to_string(index + 1);
  bool has_disposition = false;
  while (!headers.empty()) {
    const std::size_t eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers.remove_prefix(eol == std::string_view::npos ? headers.size() : eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || is_lwsp(line.front()))
      return malformed(where + " has a header line without a name and a colon");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim_lwsp(line.substr(colon + 1));
    if (core::iequals(name, "Content-Type")) {
      part.content_type = std::string(value);
    } else if (core::iequals(name, "Content-Disposition")) {
      // Parsers disagree about which of two wins; a gateway that reads `model` must not.
      if (has_disposition) return malformed(where + " has more than one Content-Disposition");
      std::string_view disposition;
      std::vector<Parameter> parameters;
      if (!split_parameters(value, disposition, parameters))
        return malformed(where + " has a malformed Content-Disposition parameter");
      if (!core::iequals(disposition, "form-data"))
        return malformed(where + "'s Content-Disposition is not form-data");
      bool named = false;
      for (Parameter& parameter : parameters) {
        // RFC 7578 4.2: `name*` must not be used; one `name` only, for the same reason as above.
        if (parameter.key == "name*" || (parameter.key == "name" && named))
          return malformed(where + " names its field more than once, or with name*");
        if (parameter.key == "name") {
          part.name = std::move(parameter.value);
          named = true;
        }
        if (parameter.key == "filename" || parameter.key == "filename*") part.has_filename = true;
        if (parameter.key == "filename") part.filename = std::move(parameter.value);
      }
      has_disposition = true;
    }
  }
  if (!has_disposition) return malformed(where + " has no Content-Disposition header");
  if (part.name.empty()) return malformed(where + "'s Content-Disposition has no name");
  return Status::success();
}

Result<std::string> multipart_boundary(std::string_view content_type) {
  std::string_view media_type;
  std::vector<Parameter> parameters;
  if (!split_parameters(content_type, media_type, parameters))
    return malformed("the Content-Type header has a malformed parameter");
  if (!core::iequals(media_type, "multipart/form-data"))
    return malformed("the Content-Type is not multipart/form-data");
  for (Parameter& parameter : parameters) {
    if (parameter.key != "boundary") continue;
    if (parameter.value.empty() || parameter.value.size() > kMaxBoundary)
      return malformed("the boundary must have 1 to 70 characters");
    return std::move(parameter.value);
  }
  return malformed("the Content-Type has no boundary parameter");
}

Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MultipartLimits& limits) {
  if (boundary.empty() || boundary.size() > kMaxBoundary)
    return malformed("the boundary must have 1 to 70 characters");
  const std::string delimiter = "\r\n--" + std::string(boundary);
  // The first delimiter may open the body (no preamble) without its leading CRLF.
  std::size_t pos;
  if (body.substr(0, delimiter.size() - 2) == std::string_view(delimiter).substr(2)) {
    pos = delimiter.size() - 2;
  } else {
    pos = body.find(delimiter);
    if (pos == std::string_view::npos) return malformed("the boundary delimiter never occurs");
    pos += delimiter.size();
  }
  std::vector<MultipartPart> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") {
      if (parts.empty()) return malformed("the body has no parts");
      return parts;  // the close delimiter; the epilogue is ignored
    }
    while (pos < body.size() && is_lwsp(body[pos])) ++pos;  // transport padding
    if (body.substr(pos, 2) != "\r\n")
      return malformed("a boundary delimiter line does not end with CRLF");
    pos += 2;
    if (pos == body.size())
      return malformed("the body ends without the closing boundary delimiter");
    if (parts.size() == limits.max_parts)
      return malformed("more than " + std::to_string(limits.max_parts) + " parts");
    std::size_t content;
    std::string_view headers;
    if (body.substr(pos, 2) == "\r\n") {  // a part without headers
      content = pos + 2;
    } else {
      const std::string_view window = body.substr(pos, limits.max_header_bytes + 4);
      const std::size_t end = window.find("\r\n\r\n");
      if (end == std::string_view::npos)
        return malformed(window.size() > limits.max_header_bytes
                             ? "part " + std::to_string(parts.size() + 1) + "'s headers exceed " +
                                   std::to_string(limits.max_header_bytes) + " bytes"
                             : "part " + std::to_string(parts.size() + 1) +
                                   "'s headers do not end with a blank line");
      headers = body.substr(pos, end);
      content = pos + end + 4;
    }
    MultipartPart part;
    if (Status status = parse_part_headers(headers, parts.size(), part); !status)
      return status.error();
    const std::size_t next = body.find(delimiter, content);
    if (next == std::string_view::npos)
      return malformed("the body ends without the closing boundary delimiter");
    part.body = body.substr(content, next - content);
    parts.push_back(std::move(part));
    pos = next + delimiter.size();
  }
}

}  // namespace sluice::http
