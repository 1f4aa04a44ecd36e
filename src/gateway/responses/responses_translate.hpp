#pragma once

// Translation between OpenAI's Responses API (POST /v1/responses, what the Vercel AI SDK and
// newer OpenAI SDK code speak) and Chat Completions (what the gateway routes). Functions over JSON
// and the response store: the route owns the socket, the gateway service stays unaware of the
// Responses API.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_read.hpp"
#include "core/result.hpp"
#include "gateway/responses/response_store.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

// A Chat Completions request from a Responses request: model, input (string or items: messages,
// function_call, function_call_output, item_reference), instructions, previous_response_id,
// max_output_tokens, temperature, top_p, function tools, tool_choice, text.format, stream (with
// include_usage always on: the Responses API always reports usage). References resolve through
// `store` (none: nothing is stored), finding only what `owner` (the caller's tenant) stored:
// another tenant's item or response is as unknown as a missing one. An unknown item is a 400 naming
// input[i], an unknown previous response a 404. What chat cannot express (built-in tools,
// conversation, background) is a 400 invalid_request_error naming the param.
Result<boost::json::object> chat_request_from_responses(
    const boost::json::object& responses_request, ResponseStore* store = nullptr,
    std::string_view owner = {});

// Whether the response is to be stored: `store`, true by default as at OpenAI.
bool store_requested(const boost::json::object& responses_request);
// What the store keeps of a response that ended well: the messages of `chat_request` after the
// instructions (previous_response_id does not carry those over, as at OpenAI) and each message or
// function_call item of `output` (a Response's output) as the chat message it stands for. Each
// response keeps its whole conversation, so that chains survive the eviction of earlier turns; the
// store's byte bound covers what that repeats.
StoredResponse stored_response(const boost::json::object& responses_request,
                               const boost::json::object& chat_request,
                               const boost::json::array& output);
// The same from the whole Response object (`response`, as the client received it), which is kept
// too (`response_json`: its text, when the caller has it already), with the request's input items
// (input_items_of), for GET /v1/responses/{id} and its input_items, and where each lies in them,
// for an item_reference to one (those that are references themselves are not indexed).
StoredResponse stored_response(const boost::json::object& responses_request,
                               const boost::json::object& chat_request,
                               const boost::json::object& response, std::string response_json = {});

// A Response object (status completed, or incomplete for finish_reason length/content_filter) from
// a chat.completion body. `request` (optional) fills the fields a Response echoes (instructions,
// tools, temperature, ...); `fallback_usage` is reported when the body carries no usage. A body
// that is not a chat completion is a bad_gateway Error.
Result<boost::json::object> response_from_chat(std::string_view chat_completion_json,
                                               std::string_view response_id, long long created,
                                               const boost::json::object* request = nullptr,
                                               const Usage* fallback_usage = nullptr);
// The same, as JSON text.
Result<std::string> responses_json_from_chat(std::string_view chat_completion_json,
                                             std::string_view response_id, long long created,
                                             const boost::json::object* request = nullptr,
                                             const Usage* fallback_usage = nullptr);

// Building blocks shared by the two translators.

// A Response object without output: id, object, created_at, status "in_progress", model, and the
// fields that echo the request (OpenAI's defaults when absent or when `request` is null).
boost::json::object response_skeleton(std::string_view response_id, long long created,
                                      std::string_view model, const boost::json::object* request);
// The usage of a chat completion or chunk as Responses usage {input_tokens, ...}; null when it
// carries none.
boost::json::value responses_usage_of(const boost::json::object& chat_completion_or_chunk);
boost::json::object responses_usage(const Usage& usage);
// The incomplete_details reason for a chat finish_reason; empty when the answer is complete.
std::string_view incomplete_reason(std::string_view finish_reason);
// Output items, as in Response.output and the output_item.done events.
boost::json::object message_item(std::string_view id, std::string_view status,
                                 std::string_view text, std::string_view refusal = {});
boost::json::object function_call_item(std::string_view id, std::string_view status,
                                       std::string_view call_id, std::string_view name,
                                       std::string_view arguments);
