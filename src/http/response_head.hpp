#pragma once

#include <string>
#include <string_view>

#include "http/exchange.hpp"

namespace sluice::http {

enum class BodyFraming { content_length, chunked, until_close };

// Serializes the status line and headers of `response` into `out` (cleared first). `date` is the
// cached "Date: ...\r\n" line. x-request-id is always sent.
void write_response_head(std::string& out, const Response& response, std::string_view date,
                         std::string_view request_id, BodyFraming framing, bool keep_alive,
                         bool http10);

// "Date: <IMF-fixdate>\r\n" for `unix_seconds`.
std::string http_date_line(long long unix_seconds);

std::string_view reason_phrase(int status);

}  // namespace sluice::http
