#pragma once
// OpenAI's model `list` and model objects, for /v1/models.

#include <string>
#include <string_view>
#include <vector>

namespace sluice::gateway {

// A model id as /v1/models shows it, and who serves it.
struct ListedModel {
  std::string id;
  std::string owned_by;
};

std::string model_json(const ListedModel& model);
std::string model_list_json(const std::vector<ListedModel>& models);
// A list of ids all owned by "sluice".
std::string models_json(const std::vector<std::string>& ids);

}  // namespace sluice::gateway
