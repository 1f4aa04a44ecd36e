#include "mock/mock_media.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <memory>

#include "core/clock.hpp"
#include "core/fnv1a.hpp"
#include "core/json_read.hpp"
#include "http/multipart.hpp"
#include "http/multipart_scanner.hpp"

namespace sluice::mock {
namespace json = boost::json;
namespace asio = boost::asio;

const char* const kTinyPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

namespace {

constexpr std::size_t kMaxFieldBytes = 4096;
constexpr std::size_t kPieceBytes = 64 * 1024;
constexpr std::size_t kMaxUploadBytes = std::size_t{1} << 30;
constexpr std::uint64_t kMaxSpeechBytes = std::uint64_t{1} << 30;
constexpr long long kTokensPerImage = 272;  // gpt-image-1's output for a low-quality square

Error missing(std::string_view parameter) {
  return make_error(Errc::invalid_request,
                    "Missing required parameter: '" + std::string(parameter) + "'.",
                    std::string(parameter));
}

std::string hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

long long words(std::string_view text) {
  long long count = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++count;
    in_word = !space;
  }
  return count;
}

// `n` (1 to 10) from a JSON number or a form field's text; 1 when absent.
Result<long long> image_count(const json::value* value, std::string_view text) {
  long long n = 1;
  if (value && value->is_int64()) {
    n = value->as_int64();
  } else if (value && !value->is_null()) {
    n = 0;
  } else if (!text.empty()) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) n = 0;
  }
  if (n < 1 || n > 10)
    return make_error(Errc::invalid_request, "'n' must be an integer from 1 to 10", "n");
  return n;
}

// The images answer: n tiny PNGs (or URLs), each with `note` as its revised_prompt when given;
// gpt-image-* models add usage.
std::string images_json(std::string_view model, long long prompt_words, long long n, bool url,
                        long long image_kib, std::string_view note, long long created) {
  json::array data;
  for (long long i = 0; i < n; ++i) {
    json::object item;
    if (url)
      item["url"] = "https://mock-upstream.invalid/images/" + std::to_string(i) + ".png";
    else
      item["b64_json"] = kTinyPngBase64;
    if (!note.empty()) item["revised_prompt"] = note;
    data.push_back(std::move(item));
  }
  json::object out{{"created", created}, {"data", std::move(data)}};
  if (model.starts_with("gpt-image")) {
    const long long input = prompt_words + image_kib;
    const long long output = kTokensPerImage * n;
    out["usage"] =
        json::object{{"total_tokens", input + output},
                     {"input_tokens", input},
                     {"output_tokens", output},
                     {"input_tokens_details",
                      json::object{{"text_tokens", prompt_words}, {"image_tokens", image_kib}}}};
  }
  return json::serialize(out);
}

bool is_file_field(const http::MultipartPart& part) {
  return !part.filename.empty() || part.name == "file" || part.name == "image" ||
         part.name == "image[]" || part.name == "mask";
}

// Gathers an upload's fields and its files' sizes and hashes as the scanner reads them.
class SummaryListener final : public http::MultipartListener {
 public:
  explicit SummaryListener(UploadSummary& out) : out_(out) {}

  Status on_part(const http::MultipartPart& part, std::uint64_t) override {
    field_ = nullptr;
    file_ = is_file_field(part);
    if (file_)
      out_.files.push_back({part.name, part.filename, 0, core::kFnv1aOffsetBasis});
    else
      field_ = &out_.fields[part.name];
    return Status::success();
  }
  Status on_data(std::string_view bytes) override {
    if (file_) {
      out_.files.back().bytes += bytes.size();
      out_.files.back().fnv1a = core::fnv1a(bytes, out_.files.back().fnv1a);
    } else if (field_) {
      field_->append(bytes.substr(0, kMaxFieldBytes - std::min(kMaxFieldBytes, field_->size())));
    }
    return Status::success();
  }
  Status on_part_end(std::uint64_t) override { return Status::success(); }

 private:
  UploadSummary& out_;
  std::string* field_ = nullptr;
  bool file_ = false;
};