// "resp_<x>" -> "<x>": item ids of a response share its random part.
std::string_view response_id_suffix(std::string_view response_id);
using core::string_field;

// One server-sent event of a Responses stream: `event: <type>` and `data: <data>`.
struct ResponsesEvent {
  std::string type;
  std::string data;
};

// Turns a stream of chat.completion.chunk payloads into Responses events, each carrying a
// sequence_number: response.created and response.in_progress first, then per output item
// (message text, function calls) the added / delta / done events, and response.completed (or
// response.incomplete) with the whole Response at the end. One per stream; not thread-safe.
class ResponsesStreamTranslator {
 public:
  ResponsesStreamTranslator(std::string response_id, long long created, std::string model,
                            const boost::json::object* request = nullptr);

  // Appends the events that one chunk produces (possibly none). Chunks that are not JSON objects
  // are ignored: the provider has already turned upstream errors into failures.
  void feed(std::string_view chunk_json, std::vector<ResponsesEvent>& out);
  // The stream ended well: closes open items and appends response.completed or .incomplete with
  // the usage of the usage chunk, else `fallback_usage` (counted by the gateway). The same as
  // close() then complete().
  void finish(const Usage& fallback_usage, std::vector<ResponsesEvent>& out);
  // finish() in two steps, for a caller that stores the Response before telling the client: close
  // appends the events that close open items and makes final_response(); complete appends
  // response.completed (or .incomplete) with it, as not_stored() may have changed it.
  void close(const Usage& fallback_usage, std::vector<ResponsesEvent>& out);
  void complete(std::vector<ResponsesEvent>& out);
  // Between close() and complete(): the Response was to be stored but was not (too large); its
  // `store` says so.
  void not_stored() { final_["store"] = false; }
  // The stream broke: appends an `error` event (the SDKs raise it) and response.failed.
  void fail(const Error& error, std::vector<ResponsesEvent>& out);

  bool started() const { return started_; }
  // The output items done so far, in order: after finish(), the Response's whole output.
  boost::json::array output_items() const;
  // After finish(): the Response that response.completed (or .incomplete) carried; else empty.
  const boost::json::object& final_response() const { return final_; }

 private:
  struct ToolCall {
    long long chat_index = 0;
    std::size_t output_index = 0;
    std::string item_id;
    std::string call_id;
    std::string name;
    std::string arguments;
    bool added = false;  // output_item.added sent: waits for the name when a provider omits it
  };

  void start(std::vector<ResponsesEvent>& out);
  void on_text(std::string_view delta, std::vector<ResponsesEvent>& out);
  void on_tool_delta(const boost::json::object& delta, std::vector<ResponsesEvent>& out);
  void add_tool_call(ToolCall& call, std::vector<ResponsesEvent>& out);
  void close_message(std::vector<ResponsesEvent>& out);
  void close_items(std::vector<ResponsesEvent>& out);
  void emit(std::string_view type, boost::json::object event, std::vector<ResponsesEvent>& out);
  void emit_delta(std::string_view type, std::string_view item_id, std::size_t output_index,
                  bool with_content_index, std::string_view delta,
                  std::vector<ResponsesEvent>& out);
  boost::json::object response_snapshot(std::string_view status) const;

  boost::json::object base_;  // the Response's fixed fields: id, created_at, model, request echo
  std::string id_suffix_;     // of the response id, reused for item ids
  long long sequence_ = 0;
  bool started_ = false;
  bool finished_ = false;   // closed (or failed): no more chunks
  bool completed_ = false;  // the terminal event was appended
  // The open message item, if any; text after a tool call opens a new one.
  bool message_open_ = false;
  std::size_t message_index_ = 0;
  std::string message_id_;
  std::string text_;
  std::vector<ToolCall> tool_calls_;  // every call of the response; open until the finish reason
  std::vector<boost::json::value> output_;  // done items, by output index
  std::string finish_reason_;
  boost::json::object usage_;  // Responses-shaped, from the usage chunk
  boost::json::object final_;
};

}  // namespace sluice::gateway
