#pragma once
// A request body as an upstream gets it: the bytes the gateway holds (the client's, or its
// translation's) sent untouched, those bytes with the model's value replaced, sent in pieces
// around the value rather than copied (a body may be tens of megabytes of base64), or a body
// rebuilt whole.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::gateway {

class OutgoingBody {
 public:
  static OutgoingBody as_is(std::string_view raw);
  static OutgoingBody rebuilt(std::string text);
  // `raw`, a JSON object's text, with the value of its top-level "model" replaced by `model`
  // (the value is a string: its quotes stay, what lies between them changes). Views into `raw`
  // and `model`, which must outlive the body. nullopt when a scan cannot place that value (no
  // "model", twice, top-level keys with escapes, not a string) or `model` needs escaping: the
  // body must then be rebuilt from its parsed form.
  static std::optional<OutgoingBody> with_model(std::string_view raw, std::string_view model);

  // What to send, in order (unused pieces empty).
  std::array<std::string_view, 3> pieces() const;
  std::size_t size() const;
  // The request's bytes go as they are.
  bool unchanged() const { return !rebuilt_ && pieces_[1].empty() && pieces_[2].empty(); }
  // The pieces joined (tests, and callers that need one string).
  std::string text() const;

 private:
  std::array<std::string_view, 3> pieces_{};
  std::optional<std::string> rebuilt_;
};

}  // namespace sluice::gateway
