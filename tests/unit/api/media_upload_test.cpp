#include "api/media_upload.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

namespace sluice::api {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

// A client's body, handed out in pieces of `piece` bytes; an error at `fail_at` bytes if set.
class FakeReader final : public http::BodyReader {
 public:
  FakeReader(std::string body, std::size_t piece, bool declared = true)
      : body_(std::move(body)), piece_(piece), declared_(declared) {}

  std::optional<std::size_t> fail_at;
  std::size_t reads = 0;

  awaitable<Result<std::size_t>> read(std::span<char> into) override {
    ++reads;
    if (fail_at && offset_ >= *fail_at)
      co_return make_error(Errc::payload_too_large,
                           "request body exceeds 10 bytes (raise server.max_media_body_bytes)");
    const std::size_t n = std::min({into.size(), piece_, body_.size() - offset_});
    std::memcpy(into.data(), body_.data() + offset_, n);
    offset_ += n;
    co_return n;
  }
  void set_request_deadline(std::chrono::steady_clock::time_point) override {}
  std::optional<std::uint64_t> declared_length() const override {
    return declared_ ? std::optional<std::uint64_t>(body_.size()) : std::nullopt;
  }
  std::uint64_t bytes_read() const override { return offset_; }

 private:
  std::string body_;
  std::size_t piece_;
  bool declared_;
  std::size_t offset_ = 0;
};

void run(std::function<awaitable<void>()> scenario) {
  asio::io_context io;
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(scenario), [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

std::string field(std::string_view name, std::string_view value) {
  return "--XYZ\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" +
         std::string(value) + "\r\n";
}
std::string file(std::string_view bytes) {
  return "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp3\"\r\n"
         "Content-Type: audio/mpeg\r\n\r\n" +
         std::string(bytes) + "\r\n";
}
constexpr std::string_view kEnd = "--XYZ--\r\n";

std::string spool_dir() {
  static const std::string dir = [] {
    std::string path = (std::filesystem::temp_directory_path() / "sluice-spool-XXXXXX").string();
    return std::string(::mkdtemp(path.data()));
  }();
  return dir;
}

struct Relayed {
  Result<std::string> model = std::string();
  std::string sent;  // what the attempt's body produced
  std::optional<std::uint64_t> length;
  std::optional<Error> send_error;
  bool on_disk = false;
};

// Reads the model, then pulls the whole body an attempt for `upstream_model` would send.
Relayed relay(FakeReader& reader, std::string_view upstream_model) {
  Relayed out;
  run([&]() -> awaitable<void> {
    MultipartUpload upload(reader, "XYZ", spool_dir(), "server.media_spool_dir");
    out.model = co_await upload.read_model();
    if (!out.model) co_return;
    out.on_disk = upload.spooled_to_disk();
    http::UpstreamBody* body = upload.body_for(upstream_model);
    EXPECT_NE(body, nullptr);
    out.length = body->length();
    for (;;) {
      auto piece = co_await body->next();
      if (!piece) {
        out.send_error = piece.error();
        break;
      }
      if (piece->empty()) break;
      out.sent += *piece;
    }
    EXPECT_TRUE(upload.consumed());
    EXPECT_EQ(upload.body_for(upstream_model), nullptr) << "a started upload was offered again";
  });
  return out;
}

TEST(MultipartUploadTest, ModelFirstIsRenamedAndTheRestStreams) {
  const std::string body = field("model", "whisper") + file(std::string(300'000, 'a')) +
                           field("language", "en") + std::string(kEnd);
  FakeReader reader(body, 1000);
  const Relayed r = relay(reader, "whisper-1");
  ASSERT_TRUE(r.model) << r.model.error().message;
  EXPECT_EQ(*r.model, "whisper");
  EXPECT_FALSE(r.on_disk) << "the model came first: nothing needs keeping";
  const std::string expected = field("model", "whisper-1") + file(std::string(300'000, 'a')) +
                               field("language", "en") + std::string(kEnd);
  EXPECT_EQ(r.sent, expected);
  ASSERT_TRUE(r.length);
  EXPECT_EQ(*r.length, expected.size());
}

// The OpenAI SDK's order for `{file, model}`: the file is kept (on disk past 64 KiB) until the
// model is read, then sent with the rest.
TEST(MultipartUploadTest, ModelAfterALargeFileIsSpooledToDiskThenRelayed) {
  std::string audio(1'000'000, '\0');
  for (std::size_t i = 0; i < audio.size(); ++i) audio[i] = static_cast<char>(i * 7 % 256);
  const std::string body = file(audio) + field("model", "stt") + std::string(kEnd);
  FakeReader reader(body, 65'536);
  const Relayed r = relay(reader, "gpt-4o-transcribe");
  ASSERT_TRUE(r.model) << r.model.error().message;
  EXPECT_EQ(*r.model, "stt");
  EXPECT_TRUE(r.on_disk);
  const std::string expected =
      file(audio) + field("model", "gpt-4o-transcribe") + std::string(kEnd);
  EXPECT_EQ(r.sent.size(), expected.size());
  EXPECT_TRUE(r.sent == expected);
  EXPECT_EQ(*r.length, expected.size());
}

TEST(MultipartUploadTest, AChunkedBodyHasNoLengthUpstream) {
  FakeReader reader(field("model", "m") + file("x") + std::string(kEnd), 7, false);
  const Relayed r = relay(reader, "upstream");
  ASSERT_TRUE(r.model);
  EXPECT_FALSE(r.length);
  EXPECT_EQ(r.sent, field("model", "upstream") + file("x") + std::string(kEnd));
}

TEST(MultipartUploadTest, RefusesAFormWithoutAUsableModel) {
  const std::pair<std::string, std::string> cases[] = {
      {file("x") + std::string(kEnd), "has no 'model' field"},
      {field("model", "") + file("x") + std::string(kEnd), "must not be empty"},
      {field("model", std::string(300, 'm')) + std::string(kEnd), "longer than 256 bytes"},
      // Both in the piece that ends the first: refused before anything goes upstream.
      {field("model", "a") + field("model", "b") + std::string(kEnd), "more than one 'model'"},
      {"--XYZ\r\nno header line\r\n\r\nx\r\n--XYZ--", "malformed multipart/form-data"},
  };
  for (const auto& [body, message] : cases) {
    FakeReader reader(body, 4096);
    const Relayed r = relay(reader, "up");
    ASSERT_FALSE(r.model) << body;
    EXPECT_EQ(r.model.error().code, Errc::invalid_request);
    EXPECT_NE(r.model.error().message.find(message), std::string::npos) << r.model.error().message;
  }
}

// A second model field after the file: the scanner sees it before its bytes would go upstream,
// and the body stops there, so that the upstream never gets a whole request naming a model the
// gateway did not route.
TEST(MultipartUploadTest, ASecondModelFieldLaterInTheBodyStopsTheUpload) {
  const std::string body = field("model", "cheap") + file(std::string(200'000, 'f')) +
                           field("model", "expensive") + std::string(kEnd);
  FakeReader reader(body, 4096);
  const Relayed r = relay(reader, "cheap-1");
  ASSERT_TRUE(r.model);
  ASSERT_TRUE(r.send_error);
  EXPECT_NE(r.send_error->message.find("more than one 'model'"), std::string::npos);
  EXPECT_EQ(r.sent.find("expensive"), std::string::npos);
  EXPECT_LT(r.sent.size(), body.size());
}

// With a Content-Length, the piece that would complete the upstream's request goes only once the
// form is known to be closed: a body without its closing delimiter never reaches the upstream
// whole, whether the model came first or the whole body was kept waiting for it.
TEST(MultipartUploadTest, AnUnclosedFormOfDeclaredLengthNeverGoesUpstreamWhole) {
  const std::string unclosed[] = {
      field("model", "m") + file(std::string(300'000, 'a')),
      file(std::string(100'000, 'a')) + field("model", "m") + field("language", "en"),
      field("model", "m") + file("tiny"),
  };
  for (const std::string& body : unclosed) {
    for (const std::size_t piece : {std::size_t{1000}, std::size_t{65'536}}) {
      FakeReader reader(body, piece);
      const Relayed r = relay(reader, "m");
      const Error error = r.model ? r.send_error.value_or(Error{}) : r.model.error();
      EXPECT_NE(error.message.find("without the closing boundary delimiter"), std::string::npos)
          << "piece " << piece << ": " << error.message;
      EXPECT_LT(r.sent.size(), body.size()) << "piece " << piece;
    }
  }
  // Closed, the same bodies go whole.
  FakeReader closed(field("model", "m") + file("tiny") + std::string(kEnd), 65'536);
  const Relayed whole = relay(closed, "m");
  EXPECT_FALSE(whole.send_error);
  EXPECT_EQ(whole.sent, field("model", "m") + file("tiny") + std::string(kEnd));
}

// A part with a filename is a file to OpenAI, whatever its name: the upstream would find no
// model in it. Refused before anything is sent.
TEST(MultipartUploadTest, AModelSentAsAFileIsRefused) {
  for (const std::string disposition :
       {"name=\"model\"; filename=\"model.txt\"", "name=\"model\"; filename=\"\"",
        "name=\"model\"; filename*=UTF-8''m.txt"}) {
    const std::string body = "--XYZ\r\nContent-Disposition: form-data; " + disposition +
                             "\r\n\r\nwhisper\r\n" + file("x") + std::string(kEnd);
    FakeReader reader(body, 4096);
    const Relayed r = relay(reader, "up");
    ASSERT_FALSE(r.model) << disposition;
    EXPECT_EQ(r.model.error().param, "model");
    EXPECT_NE(r.model.error().message.find("plain form field, not a file"), std::string::npos)
        << r.model.error().message;
  }
}

TEST(MultipartUploadTest, TheReadersErrorsComeThrough) {
  FakeReader before_model(file(std::string(50'000, 'x')) + field("model", "m") + std::string(kEnd),
                          1000);
  before_model.fail_at = 10'000;
  const Relayed early = relay(before_model, "up");
  ASSERT_FALSE(early.model);
  EXPECT_EQ(early.model.error().code, Errc::payload_too_large);

  FakeReader after_model(field("model", "m") + file(std::string(50'000, 'x')) + std::string(kEnd),
                         1000);
  after_model.fail_at = 10'000;
  const Relayed late = relay(after_model, "up");
  ASSERT_TRUE(late.model);
  ASSERT_TRUE(late.send_error);
  EXPECT_EQ(late.send_error->code, Errc::payload_too_large);
}

TEST(UploadContentTypeTest, QuotesWhatATokenCannotHoldAndRefusesTheRest) {
  EXPECT_EQ(*upload_content_type("openai-abc123"), "multipart/form-data; boundary=openai-abc123");
  EXPECT_EQ(*upload_content_type("a b:c"), "multipart/form-data; boundary=\"a b:c\"");
  EXPECT_FALSE(upload_content_type("quote\"inside"));
  EXPECT_FALSE(upload_content_type("trailing "));
  EXPECT_FALSE(upload_content_type(""));
}

TEST(UploadSpoolTest, KeepsMemoryThenDiskAndReadsBackAnywhere) {
  std::string data(200'000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 253);
  run([&]() -> awaitable<void> {
    UploadSpool spool(spool_dir(), "server.media_spool_dir");
    for (std::size_t at = 0; at < data.size(); at += 30'000)
      EXPECT_TRUE((co_await spool.append(std::string_view(data).substr(at, 30'000))).ok());
    EXPECT_TRUE(spool.on_disk());
    EXPECT_EQ(spool.size(), data.size());
    std::string back;
    char buffer[10'000];
    while (back.size() < data.size()) {
      auto n = co_await spool.read_at(back.size(), std::span(buffer));
      EXPECT_TRUE(n.ok());
      if (!n || *n == 0) break;
      back.append(buffer, *n);
    }
    EXPECT_TRUE(back == data);
  });
  // The file had no name: nothing is left behind.
  EXPECT_TRUE(std::filesystem::is_empty(spool_dir()));
}

TEST(UploadSpoolTest, AnUnusableDirectoryIsA503NamingItsKey) {
  run([&]() -> awaitable<void> {
    UploadSpool spool("/nonexistent/spool", "server.media_spool_dir");
    const Status kept = co_await spool.append(std::string(100'000, 'x'));
    EXPECT_FALSE(kept.ok());
    if (kept.ok()) co_return;
    EXPECT_EQ(kept.error().code, Errc::unavailable);
    EXPECT_NE(kept.error().message.find("server.media_spool_dir"), std::string::npos);
  });
}

}  // namespace
}  // namespace sluice::api
