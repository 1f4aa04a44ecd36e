#include "gateway/model_list.hpp"

#include <boost/json.hpp>

namespace sluice::gateway {
namespace json = boost::json;

std::string models_json(const std::vector<std::string>& ids) {
  json::array data;
  for (const auto& id : ids)
    data.push_back(
        json::object{{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "sluice"}});
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace sluice::gateway
