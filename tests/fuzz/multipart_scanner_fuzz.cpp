// multipart/form-data read as it arrives (the upload routes' scanner) must read what the
// whole-body parser reads: the same verdict and the same parts, however the body is cut into
// pieces, with offsets that frame each part's body in the input. The first byte of the input
// sets the piece size (0: one piece), the first line after it is the Content-Type, the rest the
// body.

#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "http/multipart.hpp"
#include "http/multipart_scanner.hpp"

namespace {

struct Collector final : sluice::http::MultipartListener {
  struct Part {
    std::string name, filename, body;
    std::uint64_t begin = 0, end = 0;
    bool ended = false;
  };
  std::vector<Part> parts;

  sluice::Status on_part(const sluice::http::MultipartPart& part, std::uint64_t offset) override {
    FUZZ_CHECK(parts.empty() || parts.back().ended);
    parts.push_back({part.name, part.filename, {}, offset, 0, false});
    return sluice::Status::success();
  }
  sluice::Status on_data(std::string_view bytes) override {
    FUZZ_CHECK(!parts.empty() && !parts.back().ended && !bytes.empty());
    parts.back().body += bytes;
    return sluice::Status::success();
  }
  sluice::Status on_part_end(std::uint64_t offset) override {
    FUZZ_CHECK(!parts.empty() && !parts.back().ended);
    parts.back().end = offset;
    parts.back().ended = true;
    return sluice::Status::success();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = data[0];
  const std::string_view input = sluice::fuzz::text(data + 1, size - 1);
  const std::size_t eol = input.find('\n');
  const std::string_view content_type = input.substr(0, eol);
  const std::string_view body =
      eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  auto boundary = sluice::http::multipart_boundary(content_type);
  if (!boundary) return 0;
  const sluice::http::MultipartLimits limits{.max_parts = 8, .max_header_bytes = 256};
  const auto whole = sluice::http::parse_multipart(body, *boundary, limits);

  sluice::http::MultipartScanner scanner(*boundary, limits);
  Collector out;
  sluice::Status status;
  const std::size_t piece = step == 0 ? std::max<std::size_t>(body.size(), 1) : step;
  for (std::size_t at = 0; status && at < body.size(); at += piece)
    status = scanner.feed(body.substr(at, piece), out);
  if (status) status = scanner.finish();

  FUZZ_CHECK(whole.ok() == status.ok());
  if (!status) {
    FUZZ_CHECK(status.error().code == sluice::Errc::invalid_request);
    FUZZ_CHECK(status.error().message == whole.error().message);
    return 0;
  }
  FUZZ_CHECK(scanner.closed());
  FUZZ_CHECK(out.parts.size() == whole->size());
  for (std::size_t i = 0; i < out.parts.size(); ++i) {
    const auto& got = out.parts[i];
    const auto& want = (*whole)[i];
    FUZZ_CHECK(got.ended && got.name == want.name && got.filename == want.filename);
    FUZZ_CHECK(got.body == want.body);
    FUZZ_CHECK(got.begin == std::uint64_t(want.body.data() - body.data()));
    FUZZ_CHECK(got.end == got.begin + want.body.size());
  }
  return 0;
}
