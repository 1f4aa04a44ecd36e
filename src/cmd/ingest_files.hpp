#pragma once
// What `sluice ingest` sends: the files named (folders walked), and each one's upload body.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::cmd {

struct FileToUpload {
  std::string path;        // to read
  std::string id;          // the client-given document id: the path as named, '/'-separated
  std::string media_type;  // from the extension
};

// Files named directly are taken whatever their extension (the server judges them); folders
// are walked recursively for .txt .md .markdown .html .htm .pdf, skipping hidden entries, in
// path order. An error names a path that does not exist.
Result<std::vector<FileToUpload>> collect_files(const std::vector<std::string>& paths);

// text/plain, text/markdown, text/html or application/pdf by extension (case-insensitive);
// application/octet-stream for anything else.
std::string_view media_type_for(std::string_view path);

struct MultipartBody {
  std::string content_type;  // multipart/form-data; boundary=...
  std::string body;
};

// A multipart/form-data body with the part "file" (the content, with its name and media type)
// and the field "id".
MultipartBody multipart_upload(const FileToUpload& file, std::string_view content);

// `text` with everything but RFC 3986 unreserved characters percent-encoded: one path segment.
std::string percent_encode(std::string_view text);

}  // namespace sluice::cmd
