#include "cmd/ingest_files.hpp"

#include <algorithm>
#include <filesystem>

#include "core/ids.hpp"
#include "core/strings.hpp"

namespace sluice::cmd {
namespace fs = std::filesystem;

namespace {

bool hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.size() > 1 && name[0] == '.' && name != "..";
}

bool walked_type(const fs::path& path) {
  return media_type_for(path.string()) != "application/octet-stream";
}

FileToUpload upload_of(const fs::path& path) {
  return FileToUpload{path.string(), path.lexically_normal().generic_string(),
                      std::string(media_type_for(path.string()))};
}

// A quoted-string value for a header parameter: quotes and backslashes escaped, line breaks out.
std::string quoted_parameter(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c != '\r' && c != '\n') out += c;
  }
  return out + '"';
}

}  // namespace

std::string_view media_type_for(std::string_view path) {
  const std::string extension = core::lower(fs::path(path).extension().string());
  if (extension == ".txt" || extension == ".text") return "text/plain";
  if (extension == ".md" || extension == ".markdown") return "text/markdown";
  if (extension == ".html" || extension == ".htm") return "text/html";
  if (extension == ".pdf") return "application/pdf";
  return "application/octet-stream";
}

Result<std::vector<FileToUpload>> collect_files(const std::vector<std::string>& paths) {
  std::vector<FileToUpload> files;
  for (const std::string& named : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(named, ec);
    if (ec || !fs::exists(status))
      return make_error(Errc::not_found, named + ": no such file or folder");
    if (!fs::is_directory(status)) {
      files.push_back(upload_of(named));
      continue;
    }
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(
             named, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (hidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && walked_type(it->path())) found.push_back(it->path());
    }
    if (ec) return make_error(Errc::invalid_request, named + ": " + ec.message());
    std::sort(found.begin(), found.end());
    for (const auto& path : found) files.push_back(upload_of(path));
  }
  return files;
}

MultipartBody multipart_upload(const FileToUpload& file, std::string_view content) {
  const std::string boundary = "sluice-" + core::random_hex(16);
  const std::string name = fs::path(file.path).filename().string();
  MultipartBody out;
  out.content_type = "multipart/form-data; boundary=" + boundary;
  std::string& body = out.body;
  body.reserve(content.size() + 512);
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n";
  body += file.id + "\r\n";
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=" + quoted_parameter(name) +
          "\r\nContent-Type: " + file.media_type + "\r\n\r\n";
  body.append(content);
  body += "\r\n--" + boundary + "--\r\n";
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace sluice::cmd
