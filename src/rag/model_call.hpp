#pragma once
// Asking the answering model through the gateway's routing: the chat body for a prompt, the
// relay of a streamed answer's text, and the text of a finished completion.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/types.hpp"
#include "rag/prompt_template.hpp"

namespace sluice::rag {

// {"model", "messages", "stream"} (+ stream_options.include_usage when streaming).
boost::json::object chat_body(std::string_view model, const std::vector<PromptMessage>& messages,
                              bool stream);

// choices[0].message.content of an OpenAI chat.completion body; empty when absent.
std::string completion_text(std::string_view body);

// choices[0].delta.content of an OpenAI chat.completion.chunk; empty when absent.
std::string delta_text(std::string_view chunk_json);

// Receives an answer's text as the model streams it.
class TextSink {
 public:
  virtual ~TextSink() = default;
  virtual void on_attempt(std::string_view deployment) = 0;
  // The key's token limit the model call was reserved against, before its first piece.
  virtual void on_token_limit(const gateway::TokenLimitReport& report) {}
  // One piece of the text, in order. False once the client is gone.
  virtual boost::asio::awaitable<bool> text(std::string_view piece) = 0;
  virtual bool started() const = 0;
};

// A gateway ChunkSink that keeps the streamed answer's text and passes each piece to `out`.
class TextRelay final : public gateway::ChunkSink {
 public:
  explicit TextRelay(TextSink* out) : out_(out) {}

  void on_attempt(std::string_view deployment) override {
    if (out_) out_->on_attempt(deployment);
  }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    if (out_) out_->on_token_limit(report);
  }
  boost::asio::awaitable<bool> send(std::string_view chunk_json) override;
  bool started() const override { return out_ && out_->started(); }

  const std::string& text() const { return text_; }

 private:
  TextSink* out_;
  std::string text_;
};

}  // namespace sluice::rag
