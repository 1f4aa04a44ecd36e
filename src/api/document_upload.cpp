#include "api/document_upload.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/strings.hpp"
#include "http/multipart.hpp"
#include "rag/utf8.hpp"

namespace sluice::api {
namespace json = boost::json;

namespace {

Error invalid(std::string message, std::string param) {
  return make_error(Errc::invalid_request, std::move(message), std::move(param));
}

bool has_control_character(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// A short text field: at most `max_bytes` of valid UTF-8 without control characters, since a NUL,
// CR or LF in a name truncates or splits whatever it is later printed into (a log line, a header).
Status check_field(std::string_view value, const std::string& name, std::size_t max_bytes) {
  if (value.size() > max_bytes)
    return invalid(name + " may have at most " + std::to_string(max_bytes) + " bytes", name);
  if (!rag::is_valid_utf8(value) || has_control_character(value))
    return invalid(name + " must be valid UTF-8 without control characters", name);
  return Status::success();
}

// A client's file name without its directories: "../../etc/passwd" names the document "passwd".
// Names are never used as paths; this keeps them from looking like one wherever they are shown.
std::string base_name(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

Status add_tag(store::NewDocument& out, std::string tag) {
  if (tag.empty() || tag.size() > kMaxTagBytes)
    return invalid("each tag must have 1 to " + std::to_string(kMaxTagBytes) + " bytes", "tags");
  if (Status s = check_field(tag, "tags", kMaxTagBytes); !s) return s;
  if (out.tags.size() == kMaxTags)
    return invalid("at most " + std::to_string(kMaxTags) + " tags", "tags");
  out.tags.push_back(std::move(tag));
  return Status::success();
}

// Once every field is read: the file name keeps its last segment, and each name is checked.
Status check_names(store::NewDocument& out) {
  out.source_name = base_name(out.source_name);
  if (Status s = check_field(out.external_id, "id", kMaxClientIdBytes); !s) return s;
  if (Status s = check_field(out.title, "title", kMaxTitleBytes); !s) return s;
  if (Status s = check_field(out.source_name, "source_name", kMaxSourceNameBytes); !s) return s;
  return check_field(out.media_type, "media_type", kMaxMediaTypeBytes);
}

Status read_tags(const json::value& tags, store::NewDocument& out) {
  if (!tags.is_array()) return invalid("tags must be an array of strings", "tags");
  for (const json::value& tag : tags.as_array()) {
    if (!tag.is_string()) return invalid("tags must be an array of strings", "tags");
    if (Status added = add_tag(out, std::string(tag.as_string())); !added) return added;
  }
  return Status::success();
}

Status read_metadata(const json::value& metadata, store::NewDocument& out) {
  if (!metadata.is_object()) return invalid("metadata must be a JSON object", "metadata");
  out.metadata_json = json::serialize(metadata);
  if (out.metadata_json.size() > kMaxMetadataBytes)
    return invalid("metadata may have at most " + std::to_string(kMaxMetadataBytes) + " bytes",
                   "metadata");
  return Status::success();
}

// `format` (text | markdown | html) as the media type the parsers know.
Result<std::string> media_type_of_format(std::string_view format) {
  if (format == "text") return std::string("text/plain");
  if (format == "markdown") return std::string("text/markdown");
  if (format == "html") return std::string("text/html");
  return invalid("format must be text, markdown or html", "format");
}

const json::value* member(const json::object& body, std::string_view key) {
  auto it = body.find(key);
  return it == body.end() || it->value().is_null() ? nullptr : &it->value();
}

Result<std::string> optional_string(const json::object& body, std::string_view key) {
  const json::value* value = member(body, key);
  if (!value) return std::string();
  if (!value->is_string()) return invalid(std::string(key) + " must be a string", std::string(key));
  return std::string(value->as_string());
}

}  // namespace

bool is_multipart(std::string_view content_type) {
  const std::string_view media_type = core::trim(content_type.substr(0, content_type.find(';')));
  return core::iequals(media_type, "multipart/form-data");
}

Result<store::NewDocument> upload_from_json(const json::object& body) {
  store::NewDocument out;
  const json::value* text = member(body, "text");
  if (!text || !text->is_string() || text->as_string().empty())
    return invalid("text is required: the document's content as a non-empty string", "text");
  out.bytes = std::string(text->as_string());
  if (Status s = read_upload_fields(body, out); !s) return s.error();
  if (out.media_type.empty()) out.media_type = "text/plain";
  return out;
}

Status read_upload_fields(const json::object& body, store::NewDocument& out) {
  for (auto [key, target] : {std::pair<std::string_view, std::string*>{"title", &out.title},
                             {"id", &out.external_id},
                             {"source_name", &out.source_name},
                             {"media_type", &out.media_type}}) {
    auto value = optional_string(body, key);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  auto format = optional_string(body, "format");
  if (!format) return format.error();
  if (!format->empty()) {
    auto media_type = media_type_of_format(*format);
    if (!media_type) return media_type.error();
    out.media_type = std::move(*media_type);
  }
  if (Status s = check_names(out); !s) return s;
  out.title_given = !out.title.empty();
  if (const json::value* metadata = member(body, "metadata"))
    if (Status s = read_metadata(*metadata, out); !s) return s;
  if (const json::value* tags = member(body, "tags"))
    if (Status s = read_tags(*tags, out); !s) return s;
  return Status::success();
}

Result<store::NewDocument> upload_from_multipart(std::string_view content_type,
                                                 std::string_view body) {
  auto boundary = http::multipart_boundary(content_type);
  if (!boundary) return boundary.error();
  auto parts = http::parse_multipart(body, *boundary);
  if (!parts) return parts.error();
  store::NewDocument out;
  bool has_file = false;
  for (const http::MultipartPart& part : *parts) {
    if (part.name == "file") {
      if (has_file) return invalid("the form has more than one file part", "file");
      has_file = true;
      out.bytes = std::string(part.body);
      out.source_name = part.filename;
      out.media_type = part.content_type;
    } else if (part.name == "id") {
      out.external_id = std::string(part.body);
    } else if (part.name == "title") {
      out.title = std::string(part.body);
    } else if (part.name == "metadata") {
      json::error_code ec;
      const json::value metadata = json::parse(part.body, ec);
      if (ec) return invalid("metadata must be the text of a JSON object", "metadata");
      if (Status s = read_metadata(metadata, out); !s) return s.error();
    } else if (part.name == "tags") {
      const std::string_view text = core::trim(part.body);
      if (text.starts_with('[')) {
        json::error_code ec;
        const json::value tags = json::parse(text, ec);
        if (ec) return invalid("tags must be a JSON array of strings or one tag", "tags");
        if (Status s = read_tags(tags, out); !s) return s.error();
      } else if (Status s = add_tag(out, std::string(text)); !s) {
        return s.error();
      }
    }
  }
  if (!has_file) return invalid("the form needs a `file` part with the document", "file");
  if (out.bytes.empty()) return invalid("the uploaded file is empty", "file");
  if (Status s = check_names(out); !s) return s.error();
  out.title_given = !out.title.empty();
  if (out.title.empty() && !out.source_name.empty()) {
    const std::size_t dot = out.source_name.rfind('.');
    out.title = out.source_name.substr(0, dot == 0 ? std::string::npos : dot);
  }
  return out;
}

}  // namespace sluice::api
