#pragma once
// OpenAI's model `list` and model objects, for /v1/models.

#include <string>
#include <string_view>
#include <vector>

namespace sluice::gateway {

std::string models_json(const std::vector<std::string>& ids);

}  // namespace sluice::gateway
