#pragma once
// Calls of the document API for integration tests: JSON in, parsed JSON out, and waiting for a
// condition by polling the API.

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "support/http_client.hpp"

namespace sluice::testing {

struct JsonResponse {
  int status = 0;
  boost::json::object body;
  std::string raw;
};

inline JsonResponse call(int port, std::string_view method, std::string_view target,
                         std::string_view body = {},
                         std::string_view headers = "Content-Type: application/json\r\n") {
  JsonResponse out;
  auto response = http_request(port, method, target, body, headers);
  if (!response) return out;
  out.status = response->status;
  out.raw = response->body;
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(response->body, ec);
  if (!ec && value.is_object()) out.body = value.as_object();
  return out;
}

inline JsonResponse post_json(int port, std::string_view target, const boost::json::object& body) {
  return call(port, "POST", target, boost::json::serialize(body));
}

// A multipart/form-data body: (name, filename, content type, value) per part.
struct FormPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::string value;
};
inline constexpr std::string_view kFormBoundary = "sluice-test-boundary-7f3a";
inline std::string form_body(const std::vector<FormPart>& parts) {
  std::string body;
  for (const FormPart& part : parts) {
    body += "--" + std::string(kFormBoundary) + "\r\nContent-Disposition: form-data; name=\"" +
            part.name + "\"";
    if (!part.filename.empty()) body += "; filename=\"" + part.filename + "\"";
    body += "\r\n";
    if (!part.content_type.empty()) body += "Content-Type: " + part.content_type + "\r\n";
    body += "\r\n" + part.value + "\r\n";
  }
  return body + "--" + std::string(kFormBoundary) + "--\r\n";
}
inline JsonResponse post_form(int port, std::string_view target,
                              const std::vector<FormPart>& parts) {
  return call(port, "POST", target, form_body(parts),
              "Content-Type: multipart/form-data; boundary=" + std::string(kFormBoundary) + "\r\n");
}

inline int64_t int_field(const boost::json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_int64() ? it->value().as_int64() : -1;
}
inline std::string string_field(const boost::json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                       : std::string();
}

// Polls `condition` until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace sluice::testing
