// Image and audio routes through the real binary in front of `sluice mock-upstream`: uploads
// relayed as they arrive (whole, with the model renamed, whichever field comes first), the body
// limit, a client that leaves mid-upload, an upstream that fails mid-upload, retries only before
// the first byte, speech audio relayed back, and usage and cost where the upstream reports it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "core/fnv1a.hpp"
#include "support/mock_fixture.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kBoundary = "openai-test123";

// A loopback port nothing listens on (bound, then closed): connecting to it is refused.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string config_yaml(int mock_port) {
  const std::string up = "http://127.0.0.1:" + std::to_string(mock_port) + "/v1";
  const std::string down = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1";
  return "gateway:\n"
         "  providers:\n"
         "    - {name: up, type: openai, base_url: \"" +
         up +
         "\", api_key: k, "
         "forward_mock_headers: true}\n"
         "    - {name: up2, type: openai, base_url: \"" +
         up +
         "\", api_key: k, "
         "forward_mock_headers: true}\n"
         "    - {name: down, type: openai, base_url: \"" +
         down +
         "\", api_key: k}\n"
         "    - {name: claude, type: anthropic, base_url: \"http://127.0.0.1:" +
         std::to_string(mock_port) +
         "\", api_key: k}\n"
         "  models:\n"
         "    - {alias: stt, deployments: [{provider: up, model: gpt-4o-transcribe}]}\n"
         "    - {alias: tts, deployments: [{provider: up, model: tts-1}]}\n"
         "    - {alias: painter, deployments: [{provider: up, model: gpt-image-1}]}\n"
         "    - alias: fallback-stt\n"
         "      deployments:\n"
         "        - {provider: down, model: gpt-4o-transcribe, priority: 0}\n"
         "        - {provider: up, model: gpt-4o-transcribe, priority: 1}\n"
         "    - alias: mixed-stt\n"
         "      deployments:\n"
         "        - {provider: claude, model: claude-sonnet-4, priority: 0}\n"
         "        - {provider: up, model: gpt-4o-transcribe, priority: 1}\n"
         "    - {alias: claude-only, deployments: [{provider: claude, model: claude-sonnet-4}]}\n"
         "    - alias: twice-stt\n"
         "      deployments:\n"
         "        - {provider: up, model: gpt-4o-transcribe, priority: 0}\n"
         "        - {provider: up2, model: gpt-4o-transcribe, priority: 1}\n"
         "  prices:\n"
         "    - {model: gpt-4o-transcribe, input_per_million: 6, output_per_million: 10}\n";
}

std::string field(std::string_view name, std::string_view value) {
  return "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" +
         std::string(name) + "\"\r\n\r\n" + std::string(value) + "\r\n";
}
std::string file_head(std::string_view name = "file", std::string_view filename = "talk.mp3") {
  return "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" +
         std::string(name) + "\"; filename=\"" + std::string(filename) +
         "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
}
std::string closing() { return "--" + std::string(kBoundary) + "--\r\n"; }

