#include "gateway/moderation/moderation_request.hpp"

#include <boost/json.hpp>

#include "core/json_read.hpp"

namespace sluice::gateway {
namespace json = boost::json;

namespace {

Error invalid(std::string param, std::string message) {
  return make_error(Errc::invalid_request, std::move(message), std::move(param), "invalid_value");
}

std::string at(std::size_t index) { return "input[" + std::to_string(index) + "]"; }

// An array of multimodal parts: one input of their texts (joined by newlines) and images.
Result<ModerationInput> multimodal_input(const json::array& parts) {
  ModerationInput input;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const json::object* part = parts[i].if_object();
    if (!part)
      return invalid(at(i), "Invalid '" + at(i) +
                                "': expected a string or a text or image_url part, " +
                                "and the same kind throughout the array.");
    const std::string_view type = core::string_field(*part, "type");
    if (type == "text") {
      const json::value* text = part->if_contains("text");
      if (!text || !text->is_string())
        return invalid(at(i) + ".text", "Invalid '" + at(i) + ".text': expected a string.");
      if (!input.text.empty()) input.text += '\n';
      input.text += text->get_string();
    } else if (type == "image_url") {
      const json::value* image = part->if_contains("image_url");
      const json::object* object = image ? image->if_object() : nullptr;
      if (!object || core::string_field(*object, "url").empty())
        return invalid(at(i) + ".image_url.url",
                       "Invalid '" + at(i) + ".image_url': expected an object with a 'url'.");
      input.has_image = true;
    } else {
      return invalid(at(i) + ".type", "Invalid '" + at(i) + ".type': expected 'text' or " +
                                          "'image_url', got '" + std::string(type) + "'.");
    }
  }
  return input;
}

}  // namespace

Result<std::vector<ModerationInput>> moderation_inputs(const json::object& request) {
  if (const json::value* model = request.if_contains("model"); model && !model->is_null())
    if (!model->is_string() || model->get_string().empty())
      return invalid("model", "Invalid 'model': expected a model name (or none, for " +
                                  std::string(kDefaultModerationModel) + ").");
  const json::value* input = request.if_contains("input");
  if (!input || input->is_null())
    return make_error(Errc::invalid_request, "Missing required parameter: 'input'.", "input",
                      "missing_required_parameter");
  std::vector<ModerationInput> inputs;
  if (input->is_string()) {
    inputs.push_back({std::string(input->get_string()), false});
    return inputs;
  }
  const json::array* list = input->if_array();
  if (!list)
    return invalid("input", "Invalid 'input': expected a string, an array of strings, or an " +
                                std::string("array of text and image_url parts."));
  if (list->empty()) return invalid("input", "Invalid 'input': the array is empty.");
  if (!list->front().is_string()) {
    auto multimodal = multimodal_input(*list);
    if (!multimodal) return multimodal.error();
    inputs.push_back(std::move(*multimodal));
    return inputs;
  }
  inputs.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json::value& item = (*list)[i];
    if (!item.is_string())
      return invalid(
          at(i), "Invalid '" + at(i) + "': expected a string, as the array's first " + "item is.");
    inputs.push_back({std::string(item.get_string()), false});
  }
  return inputs;
}

}  // namespace sluice::gateway
