#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace sluice::cmd {

// A /v1/query response for a terminal: the answer, then its sources numbered as the answer cites
// them ("[n] title > heading (p. N)  {id}" and the snippet), then the model and template version.
std::string render_answer(const boost::json::object& response);

}  // namespace sluice::cmd