std::optional<std::uint64_t> header_number(const http::Request& request, std::string_view name) {
  const std::string_view text = request.header(name);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads the upload into `summary`; false after answering, or when the client left or the
// connection was dropped on purpose.
asio::awaitable<bool> read_upload(http::Exchange& ex, MediaStats& stats, UploadSummary& summary) {
  auto boundary = http::multipart_boundary(ex.request.header("content-type"));
  if (!boundary) {
    ex.response.set_error(boundary.error());
    co_return false;
  }
  const auto reset_after = header_number(ex.request, "x-mock-reset-after-bytes");
  SummaryListener listener(summary);
  http::MultipartScanner scanner(*boundary, {.max_parts = 64, .max_header_bytes = 4096});
  const std::unique_ptr<char[]> buffer(new char[kPieceBytes]);
  std::uint64_t total = 0;
  for (;;) {
    auto n = co_await ex.body_reader->read(std::span(buffer.get(), kPieceBytes));
    if (!n) {
      if (ex.cancellation.cancelled()) {
        stats.upload_bytes.fetch_add(static_cast<long long>(total));
        stats.uploads_cut.fetch_add(1);
        ex.response.status = 499;
      } else {
        ex.response.set_error(n.error());
      }
      co_return false;
    }
    if (*n == 0) break;
    total += *n;
    if (reset_after && total >= *reset_after) {
      stats.upload_resets.fetch_add(1);
      ex.abort_connection();
      co_return false;
    }
    if (Status s = scanner.feed(std::string_view(buffer.get(), *n), listener); !s) {
      ex.response.set_error(s.error());
      co_return false;
    }
  }
  stats.upload_bytes.fetch_add(static_cast<long long>(total));
  if (Status s = scanner.finish(); !s) {
    ex.response.set_error(s.error());
    co_return false;
  }
  co_return true;
}

std::optional<json::object> json_body(http::Exchange& ex) {
  boost::system::error_code ec;
  json::value body = json::parse(ex.request.body, ec);
  if (ec || !body.is_object()) {
    ex.response.set_error(
        make_error(Errc::invalid_request,
                   "We could not parse the JSON body of your request: expected a JSON object."));
    return std::nullopt;
  }
  return std::move(body.get_object());
}

asio::awaitable<void> images_generations(http::Exchange& ex, MediaStats& stats,
                                         const FaultGate& faults) {
  stats.images.fetch_add(1);
  if (!co_await faults(ex)) co_return;
  const auto request = json_body(ex);
  if (!request) co_return;
  auto reply = image_generation_reply(*request, core::unix_seconds());
  if (!reply) {
    ex.response.set_error(reply.error());
    co_return;
  }
  ex.response.set_json(200, std::move(*reply));
}

asio::awaitable<void> image_upload(http::Exchange& ex, MediaStats& stats, const FaultGate& faults,
                                   bool variation) {
  stats.images.fetch_add(1);
  if (!co_await faults(ex)) co_return;
  UploadSummary upload;
  if (!co_await read_upload(ex, stats, upload)) co_return;
  auto reply = image_upload_reply(upload, variation, core::unix_seconds());
  if (!reply) {
    ex.response.set_error(reply.error());
    co_return;
  }
  ex.response.set_json(200, std::move(*reply));
}

asio::awaitable<void> audio_text(http::Exchange& ex, MediaStats& stats, const FaultGate& faults,
                                 bool translation) {
  (translation ? stats.translations : stats.transcriptions).fetch_add(1);
  if (!co_await faults(ex)) co_return;
  UploadSummary upload;
  if (!co_await read_upload(ex, stats, upload)) co_return;
  auto reply = audio_text_reply(upload, translation);
  if (!reply) {
    ex.response.set_error(reply.error());
    co_return;
  }
  ex.response.status = 200;
  ex.response.content_type = std::move(reply->content_type);
  ex.response.body = std::move(reply->body);
}

// The audio goes out as it is made, a piece at a time: a large answer costs no memory.
asio::awaitable<void> speech(http::Exchange& ex, MediaStats& stats, const FaultGate& faults) {
  stats.speech.fetch_add(1);
  if (!co_await faults(ex)) co_return;
  const auto request = json_body(ex);
  if (!request) co_return;
  auto content_type = speech_content_type(*request);
  if (!content_type) {
    ex.response.set_error(content_type.error());
    co_return;
  }
  const std::string_view input = core::string_field(*request, "input");
  const std::uint64_t bytes =
      std::min(header_number(ex.request, "x-mock-speech-bytes").value_or(input.size() * 1024),
               kMaxSpeechBytes);
  ex.response.status = 200;
  ex.response.content_type = std::move(*content_type);
  if (!co_await ex.begin_stream()) co_return;
  const std::unique_ptr<char[]> buffer(new char[kPieceBytes]);
  for (std::uint64_t offset = 0; offset < bytes; offset += kPieceBytes) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(kPieceBytes, bytes - offset));
    for (std::size_t i = 0; i < n; ++i) buffer[i] = mock_audio_byte(offset + i);
    if (!co_await ex.write(std::string_view(buffer.get(), n))) co_return;
  }
}

}  // namespace

