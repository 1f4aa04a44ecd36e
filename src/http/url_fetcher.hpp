#pragma once
// GET of a client-supplied URL under a FetchPolicy: every hop's host is resolved and all of its
// addresses checked before connecting, the connection goes to the checked address (so a second
// DNS answer cannot swap it: DNS rebinding), each redirect is parsed and checked again, and the
// body is read under the size limit while it arrives, within one deadline for the whole fetch.

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "core/cancellation.hpp"
#include "core/result.hpp"
#include "http/fetch_policy.hpp"
#include "http/fetch_url.hpp"

namespace sluice::http {

struct FetchedBody {
  FetchUrl url;  // the last one, after redirects
  std::string content_type;
  std::string body;
};

// Errors (param "url"): invalid_request for a URL or redirect the policy refuses,
// payload_too_large over policy.max_bytes, gateway_timeout past policy.timeout, bad_gateway when
// the server cannot be reached or answers malformed HTTP, unprocessable for a non-2xx answer.
// `cancellation` (may be null) ends the fetch early.
boost::asio::awaitable<Result<FetchedBody>> fetch_url(std::string_view url,
                                                      const FetchPolicy& policy,
                                                      core::Cancellation* cancellation);

}  // namespace sluice::http
