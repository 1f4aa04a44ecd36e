#include "gateway/model_list.hpp"

#include <boost/json.hpp>

namespace sluice::gateway {
namespace json = boost::json;

namespace {

json::object model_object(const ListedModel& model) {
  return {{"id", model.id}, {"object", "model"}, {"created", 0}, {"owned_by", model.owned_by}};
}

}  // namespace

std::string model_json(const ListedModel& model) { return json::serialize(model_object(model)); }

std::string model_list_json(const std::vector<ListedModel>& models) {
  json::array data;
  data.reserve(models.size());
  for (const auto& model : models) data.push_back(model_object(model));
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

std::string models_json(const std::vector<std::string>& ids) {
  std::vector<ListedModel> models;
  models.reserve(ids.size());
  for (const auto& id : ids) models.push_back({id, "sluice"});
  return model_list_json(models);
}

}  // namespace sluice::gateway