Result<std::string> image_generation_reply(const json::object& request, long long created) {
  std::string model(core::string_field(request, "model"));
  if (model.empty()) model = "dall-e-2";  // OpenAI's default
  const std::string_view prompt = core::string_field(request, "prompt");
  if (prompt.empty()) return missing("prompt");
  auto n = image_count(request.if_contains("n"), {});
  if (!n) return n.error();
  const bool url = core::string_field(request, "response_format") == "url";
  return images_json(model, words(prompt), *n, url, 0, {}, created);
}

Result<std::string> image_upload_reply(const UploadSummary& upload, bool variation,
                                       long long created) {
  std::string model = upload.field("model");
  if (model.empty()) model = "dall-e-2";
  const std::string prompt = upload.field("prompt");
  if (!variation && prompt.empty()) return missing("prompt");
  std::uint64_t bytes = 0;
  std::string hashes;
  long long images = 0;
  for (const auto& file : upload.files) {
    if (file.field != "image" && file.field != "image[]") continue;
    ++images;
    bytes += file.bytes;
    hashes += (hashes.empty() ? "" : ", ") + hex(file.fnv1a);
  }
  if (images == 0) return missing("image");
  auto n = image_count(nullptr, upload.field("n"));
  if (!n) return n.error();
  const std::string note = std::string(variation ? "Varied " : "Edited ") + std::to_string(images) +
                           (images == 1 ? " image" : " images") + " of " + std::to_string(bytes) +
                           " bytes (fnv1a " + hashes + ") with " + model +
                           (prompt.empty() ? "" : ": " + prompt);
  const bool url = upload.field("response_format") == "url";
  return images_json(model, words(prompt), *n, url, static_cast<long long>(bytes / 1024), note,
                     created);
}

Result<TextReply> audio_text_reply(const UploadSummary& upload, bool translation) {
  const UploadSummary::File* file = nullptr;
  for (const auto& f : upload.files)
    if (f.field == "file") file = &f;
  if (!file) return missing("file");
  const std::string model = upload.field("model");
  if (model.empty()) return missing("model");
  const std::string text = std::string(translation ? "Translated " : "Transcribed ") +
                           std::to_string(file->bytes) + " bytes of " + file->filename +
                           " (fnv1a " + hex(file->fnv1a) + ") with " + model + ".";
  const long long seconds = std::max<long long>(1, static_cast<long long>(file->bytes / 16000));
  json::object usage;
  if (!translation && model.find("transcribe") != std::string::npos) {
    const long long input = std::max<long long>(1, static_cast<long long>(file->bytes / 1024));
    const long long output = words(text);
    usage = {{"type", "tokens"},
             {"input_tokens", input},
             {"input_token_details", json::object{{"text_tokens", 0}, {"audio_tokens", input}}},
             {"output_tokens", output},
             {"total_tokens", input + output}};
  } else if (!translation && model.starts_with("whisper")) {
    usage = {{"type", "duration"}, {"seconds", seconds}};
  }
  std::string format = upload.field("response_format");
  if (format.empty()) format = "json";
  if (upload.field("stream") == "true" && !translation) {
    std::string events;
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto space = rest.find(' ');
      const std::string_view word =
          rest.substr(0, space == std::string_view::npos ? rest.size() : space + 1);
      rest.remove_prefix(word.size());
      events += "data: " +
                json::serialize(json::object{{"type", "transcript.text.delta"}, {"delta", word}}) +
                "\n\n";
    }
    json::object done{{"type", "transcript.text.done"}, {"text", text}};
    if (!usage.empty()) done["usage"] = usage;
    events += "data: " + json::serialize(done) + "\n\n";
    return TextReply{"text/event-stream", std::move(events)};
  }
  const std::string clock = "00:00:" + std::string(seconds < 10 ? "0" : "") +
                            std::to_string(std::min<long long>(seconds, 59));
  if (format == "json") {
    json::object out{{"text", text}};
    if (!usage.empty()) out["usage"] = usage;
    return TextReply{"application/json", json::serialize(out)};
  }
  if (format == "verbose_json") {
    json::object out{
        {"task", translation ? "translate" : "transcribe"},
        {"language", "english"},
        {"duration", static_cast<double>(seconds)},
        {"text", text},
        {"segments",
         json::array{json::object{
             {"id", 0}, {"start", 0.0}, {"end", static_cast<double>(seconds)}, {"text", text}}}}};
    if (!usage.empty()) out["usage"] = usage;
    return TextReply{"application/json", json::serialize(out)};
  }
  if (format == "text") return TextReply{"text/plain; charset=utf-8", text + "\n"};
  if (format == "srt")
    return TextReply{"text/plain; charset=utf-8",
                     "1\n00:00:00,000 --> " + clock + ",000\n" + text + "\n\n"};
  if (format == "vtt")
    return TextReply{"text/vtt; charset=utf-8",
                     "WEBVTT\n\n00:00:00.000 --> " + clock + ".000\n" + text + "\n\n"};
  return make_error(Errc::invalid_request,
                    "'response_format' must be one of json, text, srt, verbose_json, vtt",
                    "response_format");
}