std::string audio(std::size_t bytes) {
  std::string data(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<char>((i * 31 + i / 977) % 256);
  return data;
}

std::string hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string upload_head(std::string_view path, std::size_t length, std::string_view extra = {}) {
  return "POST " + std::string(path) +
         " HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
         "boundary=" +
         std::string(kBoundary) + "\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

// Sends `request` while reading the response, as HTTP clients do: an answer may come before the
// body is all sent.
std::optional<HttpResponse> exchange(int port, const std::string& request,
                                     std::chrono::milliseconds timeout = 20s) {
  HttpConnection connection(port);
  std::thread sender([&] { connection.send_raw(request); });
  auto response = connection.read_response(timeout);
  sender.join();
  return response;
}

long long media_stat(int mock_port, const std::string& name) {
  auto stats = http_request(mock_port, "GET", "/mock/media/stats");
  if (!stats) return -1;
  const std::string key = "\"" + name + "\":";
  const auto at = stats->body.find(key);
  return at == std::string::npos ? -1 : std::stoll(stats->body.substr(at + key.size()));
}

std::string metrics(int port) {
  auto response = http_request(port, "GET", "/metrics");
  return response ? response->body : std::string();
}

class MediaPassthroughTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void start(Env env) {
    mock_ = start_mock_upstream();
    config_ = std::make_unique<TempFile>(config_yaml(mock_->port()));
    sluice_.reset();
    sluice_ = start_server(std::move(env), {"--config", config_->path()});
  }
  int port() const { return sluice_->port(); }
  int mock_port() const { return mock_->port(); }
  // The access-log line of the request to `path` that matches `needle`, once written.
  std::string log_line(std::string_view needle) {
    std::string found;
    eventually([&] {
      const std::string out = sluice_->output();
      for (std::size_t at = out.find(needle); at != std::string::npos;
           at = out.find(needle, at + 1)) {
        const auto begin = out.rfind('\n', at) + 1;
        const auto end = out.find('\n', at);
        const std::string line = out.substr(begin, end - begin);
        if (contains(line, "\"msg\":\"request\"") || contains(line, "\"status\":")) {
          found = line;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  std::unique_ptr<SluiceProcess> mock_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<SluiceProcess> sluice_;
};

// The OpenAI SDK's order for `{file, model}`: the model comes after a 5 MB file. The upload
// arrives whole (the mock states its size and hash), under the deployment's model name, and the
// usage it reports is counted and priced.
TEST_F(MediaPassthroughTest, ATranscriptionUploadArrivesWholeWithItsModelRenamed) {
  const std::string data = audio(5 * 1024 * 1024);
  const std::string body = file_head() + data + "\r\n" + field("model", "stt") + closing();
  auto response = exchange(port(), upload_head("/v1/audio/transcriptions", body.size()) + body);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->header("x-sluice-deployment"), "up/gpt-4o-transcribe");
  const std::string text = "Transcribed " + std::to_string(data.size()) +
                           " bytes of talk.mp3 (fnv1a " + hex(core::fnv1a(data)) +
                           ") with gpt-4o-transcribe.";
  EXPECT_TRUE(contains(response->body, text)) << response->body;
  // Input: a token per KiB of audio (5120); output: 9 words. At $6 and $10 per million.
  const std::string line = log_line("\"upload_bytes\"");
  EXPECT_TRUE(contains(line, "\"prompt_tokens\":5120")) << line;
  EXPECT_TRUE(contains(line, "\"completion_tokens\":9")) << line;
  EXPECT_TRUE(contains(line, "\"cost_usd\":0.03081")) << line;
  EXPECT_TRUE(contains(line, "\"upload_bytes\":" + std::to_string(body.size()))) << line;
  EXPECT_FALSE(contains(line, "\"spooled_bytes\":0,")) << "the model came last: all was kept";
  const std::string m = metrics(port());
  EXPECT_TRUE(contains(m,
                       "gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="
                       "\"audio/transcriptions\""))
      << m;
  EXPECT_TRUE(contains(m, "sluice_cost_usd_total{model=\"gpt-4o-transcribe\"")) << m;
}

// With the model first, the file streams through as it arrives; a chunked body stays chunked.
TEST_F(MediaPassthroughTest, AChunkedUploadWithItsModelFirstStreamsThrough) {
  const std::string data = audio(3 * 1024 * 1024 + 17);
  const std::string body = field("model", "stt") + file_head() + data + "\r\n" + closing();
  std::string request =
      "POST /v1/audio/translations HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: multipart/form-data; boundary=" +
      std::string(kBoundary) + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 100'000) {
    const std::string_view piece = std::string_view(body).substr(at, 100'000);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    request += size;
    request += piece;
    request += "\r\n";
  }
  request += "0\r\n\r\n";
  auto response = exchange(port(), request);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_TRUE(contains(response->body, "Translated " + std::to_string(data.size()) +
                                           " bytes of "
                                           "talk.mp3 (fnv1a " +
                                           hex(core::fnv1a(data)) + ")"))
      << response->body;
  // Translations report no usage: the log says so rather than count zero tokens as used.
  const std::string line = log_line("\"usage\":\"not_reported\"");
  EXPECT_TRUE(contains(line, "\"spooled_bytes\":")) << line;
}

TEST_F(MediaPassthroughTest, TheUploadLimitIs413NamingItsKey) {
  start({{"SLUICE_SERVER__MAX_MEDIA_BODY_BYTES", "1MiB"}});
  // Declared too large: refused before a byte of the body is read.
  auto declared = exchange(port(), upload_head("/v1/audio/transcriptions", 2 * 1024 * 1024) +
                                       std::string(2 * 1024 * 1024, 'x'));
  ASSERT_TRUE(declared);
  EXPECT_EQ(declared->status, 413);
  EXPECT_TRUE(contains(declared->body, "server.max_media_body_bytes")) << declared->body;
  // Chunked: refused where it passes the limit, mid-upload, and the upstream call is cut.
  const std::string body =
      field("model", "stt") + file_head() + audio(2 * 1024 * 1024) + "\r\n" + closing();
  std::string request =
      "POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: multipart/form-data; boundary=" +
      std::string(kBoundary) + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 65536) {
    const std::string_view piece = std::string_view(body).substr(at, 65536);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    request += size;
    request += piece;
    request += "\r\n";
  }
  request += "0\r\n\r\n";
  auto chunked = exchange(port(), request);
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->status, 413) << chunked->body;
  EXPECT_TRUE(contains(chunked->body, "(raise server.max_media_body_bytes)")) << chunked->body;
  EXPECT_TRUE(eventually([&] { return media_stat(mock_port(), "uploads_cut") == 1; }))
      << "the upstream's upload was not cut";
  // Smaller uploads still pass.
  const std::string small = field("model", "stt") + file_head() + "abc\r\n" + closing();
  auto ok = exchange(port(), upload_head("/v1/audio/transcriptions", small.size()) + small);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

// A client that disconnects mid-upload cancels the upstream request at once.
TEST_F(MediaPassthroughTest, AClientLeavingMidUploadCancelsTheUpstreamRequest) {
  const std::string head = field("model", "stt") + file_head();
  {
    HttpConnection client(port());
    ASSERT_TRUE(client.send_raw(upload_head("/v1/audio/transcriptions", 20 * 1024 * 1024) + head +
                                audio(2 * 1024 * 1024)));
    ASSERT_TRUE(eventually([&] { return media_stat(mock_port(), "transcriptions") == 1; }));
  }  // gone, 18 MB short
  EXPECT_TRUE(eventually([&] { return media_stat(mock_port(), "uploads_cut") == 1; }, 3s))
      << "the upstream upload outlived its client";
  EXPECT_TRUE(eventually([&] {
    return contains(
        metrics(port()),
        R"(sluice_upstream_requests_total{deployment="up/gpt-4o-transcribe",outcome="client_gone"} 1)");
  }));
  const std::string line = log_line("\"outcome\":\"client_gone\"");
  EXPECT_TRUE(contains(line, "\"status\":499")) << line;
  auto livez = http_request(port(), "GET", "/livez");
  ASSERT_TRUE(livez);
  EXPECT_EQ(livez->status, 200);
}

// An upstream that fails mid-upload: the client gets a 502 that says so, and no other deployment
// is tried, since the upload cannot be sent again.
TEST_F(MediaPassthroughTest, AnUpstreamFailingMidUploadIsAClearErrorWithoutRetry) {
  const std::string body =
      field("model", "twice-stt") + file_head() + audio(6 * 1024 * 1024) + "\r\n" + closing();
  auto response = exchange(port(), upload_head("/v1/audio/transcriptions", body.size(),
                                               "x-mock-reset-after-bytes: 1000000\r\n") +
                                       body);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 502) << response->body;
  EXPECT_TRUE(contains(response->body, "stopped taking the request body")) << response->body;
  EXPECT_EQ(media_stat(mock_port(), "upload_resets"), 1);
  EXPECT_EQ(media_stat(mock_port(), "transcriptions"), 1) << "the upload was sent twice";
  const std::string line = log_line("\"outcome\":\"reset\"");
  EXPECT_TRUE(contains(line, "\"attempts\":1")) << line;
}

// A deployment that cannot be reached took no byte of the upload: the next one gets it all.
TEST_F(MediaPassthroughTest, AConnectFailureBeforeTheFirstByteGoesToTheNextDeployment) {
  const std::string data = audio(300'000);
  const std::string body = file_head() + data + "\r\n" + field("model", "fallback-stt") + closing();
  auto response = exchange(port(), upload_head("/v1/audio/transcriptions", body.size()) + body);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->header("x-sluice-deployment"), "up/gpt-4o-transcribe");
  EXPECT_TRUE(contains(response->body, "Transcribed 300000 bytes")) << response->body;
  EXPECT_TRUE(contains(log_line("\"model\":\"fallback-stt\""), "\"attempts\":2"));
}

// A client that trickles its upload is never silent for server.body_timeout: the request's
// deadline (here the client's x-sluice-timeout-ms, as media routes share chat's deadlines) ends
// it with a 504, before the model is known or while the body streams upstream, and the upstream's
// request is cut.
TEST_F(MediaPassthroughTest, ATrickledUploadEndsAtTheRequestsDeadline) {
  for (const bool model_first : {true, false}) {
    const std::string head = model_first ? field("model", "stt") + file_head() : file_head();
    HttpConnection client(port());
    ASSERT_TRUE(client.send_raw(upload_head("/v1/audio/transcriptions", head.size() + 100'000,
                                            "x-sluice-timeout-ms: 1500\r\n") +
                                head));
    const auto started = std::chrono::steady_clock::now();
    std::atomic<bool> answered{false};
    std::thread trickle([&] {  // a byte every 200 ms: the client's pace, not a wait
      while (!answered && client.send_raw("A")) std::this_thread::sleep_for(200ms);
    });
    auto response = client.read_response(15s);
    answered = true;
    trickle.join();
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(response) << "model first: " << model_first;
    EXPECT_EQ(response->status, 504) << response->body;
    EXPECT_TRUE(contains(response->body, "deadline_exceeded")) << response->body;
    EXPECT_TRUE(contains(response->body, "x-sluice-timeout-ms")) << response->body;
    EXPECT_LT(took, 4s) << "model first: " << model_first;
  }
  // The model-first upload had gone upstream: its request was cut, not completed.
  EXPECT_TRUE(eventually([&] { return media_stat(mock_port(), "uploads_cut") == 1; }))
      << "the upstream upload outlived the deadline";
  EXPECT_EQ(media_stat(mock_port(), "transcriptions"), 1) << "the model-last upload went upstream";
  const std::string line = log_line("\"status\":504");
  EXPECT_TRUE(contains(line, "\"route\":\"/v1/audio/transcriptions\"")) << line;
}

// With a Content-Length, a form without its closing delimiter is refused before its last bytes
// go upstream: the upstream sees a cut request, never a whole one it might serve and bill.
TEST_F(MediaPassthroughTest, AnUnclosedFormNeverReachesTheUpstreamWhole) {
  const std::string body =
      field("model", "stt") + file_head() + audio(300'000) + "\r\n";  // no closing delimiter
  auto response = exchange(port(), upload_head("/v1/audio/transcriptions", body.size()) + body);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << response->body;
  EXPECT_TRUE(contains(response->body, "invalid_multipart")) << response->body;
  EXPECT_TRUE(eventually([&] { return media_stat(mock_port(), "uploads_cut") == 1; }))
      << "the upstream received the whole request";
  EXPECT_LT(media_stat(mock_port(), "upload_bytes"), static_cast<long long>(body.size()));
}

// A `model` part with a filename is a file to OpenAI: the upstream would find no model. Refused
// with a 400 that says so, before anything goes upstream.
TEST_F(MediaPassthroughTest, AModelSentAsAFileIs400) {
  const std::string body =
      file_head("model", "model.txt") + "stt\r\n" + file_head() + "abc\r\n" + closing();
  auto response = exchange(port(), upload_head("/v1/audio/transcriptions", body.size()) + body);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << response->body;
  EXPECT_TRUE(contains(response->body, "\"param\":\"model\"")) << response->body;
  EXPECT_TRUE(contains(response->body, "plain form field")) << response->body;
  EXPECT_EQ(media_stat(mock_port(), "transcriptions"), 0);
}

// Deployments on providers without the endpoint (anthropic here) are skipped, not failed; a model
// with none that has it is a 400 naming both.
TEST_F(MediaPassthroughTest, DeploymentsWithoutTheEndpointAreSkipped) {
  const std::string body = file_head() + "abc\r\n" + field("model", "mixed-stt") + closing();
  auto served = exchange(port(), upload_head("/v1/audio/transcriptions", body.size()) + body);
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200) << served->body;
  EXPECT_EQ(served->header("x-sluice-deployment"), "up/gpt-4o-transcribe");
  EXPECT_TRUE(contains(log_line("\"model\":\"mixed-stt\""), "\"attempts\":1"));
  auto unserved = http_request(port(), "POST", "/v1/audio/speech",
                               R"({"model":"claude-only","input":"hi","voice":"alloy"})",
                               "Content-Type: application/json\r\n");
  ASSERT_TRUE(unserved);
  EXPECT_EQ(unserved->status, 400) << unserved->body;
  EXPECT_TRUE(contains(unserved->body, "unsupported_endpoint")) << unserved->body;
  EXPECT_TRUE(contains(unserved->body, "/v1/audio/speech")) << unserved->body;
}

TEST_F(MediaPassthroughTest, SpeechAudioIsRelayedBackAsItArrives) {
  const std::size_t size = 3 * 1024 * 1024 + 5;
  auto response = http_request(
      port(), "POST", "/v1/audio/speech",
      R"({"model":"tts","input":"Hello there","voice":"alloy"})",
      "Content-Type: application/json\r\nx-mock-speech-bytes: " + std::to_string(size) + "\r\n",
      20s);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->header("content-type"), "audio/mpeg");
  ASSERT_EQ(response->body.size(), size);
  bool same = true;
  for (std::size_t i = 0; i < size && same; ++i)
    same = response->body[i] == static_cast<char>((i * 131 + 17) % 251);
  EXPECT_TRUE(same) << "the audio changed on the way";
  EXPECT_TRUE(contains(log_line("\"model\":\"tts\""), "\"usage\":\"not_reported\""));
}

TEST_F(MediaPassthroughTest, ImageGenerationsAndEditsReportGptImageUsage) {
  auto generated = http_request(port(), "POST", "/v1/images/generations",
                                R"({"model":"painter","prompt":"a red fox","n":1})",
                                "Content-Type: application/json\r\n");
  ASSERT_TRUE(generated);
  ASSERT_EQ(generated->status, 200) << generated->body;
  EXPECT_TRUE(contains(generated->body, "\"b64_json\":\"iVBORw0KGgo")) << generated->body;
  EXPECT_TRUE(contains(log_line("\"model\":\"painter\""), "\"completion_tokens\":272"));

  const std::string image = audio(10'000);
  const std::string body = field("model", "painter") + field("prompt", "add a hat") +
                           file_head("image[]", "fox.png") + image + "\r\n" + closing();
  auto edited = exchange(port(), upload_head("/v1/images/edits", body.size()) + body);
  ASSERT_TRUE(edited);
  ASSERT_EQ(edited->status, 200) << edited->body;
  EXPECT_TRUE(contains(edited->body, "Edited 1 image of 10000 bytes (fnv1a " +
                                         hex(core::fnv1a(image)) + ") with gpt-image-1: add a hat"))
      << edited->body;
}

TEST_F(MediaPassthroughTest, AFormWithoutAModelIs400NamingIt) {
  const std::string body = file_head() + "abc\r\n" + closing();
  auto response = exchange(port(), upload_head("/v1/audio/transcriptions", body.size()) + body);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(contains(response->body, "\"param\":\"model\"")) << response->body;
  auto unknown = exchange(port(), upload_head("/v1/audio/transcriptions",
                                              field("model", "nope").size() + closing().size()) +
                                      field("model", "nope") + closing());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
}

// A virtual key limited to some models: the multipart `model` is held to it as JSON's is.
TEST(MediaPermissionsTest, AKeysModelAllowlistAppliesToUploads) {
  auto mock = start_mock_upstream();
  TempFile config(config_yaml(mock->port()));
  auto sluice = start_server({{"SLUICE_AUTH__ADMIN_KEY", "sk-admin-media-0123456789"},
                              {"SLUICE_AUTH__KEY_REFRESH", "200ms"}},
                             {"--config", config.path()});
  auto created = http_request(sluice->port(), "POST", "/v1/admin/keys",
                              R"({"roles":["query"],"models":["tts"]})",
                              "Content-Type: application/json\r\nAuthorization: Bearer "
                              "sk-admin-media-0123456789\r\n");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const auto at = created->body.find("\"key\":\"") + 7;
  const std::string key = created->body.substr(at, created->body.find('"', at) - at);
  const std::string body = file_head() + "abc\r\n" + field("model", "stt") + closing();
  auto refused = exchange(sluice->port(), upload_head("/v1/audio/transcriptions", body.size(),
                                                      "Authorization: Bearer " + key + "\r\n") +
                                              body);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_TRUE(contains(refused->body, "model_not_allowed")) << refused->body;
  EXPECT_EQ(media_stat(mock->port(), "transcriptions"), 0);
  auto unauthenticated =
      exchange(sluice->port(), upload_head("/v1/audio/transcriptions", body.size()) + body);
  ASSERT_TRUE(unauthenticated);
  EXPECT_EQ(unauthenticated->status, 401);
}

}  // namespace
}  // namespace sluice::testing
