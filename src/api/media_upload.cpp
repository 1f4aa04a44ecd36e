#include "api/media_upload.hpp"

#include <algorithm>

namespace sluice::api {
namespace {

// Enough for a form of 16 images and every field the image and audio endpoints take.
constexpr http::MultipartLimits kUploadLimits{.max_parts = 64, .max_header_bytes = 4096};

Error model_error(std::string message) {
  return make_error(Errc::invalid_request, std::move(message), "model");
}

bool is_boundary_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

bool is_token_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("'+_-.").find(c) != std::string_view::npos;
}

}  // namespace

Result<std::string> upload_content_type(std::string_view boundary) {
  if (boundary.empty() || boundary.back() == ' ' ||
      !std::all_of(boundary.begin(), boundary.end(), is_boundary_char))
    return http::multipart_error(
        "the boundary may hold only digits, letters and '()+_,-./:=? (RFC 2046)");
  const bool token = std::all_of(boundary.begin(), boundary.end(), is_token_char);
  std::string type = "multipart/form-data; boundary=";
  if (!token) type += '"';
  type += boundary;
  if (!token) type += '"';
  return type;
}

MultipartUpload::MultipartUpload(http::BodyReader& reader, std::string boundary,
                                 std::string spool_dir, std::string_view spool_key)
    : reader_(reader),
      scanner_(boundary, kUploadLimits),
      spool_(std::move(spool_dir), spool_key),
      buffer_(new char[kPieceBytes]) {
  auto type = upload_content_type(boundary);
  if (type) content_type_ = std::move(*type);
}

Status MultipartUpload::on_part(const http::MultipartPart& part, std::uint64_t body_offset) {
  if (part.name != "model") return Status::success();
  // Which of two an upstream would take is its own affair: the gateway routes one.
  if (model_seen_) return model_error("the form has more than one 'model' field");
  // OpenAI reads a part with a filename as a file, and a file is no model: the upstream would
  // find none, or whatever else the form calls `model`.
  if (part.has_filename)
    return model_error("'model' must be a plain form field, not a file (its part has a filename)");
  model_seen_ = true;
  in_model_ = true;
  model_begin_ = body_offset;
  return Status::success();
}

Status MultipartUpload::on_data(std::string_view bytes) {
  if (!in_model_) return Status::success();
  if (model_.size() + bytes.size() > kMaxModelBytes)
    return model_error("'model' is longer than " + std::to_string(kMaxModelBytes) + " bytes");
  model_ += bytes;
  return Status::success();
}

Status MultipartUpload::on_part_end(std::uint64_t end_offset) {
  if (!in_model_) return Status::success();
  in_model_ = false;
  model_end_ = end_offset;
  model_done_ = true;
  return Status::success();
}

boost::asio::awaitable<Result<std::string_view>> MultipartUpload::read_scanned() {
  if (ended_) co_return std::string_view();
  auto n = co_await reader_.read(std::span(buffer_.get(), kPieceBytes));
  if (!n) co_return n.error();
  if (*n == 0) {
    ended_ = true;
    if (Status closed = scanner_.finish(); !closed) co_return closed.error();
    co_return std::string_view();
  }
  const std::string_view piece(buffer_.get(), *n);
  if (Status scanned = scanner_.feed(piece, *this); !scanned) co_return scanned.error();
  // The piece that completes a body of declared length is the last the upstream needs for a
  // whole request: it goes only once the form is known to be closed. (A chunked body is whole
  // upstream only at its last chunk, which follows the check at the end.)
  if (const auto declared = reader_.declared_length();
      declared && reader_.bytes_read() >= *declared) {
    ended_ = true;
    if (Status closed = scanner_.finish(); !closed) co_return closed.error();
  }
  co_return piece;
}

boost::asio::awaitable<Result<std::string>> MultipartUpload::read_model() {
  if (content_type_.empty()) co_return upload_content_type({}).error();
  while (!model_done_) {
    auto piece = co_await read_scanned();
    if (!piece) co_return piece.error();
    if (piece->empty())
      co_return model_error("the form has no 'model' field: it names the model (or alias) to call");
    if (Status kept = co_await spool_.append(*piece); !kept) co_return kept.error();
  }
  if (model_.empty()) co_return model_error("'model' must not be empty");
  co_return model_;
}

http::UpstreamBody* MultipartUpload::body_for(std::string_view upstream_model) {
  if (started_ || !model_done_) return nullptr;
  upstream_model_ = std::string(upstream_model);
  replay_ = 0;
  renamed_ = false;
  return this;
}

std::optional<std::uint64_t> MultipartUpload::length() const {
  const auto declared = reader_.declared_length();
  if (!declared) return std::nullopt;
  return *declared - (model_end_ - model_begin_) + upstream_model_.size();
}

boost::asio::awaitable<Result<std::string_view>> MultipartUpload::next() {
  started_ = true;
  if (replay_ == model_begin_ && !renamed_) {
    // What was kept, up to the model's value; the deployment's name for it; the rest kept.
    renamed_ = true;
    replay_ = model_end_;
    if (!upstream_model_.empty()) co_return std::string_view(upstream_model_);
  }
  if (replay_ < spool_.size()) {
    const std::uint64_t until = replay_ < model_begin_ ? model_begin_ : spool_.size();
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kPieceBytes, until - replay_));
    auto n = co_await spool_.read_at(replay_, std::span(buffer_.get(), want));
    if (!n) co_return n.error();
    replay_ += *n;
    co_return std::string_view(buffer_.get(), *n);
  }
  co_return co_await read_scanned();
}

}  // namespace sluice::api
