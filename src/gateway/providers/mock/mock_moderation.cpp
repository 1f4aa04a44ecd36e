#include "gateway/providers/mock/mock_moderation.hpp"

#include <boost/json.hpp>
#include <cstdio>

#include "core/fnv1a.hpp"
#include "gateway/moderation/moderation_request.hpp"
#include "gateway/providers/mock/mock_embedding.hpp"

namespace sluice::gateway {
namespace json = boost::json;

namespace {

struct Category {
  std::string_view name;
  bool applies_to_images;
};

// omni-moderation's categories, and those it also judges images for.
constexpr Category kCategories[] = {
    {"harassment", false},
    {"harassment/threatening", false},
    {"hate", false},
    {"hate/threatening", false},
    {"illicit", false},
    {"illicit/violent", false},
    {"self-harm", true},
    {"self-harm/intent", true},
    {"self-harm/instructions", true},
    {"sexual", true},
    {"sexual/minors", false},
    {"violence", true},
    {"violence/graphic", true},
};
constexpr std::string_view kFlaggedCategory = "violence";

// Whether `text` has the marker as a word of its own, in any case.
bool has_marker(std::string_view text) {
  for (const std::string& word : mock_words(text))
    if (word == kMockModerationMarker) return true;
  return false;
}

json::object result_for(const ModerationInput& input) {
  const bool flagged = has_marker(input.text);
  json::object categories, scores, applied;
  for (const Category& category : kCategories) {
    const bool hit = flagged && category.name == kFlaggedCategory;
    categories[category.name] = hit;
    scores[category.name] = hit ? 0.97 : 0.0001;
    json::array types;
    if (!input.text.empty() || !input.has_image) types.emplace_back("text");
    if (input.has_image && category.applies_to_images) types.emplace_back("image");
    applied[category.name] = std::move(types);
  }
  return {{"flagged", flagged},
          {"categories", std::move(categories)},
          {"category_scores", std::move(scores)},
          {"category_applied_input_types", std::move(applied)}};
}

}  // namespace

std::string mock_moderation_json(const json::object& request, std::string_view model) {
  json::array results;
  if (auto inputs = moderation_inputs(request))
    for (const ModerationInput& input : *inputs) results.push_back(result_for(input));
  // The same request gets the same id.
  char id[24];
  std::snprintf(
      id, sizeof id, "modr-%016llx",
      static_cast<unsigned long long>(core::fnv1a(json::serialize(request), kMockHashBasis)));
  return json::serialize(
      json::object{{"id", id}, {"model", model}, {"results", std::move(results)}});
}

}  // namespace sluice::gateway