Result<std::string> speech_content_type(const json::object& request) {
  if (core::string_field(request, "model").empty()) return missing("model");
  if (core::string_field(request, "input").empty()) return missing("input");
  if (core::string_field(request, "voice").empty()) return missing("voice");
  const std::string_view format = core::string_field(request, "response_format");
  const std::pair<std::string_view, std::string_view> types[] = {
      {"mp3", "audio/mpeg"},  {"opus", "audio/opus"}, {"aac", "audio/aac"},
      {"flac", "audio/flac"}, {"wav", "audio/wav"},   {"pcm", "audio/pcm"}};
  for (const auto& [name, type] : types)
    if (format == name || (format.empty() && name == "mp3")) return std::string(type);
  return make_error(Errc::invalid_request,
                    "'response_format' must be one of mp3, opus, aac, flac, wav, pcm",
                    "response_format");
}

std::string MediaStats::to_json() const {
  return json::serialize(json::object{{"images", images.load()},
                                      {"transcriptions", transcriptions.load()},
                                      {"translations", translations.load()},
                                      {"speech", speech.load()},
                                      {"upload_bytes", upload_bytes.load()},
                                      {"uploads_cut", uploads_cut.load()},
                                      {"upload_resets", upload_resets.load()}});
}

void register_media_routes(http::Router& router, MediaStats& stats, FaultGate faults) {
  using http::Exchange;
  const http::RouteOptions json_route{.model_route = true};
  const http::RouteOptions upload_route{.max_body_bytes = kMaxUploadBytes,
                                        .body_limit_key = "mock-upstream's upload limit (1GiB)",
                                        .stream_body = true};
  router.add(
      "POST", "/v1/images/generations",
      [&stats, faults](Exchange& ex) { return images_generations(ex, stats, faults); }, json_route);
  router.add(
      "POST", "/v1/images/edits",
      [&stats, faults](Exchange& ex) { return image_upload(ex, stats, faults, false); },
      upload_route);
  router.add(
      "POST", "/v1/images/variations",
      [&stats, faults](Exchange& ex) { return image_upload(ex, stats, faults, true); },
      upload_route);
  router.add(
      "POST", "/v1/audio/transcriptions",
      [&stats, faults](Exchange& ex) { return audio_text(ex, stats, faults, false); },
      upload_route);
  router.add(
      "POST", "/v1/audio/translations",
      [&stats, faults](Exchange& ex) { return audio_text(ex, stats, faults, true); }, upload_route);
  router.add(
      "POST", "/v1/audio/speech",
      [&stats, faults](Exchange& ex) { return speech(ex, stats, faults); }, json_route);
  router.add("GET", "/mock/media/stats", [&stats](Exchange& ex) -> asio::awaitable<void> {
    ex.response.set_json(200, stats.to_json());
    co_return;
  });
}

}  // namespace sluice::mock
