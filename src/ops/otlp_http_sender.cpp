#include "ops/otlp_http_sender.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "http/upstream_client.hpp"

namespace sluice::ops {

namespace {
// A collector's answer is a small ExportTraceServiceResponse; anything longer is not read.
constexpr std::size_t kMaxResponseBytes = 64 * 1024;
}  // namespace

struct OtlpHttpSender::Impl {
  boost::asio::io_context io;
  http::UpstreamEndpoint endpoint;
  std::string target;
  std::string headers;
  std::chrono::milliseconds timeout;
  std::atomic<bool> cancelled{false};
};

SpanSender::Delivery delivery_for_status(int status) {
  using Delivery = SpanSender::Delivery;
  if (status >= 200 && status < 300) return Delivery::ok;
  if (status == 429 || status == 502 || status == 503 || status == 504) return Delivery::retriable;
  return Delivery::rejected;
}

Result<std::unique_ptr<OtlpHttpSender>> OtlpHttpSender::create(
    std::string_view traces_url, std::string headers, std::chrono::milliseconds timeout,
    std::optional<core::ProxyUrl> proxy) {
  auto endpoint = http::UpstreamEndpoint::parse(traces_url);
  if (!endpoint) return endpoint.error();
  endpoint->proxy = std::move(proxy);
  auto impl = std::make_unique<Impl>();
  impl->target = endpoint->base_path.empty() ? "/" : endpoint->base_path;
  impl->endpoint = std::move(*endpoint);
  impl->headers = "Content-Type: application/x-protobuf\r\nUser-Agent: sluice\r\n" + headers;
  impl->timeout = timeout;
  return std::unique_ptr<OtlpHttpSender>(new OtlpHttpSender(std::move(impl)));
}

OtlpHttpSender::OtlpHttpSender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OtlpHttpSender::~OtlpHttpSender() = default;

void OtlpHttpSender::close() { http::close_pooled_connections(); }

void OtlpHttpSender::cancel() {
  impl_->cancelled = true;
  impl_->io.stop();  // thread-safe: run() in send() returns at once, now or when it starts
}

SpanSender::Delivery OtlpHttpSender::send(const std::string& body,
                                          std::chrono::steady_clock::time_point deadline) {
  http::UpstreamRequest request;
  request.target = impl_->target;
  request.headers = impl_->headers;
  request.body = body;
  http::UpstreamTimeouts timeouts;
  timeouts.connect = timeouts.first_byte = timeouts.idle = timeouts.total = impl_->timeout;
  timeouts.request_deadline = deadline;

  Delivery delivery = Delivery::retriable;
  auto exchange = [&]() -> boost::asio::awaitable<void> {
    http::UpstreamCall call;
    if (Status started = co_await call.start(impl_->endpoint, request, timeouts); !started)
      co_return;  // unreachable or timed out: retriable
    auto answer = co_await call.read_all(kMaxResponseBytes);
    delivery = delivery_for_status(call.status());
    if (!answer && delivery == Delivery::ok) delivery = Delivery::retriable;
  };
  if (impl_->cancelled) return Delivery::retriable;
  impl_->io.restart();
  if (impl_->cancelled) return Delivery::retriable;
  auto done = boost::asio::co_spawn(impl_->io, exchange(), boost::asio::use_future);
  impl_->io.run();
  // Stopped by cancel() mid-exchange: the exchange never finishes (its frame goes with the loop).
  if (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    return Delivery::retriable;
  try {
    done.get();
  } catch (const std::exception&) {
    return Delivery::retriable;
  }
  return delivery;
}

}  // namespace sluice::ops
