#pragma once
// Fetching and reading an upstream's model list (OpenAI's and Anthropic's share a shape:
// {"data":[{"id":...},...]}), bounded so that a huge or hostile list cannot grow memory.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "http/upstream_client.hpp"

namespace sluice::gateway {

inline constexpr std::size_t kMaxUpstreamModels = 1000;  // per provider; the rest are ignored
inline constexpr std::size_t kMaxModelIdLength = 256;    // longer ids are skipped
inline constexpr std::size_t kMaxModelListBytes = 8 << 20;
inline constexpr std::chrono::milliseconds kModelListTimeout{30'000};

// The ids in a model list body: data[].id strings of printable ASCII, at most kMaxModelIdLength
// long, the first kMaxUpstreamModels of them. An error when the body is not such a list.
Result<std::vector<std::string>> parse_model_ids(std::string_view body);

// GETs `request` (its method is set here) and parses the answer; any status but 200 is an error
// naming the provider and the status.
boost::asio::awaitable<Result<std::vector<std::string>>> fetch_model_ids(
    const http::UpstreamEndpoint& endpoint, http::UpstreamRequest request,
    const http::UpstreamTimeouts& timeouts, std::string_view provider);

}  // namespace sluice::gateway
