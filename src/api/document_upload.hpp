#pragma once
// The body of POST /v1/collections/{c}/documents as a NewDocument: a JSON object
// {text, title?, id?, metadata?, tags?, media_type? | format?} or a multipart/form-data form with
// a `file` part (its filename and Content-Type pick the parser) and optional `id`, `title`,
// `metadata` (JSON object text) and `tags` (a JSON array of strings, or one tag per field).
// Names (id, title, source_name, media_type, tags) must be valid UTF-8 without control
// characters and within the limits below; a file name keeps only its last path segment.

#include <boost/json/object.hpp>
#include <string_view>

#include "core/result.hpp"
#include "store/document_store.hpp"

namespace sluice::api {

inline constexpr std::size_t kMaxClientIdBytes = 256;
inline constexpr std::size_t kMaxTitleBytes = 1024;
inline constexpr std::size_t kMaxSourceNameBytes = 255;
inline constexpr std::size_t kMaxMediaTypeBytes = 127;
inline constexpr std::size_t kMaxTags = 64;
inline constexpr std::size_t kMaxTagBytes = 128;
inline constexpr std::size_t kMaxMetadataBytes = 16 * 1024;

// invalid_request naming the offending field.
Result<store::NewDocument> upload_from_json(const boost::json::object& body);
// The JSON fields that describe a document besides its content (title, id, source_name,
// media_type | format, metadata, tags), into `out`.
Status read_upload_fields(const boost::json::object& body, store::NewDocument& out);
Result<store::NewDocument> upload_from_multipart(std::string_view content_type,
                                                 std::string_view body);

// Whether a request with this Content-Type carries a multipart form.
bool is_multipart(std::string_view content_type);

}  // namespace sluice::api
