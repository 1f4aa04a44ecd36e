// Usage as OpenAI-compatible upstreams report it, in a whole response, a streamed chunk or an
// error body: every count read is within [0, kMaxTokenCount], whichever reader found it, the
// prompt's priced parts add up to it, and the bytes counted for estimates are never more than
// the bytes given. An error body read as Azure's stays JSON.

#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "gateway/providers/azure/azure_wire.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/upstream_failure.hpp"
#include "gateway/token_count.hpp"

namespace {

using namespace sluice::gateway;

void check(const Usage& usage) {
  for (const long long count : {usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens,
                                usage.cache_write_tokens})
    FUZZ_CHECK(count >= 0 && count <= kMaxTokenCount);
  const Usage::PromptParts parts = usage.prompt_parts();
  FUZZ_CHECK(parts.uncached >= 0 && parts.cache_read >= 0 && parts.cache_write >= 0);
  FUZZ_CHECK(parts.uncached + parts.cache_read + parts.cache_write == usage.prompt_tokens);
}

const boost::json::object& chat_request() {
  static const boost::json::object request =
      boost::json::parse(R"({"model":"m","messages":[{"role":"user","content":"hello there"}]})")
          .as_object();
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = sluice::fuzz::text(data, size);

  Usage trailing;
  read_trailing_usage(body, trailing);
  check(trailing);

  Usage streamed;
  const ChunkInfo chunk = inspect_chunk(body, streamed);
  check(streamed);
  FUZZ_CHECK(chunk.content_bytes <= size);

  Usage whole;
  if (inspect_response(body, chat_request(), whole)) check(whole);

  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    Usage direct;
    read_usage(parsed.as_object(), direct);
    check(direct);
    FUZZ_CHECK(content_bytes(parsed.as_object()) <= size);
  }

  const AttemptResult failure = http_failure(503, std::string(body), body, body, "p");
  if (failure.retry_after) FUZZ_CHECK(*failure.retry_after >= std::chrono::milliseconds{0});

  AttemptResult azure = http_failure(400, std::string(body), {}, {}, "azure");
  adapt_azure_failure(azure, 400);
  if (!azure.upstream_error_body.empty()) {
    boost::system::error_code azure_ec;
    boost::json::parse(azure.upstream_error_body, azure_ec);
    FUZZ_CHECK(!azure_ec);
  }
  return 0;
}
