// OWASP API Security Top 10 (2023), API7 Server Side Request Forgery: documents fetched from a
// client's URL never reach loopback, private, link-local or metadata addresses, in any notation,
// through a name or through a redirect, unless the operator allowed them.
#include <boost/json/object.hpp>

#include "support/canned_server.hpp"
#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;

JsonResponse ingest_url(int port, const std::string& url, const std::string& collection = "web") {
  return post_json(port, "/v1/collections/" + collection + "/documents", {{"url", url}});
}

std::string error_field(const JsonResponse& response, const char* field) {
  const json::value* error = response.body.if_contains("error");
  if (!error || !error->is_object()) return {};
  const json::value* value = error->as_object().if_contains(field);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// A server whose configuration file is `file`; "web" is its default collection.
std::unique_ptr<SluiceProcess> start_with_config(const TempFile& file) {
  return start_server({{"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"},
                       {"SLUICE_RAG__DEFAULT_COLLECTION", "web"},
                       {"SLUICE_RAG__MAX_DOCUMENT_BYTES", "64KiB"}},
                      {"--config", file.path()});
}

class OwaspApi7ServerSideRequestForgery : public ::testing::Test {
 protected:
  CannedServer site_{{
      {"/guide.md",
       CannedServer::response(200, "text/markdown", "# Fetched guide\n\nThe fetched marker.\n")},
      {"/hop", CannedServer::response(302, "text/plain", "", "Location: /guide.md\r\n")},
      {"/to-metadata",
       CannedServer::response(302, "text/plain", "",
                              "Location: http://169.254.169.254/latest/meta-data/\r\n")},
      {"/to-ipv6-loopback",
       CannedServer::response(302, "text/plain", "", "Location: http://[::1]/secret\r\n")},
      {"/to-file",
       CannedServer::response(302, "text/plain", "", "Location: file:///etc/passwd\r\n")},
      {"/loop", CannedServer::response(302, "text/plain", "", "Location: /loop\r\n")},
      {"/big", CannedServer::response(200, "text/plain", std::string(100 * 1024, 'x'))},
      {"/image.png", CannedServer::response(200, "image/png", "\x89PNG")},
  }};
};

TEST_F(OwaspApi7ServerSideRequestForgery, RefusesInternalAddressesInEveryNotation) {
  TempFile config("rag:\n  url_ingest:\n    enabled: true\n");
  auto server = start_with_config(config);
  const std::string port = std::to_string(site_.port());
  const std::string denied[] = {
      "http://127.0.0.1:" + port + "/guide.md",
      "http://localhost:" + port + "/guide.md",  // a name that resolves to loopback
      "http://10.0.0.1/",
      "http://172.16.0.1/",
      "http://192.168.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]:" + port + "/guide.md",
      "http://[fc00::1]/",
      "http://[fe80::1]/",
      "http://[::ffff:127.0.0.1]:" + port + "/guide.md",
      "http://2130706433:" + port + "/guide.md",
      "http://0x7f.1:" + port + "/guide.md",
      "http://0177.0.0.1:" + port + "/guide.md",
      "http://0.0.0.0:" + port + "/guide.md",
  };
  for (const std::string& url : denied) {
    const JsonResponse refused = ingest_url(server->port(), url);
    EXPECT_EQ(refused.status, 400) << url << ": " << refused.raw;
    EXPECT_EQ(error_field(refused, "code"), "url_not_allowed") << url << ": " << refused.raw;
    EXPECT_EQ(error_field(refused, "param"), "url") << url;
    EXPECT_EQ(error_field(refused, "type"), "invalid_request_error") << url;
  }
  for (const char* url : {"file:///etc/passwd", "gopher://127.0.0.1:6379/_", "ftp://example.com/",
                          "http://user:secret@example.com/", "not a url"}) {
    const JsonResponse refused = ingest_url(server->port(), url);
    EXPECT_EQ(refused.status, 400) << url << ": " << refused.raw;
    EXPECT_EQ(error_field(refused, "code"), "invalid_url") << url << ": " << refused.raw;
  }
  EXPECT_EQ(site_.hits("/guide.md"), 0) << "a refused URL must never be requested";
}

TEST_F(OwaspApi7ServerSideRequestForgery, AnAllowListedServerIsFetchedButItsRedirectsAreChecked) {
  TempFile config("rag:\n  url_ingest:\n    allow_cidrs: [127.0.0.0/8]\n    max_redirects: 3\n");
  auto server = start_with_config(config);
  const int port = server->port();

  const JsonResponse accepted = ingest_url(port, site_.url("/hop"));
  ASSERT_EQ(accepted.status, 202) << accepted.raw;
  const std::string id(accepted.body.at("document_id").as_string());
  JsonResponse document;
  ASSERT_TRUE(eventually([&] {
    document = call(port, "GET", "/v1/collections/web/documents/" + id);
    return document.status == 200 && document.body.at("status").as_string() != "pending";
  }));
  EXPECT_EQ(document.body.at("status").as_string(), "indexed") << document.raw;
  EXPECT_EQ(document.body.at("source_name").as_string(), "guide.md") << document.raw;
  EXPECT_EQ(document.body.at("title").as_string(), "Fetched guide") << document.raw;
  EXPECT_EQ(site_.hits("/guide.md"), 1);

  for (const char* path : {"/to-metadata", "/to-ipv6-loopback"}) {
    const JsonResponse refused = ingest_url(port, site_.url(path));
    EXPECT_EQ(refused.status, 400) << path << ": " << refused.raw;
    EXPECT_EQ(error_field(refused, "code"), "url_not_allowed") << path << ": " << refused.raw;
    EXPECT_EQ(site_.hits(path), 1) << path;
  }
  const JsonResponse to_file = ingest_url(port, site_.url("/to-file"));
  EXPECT_EQ(to_file.status, 400) << to_file.raw;
  EXPECT_EQ(error_field(to_file, "code"), "invalid_url");

  const JsonResponse loop = ingest_url(port, site_.url("/loop"));
  EXPECT_EQ(loop.status, 400) << loop.raw;
  EXPECT_NE(error_field(loop, "message").find("rag.url_ingest.max_redirects"), std::string::npos)
      << loop.raw;
  EXPECT_EQ(site_.hits("/loop"), 4) << "the first request and three redirects";

  const JsonResponse big = ingest_url(port, site_.url("/big"));
  EXPECT_EQ(big.status, 413) << big.raw;
  EXPECT_NE(error_field(big, "message").find("rag.max_document_bytes"), std::string::npos);
  EXPECT_EQ(ingest_url(port, site_.url("/image.png")).status, 422);
  const JsonResponse missing = ingest_url(port, site_.url("/missing"));
  EXPECT_EQ(missing.status, 422) << missing.raw;
  EXPECT_NE(error_field(missing, "message").find("404"), std::string::npos);
}

TEST_F(OwaspApi7ServerSideRequestForgery, URLIngestionCanBeTurnedOff) {
  TempFile config("rag:\n  url_ingest:\n    enabled: false\n    allow_cidrs: [127.0.0.0/8]\n");
  auto server = start_with_config(config);
  const JsonResponse refused = ingest_url(server->port(), site_.url("/guide.md"));
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_NE(error_field(refused, "message").find("rag.url_ingest.enabled"), std::string::npos);
  EXPECT_EQ(site_.hits("/guide.md"), 0);
}

}  // namespace
}  // namespace sluice::testing
