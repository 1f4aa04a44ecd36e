#include "cmd/answer_text.hpp"

#include <boost/json.hpp>

namespace sluice::cmd {
namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

long long number_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<long long>() : 0;
}

}  // namespace

std::string render_answer(const json::object& response) {
  std::string out = text_of(response, "answer") + "\n";
  const json::value* citations = response.if_contains("citations");
  if (citations && citations->is_array() && !citations->get_array().empty()) {
    out += "\nSources:\n";
    for (const json::value& v : citations->get_array()) {
      if (!v.is_object()) continue;
      const json::object& c = v.get_object();
      std::string source = text_of(c, "title");
      if (const std::string heading = text_of(c, "heading_path"); !heading.empty())
        source += (source.empty() ? "" : " > ") + heading;
      if (const long long page = number_of(c, "page"); page > 0)
        source += " (p. " + std::to_string(page) + ")";
      std::string id = text_of(c, "id");
      if (id.empty()) id = text_of(c, "document_id");
      out += "  [" + std::to_string(number_of(c, "index")) + "] " + source + "  {" + id + "}\n";
      if (const std::string snippet = text_of(c, "snippet"); !snippet.empty())
        out += "      " + snippet + "\n";
    }
  }
  out += "\n(" + text_of(response, "model");
  if (const json::value* cached = response.if_contains("cached");
      cached && cached->is_bool() && cached->get_bool())
    out += ", cached";
  out += ", " + text_of(response, "template_version") + ")\n";
  return out;
}

}  // namespace sluice::cmd
