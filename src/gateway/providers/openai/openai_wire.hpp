#pragma once
// Helpers for speaking OpenAI's wire format to upstreams: request rewriting, usage extraction,
// error classification. Shared by the OpenAI-compatible provider and the service.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "gateway/providers/outgoing_body.hpp"
#include "gateway/providers/param_rules.hpp"
#include "gateway/token_estimate.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

// How a provider shapes the bodies it sends.
struct BodyOptions {
  const ParamRules* rules = nullptr;  // the provider's parameter rules; null: none
  // Whether `model` is set to the deployment's model. Azure names the deployment in the URL and
  // ignores the body's model, so its bodies keep the client's.
  bool set_model = true;
};

// The body to send upstream: the request's bytes untouched when nothing changes, the same bytes
// with the model's value replaced when only that changes (sent in pieces, not copied), else the
// parsed request serialized with `model` replaced, the parameter rules for `upstream_model`
// applied and, for streams, stream_options.include_usage forced on (the gateway needs usage even
// when the client did not ask; that chunk is then not relayed). Views into the request's
// raw_body and `upstream_model`.
OutgoingBody upstream_chat_body(const ChatRequest& request, std::string_view upstream_model,
                                const BodyOptions& options = {});
OutgoingBody upstream_embeddings_body(const EmbeddingsRequest& request,
                                      std::string_view upstream_model,
                                      const BodyOptions& options = {});
// `body` (a request for `model`) with its model replaced by `upstream_model`; empty when they are
// the same (the client's bytes then go as they are).
std::string upstream_body_for_model(const boost::json::object& body, std::string_view model,
                                    std::string_view upstream_model);

// Whether a chat request asks for the final usage chunk (stream_options.include_usage: true).
bool usage_requested(const boost::json::object& chat_request);

// Reads "usage" from a response or chunk object (prompt_tokens_details.cached_tokens as cache
// reads, and cache_write_tokens there as cache writes); false when absent or null.
bool read_usage(const boost::json::object& object, Usage& usage);
// Reads the last "usage" object of a JSON text without parsing the rest: OpenAI-compatible
// servers put it at the end, and an embeddings response can be megabytes of floats before it.
bool read_trailing_usage(std::string_view body, Usage& usage);

// The text the choices carry (message.content or delta.content), for estimating tokens.
std::size_t content_bytes(const boost::json::object& response_or_chunk);

// What one streamed chunk says. Parsed on the caller's stack, so that a coroutine relaying a
// stream does not carry a JSON arena in its frame for the stream's whole life.
struct ChunkInfo {
  bool is_json = false;
  bool is_error = false;    // the upstream reported a failure mid-stream
  bool usage_only = false;  // the include_usage chunk: usage and no choices
  std::size_t content_bytes = 0;
};
ChunkInfo inspect_chunk(std::string_view data, Usage& usage);

// The first `"finish_reason":"..."` in a response or chunk, found by a scan (no parse); empty
// when there is none or it is null.
std::string_view finish_reason_in(std::string_view json);

// Reads usage from a whole response (estimating it, marked so, when absent); false when the
// body is not one complete JSON object (cut short, malformed in the middle, nested too deep).
// A body whose trailing usage object parses is validated in one pass without building a
// document (about 0.8 us for a typical 400-byte answer), never passed on unchecked: what an
// upstream sends is not trusted to be JSON because its framing is sound.
bool inspect_response(std::string_view body, const boost::json::object& request, Usage& usage);

// Token estimates for when an upstream reports no usage (marked estimated).
long long estimate_request_prompt_tokens(const boost::json::object& chat_request);

}  // namespace sluice::gateway
