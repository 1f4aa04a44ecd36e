#include "gateway/providers/outgoing_body.hpp"

#include "core/json_member.hpp"

namespace sluice::gateway {
namespace {

// Whether `text` can stand between JSON quotes as it is.
bool json_plain(std::string_view text) {
  for (const char c : text)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

}  // namespace

OutgoingBody OutgoingBody::as_is(std::string_view raw) {
  OutgoingBody body;
  body.pieces_[0] = raw;
  return body;
}

OutgoingBody OutgoingBody::rebuilt(std::string text) {
  OutgoingBody body;
  body.rebuilt_ = std::move(text);
  return body;
}

std::optional<OutgoingBody> OutgoingBody::with_model(std::string_view raw, std::string_view model) {
  if (!json_plain(model)) return std::nullopt;
  const auto span = core::top_level_member(raw, "model");
  if (!span || span->end - span->begin < 2 || raw[span->begin] != '"' || raw[span->end - 1] != '"')
    return std::nullopt;
  const std::string_view current = raw.substr(span->begin + 1, span->end - span->begin - 2);
  if (current == model) return as_is(raw);
  OutgoingBody body;
  body.pieces_ = {raw.substr(0, span->begin + 1), model, raw.substr(span->end - 1)};
  return body;
}

std::array<std::string_view, 3> OutgoingBody::pieces() const {
  if (rebuilt_) return {*rebuilt_, {}, {}};
  return pieces_;
}

std::size_t OutgoingBody::size() const {
  std::size_t total = 0;
  for (std::string_view piece : pieces()) total += piece.size();
  return total;
}

std::string OutgoingBody::text() const {
  std::string out;
  out.reserve(size());
  for (std::string_view piece : pieces()) out += piece;
  return out;
}

}  // namespace sluice::gateway
