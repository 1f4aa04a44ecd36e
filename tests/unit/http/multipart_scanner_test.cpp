#include "http/multipart_scanner.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::http {
namespace {

// Collects what the scanner reports: each part with its body and offsets.
struct Collector final : MultipartListener {
  struct Part {
    std::string name, filename, content_type, body;
    std::uint64_t begin = 0, end = 0;
  };
  std::vector<Part> parts;

  Status on_part(const MultipartPart& part, std::uint64_t body_offset) override {
    parts.push_back({part.name, part.filename, part.content_type, {}, body_offset, 0});
    return Status::success();
  }
  Status on_data(std::string_view bytes) override {
    parts.back().body += bytes;
    return Status::success();
  }
  Status on_part_end(std::uint64_t end_offset) override {
    parts.back().end = end_offset;
    return Status::success();
  }
};

// Scans `body` fed in pieces of `piece` bytes (0: whole); the error message when it fails.
std::optional<std::string> scan(std::string_view body, std::string_view boundary, std::size_t piece,
                                Collector& out, MultipartLimits limits = {}) {
  MultipartScanner scanner(boundary, limits);
  const std::size_t step = piece == 0 ? std::max<std::size_t>(body.size(), 1) : piece;
  for (std::size_t at = 0; at < body.size(); at += step)
    if (Status s = scanner.feed(body.substr(at, step), out); !s) return s.error().message;
  if (Status s = scanner.finish(); !s) return s.error().message;
  return std::nullopt;
}

// The scanner agrees with parse_multipart, whatever the pieces: same verdict, same parts, and
// offsets that frame each part's body in the input.
void expect_same_as_whole_parse(const std::string& body, std::string_view boundary,
                                MultipartLimits limits = {}) {
  const auto whole = parse_multipart(body, boundary, limits);
  std::vector<std::size_t> pieces = {0, 1, 2, 3, 5, 7, 13};
  for (std::size_t split = 1; split < body.size(); ++split) pieces.push_back(body.size() + split);
  for (std::size_t piece : pieces) {
    Collector out;
    std::optional<std::string> error;
    if (piece > body.size()) {  // two pieces, split at every point
      const std::size_t split = piece - body.size();
      MultipartScanner scanner(boundary, limits);
      Status s = scanner.feed(std::string_view(body).substr(0, split), out);
      if (s) s = scanner.feed(std::string_view(body).substr(split), out);
      if (s) s = scanner.finish();
      if (!s) error = s.error().message;
    } else {
      error = scan(body, boundary, piece, out, limits);
    }
    ASSERT_EQ(whole.ok(), !error.has_value())
        << "piece " << piece << ": " << (error ? *error : whole.error().message) << "\n"
        << body;
    if (!whole) {
      EXPECT_EQ(*error, whole.error().message) << "piece " << piece;
      continue;
    }
    ASSERT_EQ(out.parts.size(), whole->size()) << "piece " << piece;
    for (std::size_t i = 0; i < out.parts.size(); ++i) {
      const auto& got = out.parts[i];
      const auto& want = (*whole)[i];
      EXPECT_EQ(got.name, want.name);
      EXPECT_EQ(got.filename, want.filename);
      EXPECT_EQ(got.content_type, want.content_type);
      EXPECT_EQ(got.body, want.body) << "piece " << piece;
      EXPECT_EQ(got.begin, std::size_t(want.body.data() - body.data()));
      EXPECT_EQ(got.end, got.begin + want.body.size());
    }
  }
}

const std::string kDisposition = "Content-Disposition: form-data; name=\"a\"\r\n";

TEST(MultipartScanner, ReadsWhatTheWholeBodyParserReadsInAnyPieces) {
  const std::string binary("%PDF-\0\r\n\xff\r\r\n-\r\n--", 18);
  const std::string bodies[] = {
      "preamble to ignore\r\n--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n"
      "My title\r\n--XyZ  \r\ncontent-disposition: form-data; name=\"file\"; "
      "filename=\"notes.md\"\r\nContent-Type: text/markdown\r\n\r\n# Heading\r\n\r\nline with "
      "--XyZ inside\r\n--XyZ--\r\nepilogue",
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + binary +
          "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--XyZ--",
      // Almost-delimiters in a body: a prefix of one, then the real one.
      "--XyZ\r\n" + kDisposition + "\r\n\r\n--Xy\r\n--X\r\r\n--XyZ\r\n" + kDisposition +
          "\r\nv\r\n--XyZ--",
  };
  for (const std::string& body : bodies) expect_same_as_whole_parse(body, "XyZ");
}

TEST(MultipartScanner, FailsWhereTheWholeBodyParserFailsWithItsMessage) {
  const std::string cases[] = {
      "no delimiter at all",
      "--b\r\n" + kDisposition + "\r\nvalue",
      "--b\r\n" + kDisposition + "\r\nvalue\r\n--b\r\n",
      "--b\r\n" + kDisposition + "\r\nvalue\r\n--b",
      "--b\r\n" + kDisposition + "\r\nvalue\r\n--b-",
      "--bjunk\r\n" + kDisposition + "\r\nv\r\n--b--",
      "--b\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b--",
      "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--",
      "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--",
      "--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--",
      "--b\r\n\r\nv\r\n--b--",
      "--b\r\n" + kDisposition + "v\r\n--b--",
      "--b--",
  };
  for (const std::string& body : cases) expect_same_as_whole_parse(body, "b");
}

TEST(MultipartScanner, BoundsPartsAndHeaderBytesAsTheWholeParserDoes) {
  std::string body;
  for (int i = 0; i < 3; ++i)
    body +=
        "--b\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nv\r\n";
  body += "--b--";
  expect_same_as_whole_parse(body, "b", {.max_parts = 3});
  expect_same_as_whole_parse(body, "b", {.max_parts = 2});
  const std::string long_header =
      "--b\r\n" + kDisposition + "X-Pad: " + std::string(200, 'p') + "\r\n\r\nv\r\n--b--";
  expect_same_as_whole_parse(long_header, "b", {.max_header_bytes = 300});
  expect_same_as_whole_parse(long_header, "b", {.max_header_bytes = 100});
}

// Reading `model` must not depend on which of two names a parser believes.
TEST(MultipartScanner, RefusesAmbiguousFieldNames) {
  const std::string cases[] = {
      "--b\r\nContent-Disposition: form-data; name=\"model\"; name=\"x\"\r\n\r\nv\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"x\"; name*=UTF-8''model\r\n\r\nv\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nContent-Disposition: form-data; "
      "name=\"model\"\r\n\r\nv\r\n--b--",
  };
  for (const std::string& body : cases) {
    Collector out;
    const auto error = scan(body, "b", 0, out);
    ASSERT_TRUE(error) << body;
    EXPECT_NE(error->find("malformed multipart/form-data body"), std::string::npos) << *error;
  }
}

// A large file part passes through in bounded memory: nothing is held but a delimiter's length.
TEST(MultipartScanner, StreamsALargePartWithoutHoldingIt) {
  MultipartScanner scanner("bound", {});
  Collector out;
  const std::string head = "--bound\r\n" + kDisposition + "\r\n";
  ASSERT_TRUE(scanner.feed(head, out));
  std::size_t fed = 0;
  std::string piece(64 * 1024, 'x');
  piece[100] = '\r';  // a lone CR, and one at the very end that may begin a delimiter
  piece.back() = '\r';
  std::size_t body_bytes = 0;
  struct Counter final : MultipartListener {
    std::size_t& bytes;
    explicit Counter(std::size_t& b) : bytes(b) {}
    Status on_part(const MultipartPart&, std::uint64_t) override { return Status::success(); }
    Status on_data(std::string_view data) override {
      bytes += data.size();
      return Status::success();
    }
    Status on_part_end(std::uint64_t) override { return Status::success(); }
  } counter(body_bytes);
  for (int i = 0; i < 320; ++i) {  // 20 MiB
    ASSERT_TRUE(scanner.feed(piece, counter));
    fed += piece.size();
  }
  ASSERT_TRUE(scanner.feed("\r\n--bound--\r\n", counter));
  EXPECT_TRUE(scanner.finish());
  EXPECT_EQ(body_bytes, fed);
  EXPECT_EQ(scanner.offset(), head.size() + fed + 13);
}

// The listener may stop the scan: its error is what feed() returns from then on.
TEST(MultipartScanner, StopsAtTheListenersError) {
  struct Refuser final : MultipartListener {
    Status on_part(const MultipartPart& part, std::uint64_t) override {
      if (part.name == "model") return make_error(Errc::invalid_request, "no models here");
      return Status::success();
    }
    Status on_data(std::string_view) override { return Status::success(); }
    Status on_part_end(std::uint64_t) override { return Status::success(); }
  } refuser;
  MultipartScanner scanner("b", {});
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm\r\n--b--";
  Status first = scanner.feed(body, refuser);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().message, "no models here");
  EXPECT_FALSE(scanner.feed("more", refuser));
  EXPECT_FALSE(scanner.finish());
}

}  // namespace
}  // namespace sluice::http
