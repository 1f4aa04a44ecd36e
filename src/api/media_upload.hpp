#pragma once
// A media route's multipart upload (an audio file, images), relayed to the upstream as it
// arrives. Its `model` field picks the deployment, and the OpenAI SDK sends it after the file
// when the call names the file first (`{file, model}`: fields go in the object's order). So the
// body is read, and kept (UploadSpool: memory, then a temporary file), until that field has
// ended; then an attempt gets what was kept, with the model renamed for its deployment, followed
// by the rest of the body straight from the client. Every byte passes the multipart scanner
// before it goes upstream: a second `model` field or a malformed body stops the upload, so the
// upstream never gets a whole request naming a model the gateway did not route.

#include <memory>
#include <string>

#include "api/upload_spool.hpp"
#include "gateway/media_call.hpp"
#include "http/body_reader.hpp"
#include "http/multipart_scanner.hpp"
#include "http/upstream_client.hpp"

namespace sluice::api {

class MultipartUpload final : public gateway::MediaUpload,
                              private http::UpstreamBody,
                              private http::MultipartListener {
 public:
  // Pieces read from the client and sent upstream: the upload's buffer, besides the spool's.
  static constexpr std::size_t kPieceBytes = 64 * 1024;
  static constexpr std::size_t kMaxModelBytes = 256;

  // `boundary` from the request's Content-Type (multipart_boundary); the spool goes to
  // `spool_dir`, named in errors by `spool_key`.
  MultipartUpload(http::BodyReader& reader, std::string boundary, std::string spool_dir,
                  std::string_view spool_key);

  // Reads the body until its `model` field has ended: the model named. Otherwise the error to
  // answer: no (or an empty, or a too long) model field (400, param `model`), a malformed body
  // (400), or the body reader's error (413, 408, the client gone).
  boost::asio::awaitable<Result<std::string>> read_model();
  // Bytes read before the model was known, kept to be sent (and whether they went to disk).
  std::uint64_t spooled_bytes() const { return spool_.size(); }
  bool spooled_to_disk() const { return spool_.on_disk(); }

  http::UpstreamBody* body_for(std::string_view upstream_model) override;
  std::string_view content_type() const override { return content_type_; }
  bool consumed() const override { return started_; }

 private:
  // UpstreamBody: the spool with the model renamed, then the rest as the client sends it.
  std::optional<std::uint64_t> length() const override;
  boost::asio::awaitable<Result<std::string_view>> next() override;

  // MultipartListener: finds the model field's value and where it lies in the body.
  Status on_part(const http::MultipartPart& part, std::uint64_t body_offset) override;
  Status on_data(std::string_view bytes) override;
  Status on_part_end(std::uint64_t end_offset) override;

  // The next piece from the client, scanned; empty at the end of the body.
  boost::asio::awaitable<Result<std::string_view>> read_scanned();

  http::BodyReader& reader_;
  http::MultipartScanner scanner_;
  UploadSpool spool_;
  std::unique_ptr<char[]> buffer_;
  std::string content_type_;
  std::string model_;
  std::uint64_t model_begin_ = 0;
  std::uint64_t model_end_ = 0;
  bool in_model_ = false;
  bool model_seen_ = false;
  bool model_done_ = false;
  // Sending: the deployment's model name, the next spooled byte to send, and where it is.
  std::string upstream_model_;
  std::uint64_t replay_ = 0;
  bool renamed_ = false;
  bool started_ = false;
  bool ended_ = false;
};

// The Content-Type an upload goes upstream with: multipart/form-data and `boundary` (quoted when
// it holds characters a token may not). The boundary must be RFC 2046's (digits, letters and
// '()+_,-./:=? ), not ending in a space: anything else is refused, as a parser upstream might
// read it otherwise.
Result<std::string> upload_content_type(std::string_view boundary);

}  // namespace sluice::api
