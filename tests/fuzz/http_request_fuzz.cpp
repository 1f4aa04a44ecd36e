// The bytes a client sends on one connection, read as the server reads them: pipelined requests,
// each through a parser with the server's limits (at their smallest valid values, so that the
// limit paths are reachable), then the fields the connection takes from it (request id,
// traceparent). Read twice, at once and in small reads: the requests must not depend on how the
// bytes arrive.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "fuzz_support.hpp"
#include "http/request_parser.hpp"

namespace {

using namespace sluice;
namespace bhttp = boost::beast::http;

constexpr int kMaxRequestsPerConnection = 8;

const core::ServerConfig& server_config() {
  static const core::ServerConfig config = [] {
    core::ServerConfig c;
    c.max_header_bytes = 1024;  // the smallest values validation accepts
    c.max_body_bytes = 1024;
    return c;
  }();
  return config;
}

// What the server made of one request: the error that ended the connection, or its fields.
struct Outcome {
  boost::system::error_code error;
  std::string method, target, path, query, body, request_id, trace_id;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = false;

  bool operator==(const Outcome&) const = default;
};

Outcome served(http::ParsedRequest& parsed, bool keep_alive) {
  Outcome out;
  http::Request request;
  http::view_request(parsed, request);
  out.method = request.method;
  out.target = request.target;
  out.path = request.path;
  out.query = request.query;
  out.body = request.body;
  for (const auto& [name, value] : request.headers) out.headers.emplace_back(name, value);
  FUZZ_CHECK(out.body.size() <= server_config().max_body_bytes);
  FUZZ_CHECK(out.path.size() + (request.query.data() ? request.query.size() + 1 : 0) ==
             out.target.size());
  const std::string_view id = request.header("x-request-id");
  if (core::is_valid_request_id(id)) out.request_id = id;
  const core::TraceContext trace = core::trace_context_from(request.header("traceparent"));
  FUZZ_CHECK(trace.trace_id.size() == 32 && trace.span_id.size() == 16);
  if (!trace.parent_span_id.empty()) out.trace_id = trace.trace_id;  // random otherwise
  request.has_query_param("verbose");
  out.keep_alive = keep_alive;
  return out;
}

// Reads `input` as arriving `read_size` bytes at a time (0: all at once), as Beast's read loop
// does: the parser consumes what it can of the buffered bytes, the rest waits for more.
std::vector<Outcome> read_connection(std::string_view input, std::size_t read_size) {
  std::vector<Outcome> outcomes;
  std::size_t consumed = 0;  // bytes the parsers took
  std::size_t received = read_size == 0 ? input.size() : std::min(read_size, input.size());
  for (int i = 0; i < kMaxRequestsPerConnection && consumed < input.size(); ++i) {
    http::RequestParser parser;
    http::apply_request_limits(parser, server_config());
    // What the connection sets once the head is routed (here: a route with the small limit).
    parser.body_limit(server_config().max_body_bytes);
    boost::system::error_code ec;
    while (!parser.is_done()) {
      const std::string_view buffered = input.substr(consumed, received - consumed);
      const std::size_t used =
          parser.put(boost::asio::buffer(buffered.data(), buffered.size()), ec);
      consumed += used;
      if (ec == bhttp::error::need_more || (!ec && used == 0)) {
        if (received == input.size()) {  // the client stopped sending
          parser.put_eof(ec);
          break;
        }
        received = std::min(input.size(), received + read_size);
        ec = {};
        continue;
      }
      if (ec) break;
    }
    if (ec || !parser.is_done()) {
      Outcome failed;
      failed.error = ec ? ec : bhttp::error::partial_message;
      outcomes.push_back(std::move(failed));
      break;  // the connection answers the error, if any, and closes
    }
    outcomes.push_back(served(parser.get(), parser.keep_alive()));
    if (!parser.keep_alive()) break;
  }
  return outcomes;
}

// Whether two reads of one connection agree. Beast looks for the end of a head before parsing it
// only once a read left it incomplete, and that search stops a few bytes short of the limit. So a
// head that is malformed and unterminated, or within bytes of the limit, may be read either way
// depending on how the bytes arrived (400, 431, accepted, or no answer to a client that stopped
// sending): from the first request that differs, one side must have failed so.
bool agree(const std::vector<Outcome>& a, const std::vector<Outcome>& b) {
  auto depends_on_reads = [](const boost::system::error_code& ec) {
    return ec == bhttp::error::header_limit || ec == bhttp::error::partial_message;
  };
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (!(a[i] == b[i])) return depends_on_reads(a[i].error) || depends_on_reads(b[i].error);
  return a.size() == b.size();
}

void print(const char* label, const std::vector<Outcome>& outcomes) {
  std::fprintf(stderr, "%s:\n", label);
  for (const Outcome& o : outcomes)
    std::fprintf(stderr, "  error '%s', %s %s, %zu headers, %zu body bytes, keep-alive %d\n",
                 o.error.message().c_str(), o.method.c_str(), o.target.c_str(), o.headers.size(),
                 o.body.size(), o.keep_alive);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::text(data, size);
  const std::vector<Outcome> at_once = read_connection(input, 0);
  const std::vector<Outcome> in_pieces = read_connection(input, 1 + size % 29);
  if (!agree(at_once, in_pieces)) {
    print("read at once", at_once);
    print("read in pieces", in_pieces);
  }
  FUZZ_CHECK(agree(at_once, in_pieces));
  return 0;
}
