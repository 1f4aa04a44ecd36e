#pragma once

// Anthropic's Messages API as an ingress (POST /v1/messages, what the Anthropic SDK and tools
// built on it speak), translated to and from Chat Completions, which the gateway routes: any
// provider answers it, with the gateway's aliases, retries, fallbacks, usage and cost. Functions
// over JSON: the route owns the socket.

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/result.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

// A Chat Completions request from a Messages request: model, max_tokens (required), system (a
// string or text blocks), messages (text, image and document blocks; tool_use and tool_result
// become tool calls and tool messages; thinking blocks are dropped), stop_sequences, temperature,
// top_p, tools, tool_choice, metadata.user_id, stream (with usage always on). Errors are
// invalid_request with the field's path as Anthropic writes it ("messages.1.content.0.type").
// Allocated from `storage` (an arena makes a request of many blocks cheap to build and free).
Result<boost::json::object> chat_request_from_messages(const boost::json::object& messages_request,
                                                       boost::json::storage_ptr storage = {});

// Input tokens of a Messages request as POST /v1/messages/count_tokens answers: the translated
// chat request's messages (as the gateway estimates usage: ~4 bytes a token) plus its tools.
long long estimate_message_tokens(const boost::json::object& chat_request);

// A Messages response {id, type: "message", role, model, content, stop_reason, stop_sequence,
// usage} from a chat.completion body; `fallback_usage` stands in when the body carries none. A
// body that is not a chat completion is a bad_gateway Error.
Result<std::string> message_from_chat(std::string_view chat_completion_json,
                                      std::string_view message_id, std::string_view model,
                                      const Usage* fallback_usage = nullptr);

// Anthropic's stop_reason for a chat finish_reason.
std::string_view stop_reason_of(std::string_view finish_reason);
// Anthropic's usage object: input_tokens excludes the cached part, which is
// cache_read_input_tokens.
boost::json::object anthropic_usage(const Usage& usage);

// Anthropic's error shape {"type":"error","error":{"type","message"},"request_id"} and the status
// that goes with it (overload is 529, as at Anthropic).
struct AnthropicError {
  int status = 500;
  std::string body;
};
AnthropicError anthropic_error(const Error& error, std::string_view request_id = {});
// The same for an error body in OpenAI's shape (as every other layer answers) with its status.
AnthropicError anthropic_error_from_openai(int status, std::string_view openai_body,
                                           std::string_view request_id = {});

// One server-sent event of a Messages stream.
struct MessagesEvent {
  std::string type;
  std::string data;
};

// Turns chat.completion.chunk payloads into Anthropic's event sequence: message_start and a ping
// first, then per content block (text, each tool call) content_block_start / delta / stop, and at
// the end message_delta (stop_reason and the whole usage) and message_stop. One per stream; not
// thread-safe.
class MessagesStreamTranslator {
 public:
  // `input_tokens_estimate`: message_start's input_tokens (the real count comes with
  // message_delta, after the upstream reported it).
  MessagesStreamTranslator(std::string message_id, std::string model,
                           long long input_tokens_estimate);

  void feed(std::string_view chunk_json, std::vector<MessagesEvent>& out);
  // The stream ended well: closes the open block and appends message_delta and message_stop
  // with the usage chunk's counts, else `fallback_usage` (counted by the gateway).
  void finish(const Usage& fallback_usage, std::vector<MessagesEvent>& out);
  // The stream broke: an `error` event, which the SDKs raise.
  void fail(const Error& error, std::vector<MessagesEvent>& out);

 private:
  enum class Block { none, text, tool };
  void start(std::vector<MessagesEvent>& out);
  void open_text(std::vector<MessagesEvent>& out);
  void on_tool_delta(const boost::json::object& call, std::vector<MessagesEvent>& out);
  void close_block(std::vector<MessagesEvent>& out);
  void emit(std::string_view type, boost::json::object event, std::vector<MessagesEvent>& out);

  std::string id_;
  std::string model_;
  long long input_estimate_;
  bool started_ = false;
  bool finished_ = false;
  Block block_ = Block::none;
  long long block_index_ = -1;      // of the open (or last) block
  long long tool_chat_index_ = -1;  // the chat tool call index the open tool block is
  std::string finish_reason_;
  Usage usage_;  // from the usage chunk
};

}  // namespace sluice::gateway
