#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/proxy_url.hpp"
#include "core/result.hpp"
#include "ops/trace_exporter.hpp"

namespace sluice::ops {

// Sends export requests with OTLP/HTTP (binary protobuf, POST to the traces URL) over the
// upstream client, on an event loop of its own that runs only inside send(): the exporter's
// thread is the only one it ever blocks.
class OtlpHttpSender final : public SpanSender {
 public:
  // `traces_url`: the full URL (http:// or https://, path included); `headers`: extra request
  // header lines, each "Name: value\r\n" (a collector's credentials); `timeout`: per request;
  // `proxy`: the egress proxy exports go through (TracingConfig::egress), none = direct.
  static Result<std::unique_ptr<OtlpHttpSender>> create(
      std::string_view traces_url, std::string headers, std::chrono::milliseconds timeout,
      std::optional<core::ProxyUrl> proxy = std::nullopt);
  ~OtlpHttpSender() override;

  Delivery send(const std::string& body, std::chrono::steady_clock::time_point deadline) override;
  void close() override;
  void cancel() override;

 private:
  struct Impl;
  explicit OtlpHttpSender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// OTLP/HTTP's rule: 429, 502, 503 and 504 mean "try again later"; any other failure status is
// final.
SpanSender::Delivery delivery_for_status(int status);

}  // namespace sluice::ops
