// Answers over HTTP: /v1/query (JSON and SSE), the cache, sessions, the /query alias, the
// rag/<collection> chat model and the ingest/query CLI, against documents ingested for real.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "support/mock_fixture.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object parse_object(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return !ec && v.is_object() ? v.get_object() : json::object{};
}

std::optional<HttpResponse> post_json(int port, std::string_view target, const json::value& body) {
  return http_request(port, "POST", target, json::serialize(body),
                      "Content-Type: application/json\r\n", 30s);
}

class RagAnswersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = start_server(
        {{"SLUICE_RAG__DEFAULT_COLLECTION", "docs"}, {"SLUICE_RAG__INDEX_FOLLOW", "50ms"}});
    port_ = server_->port();
    auto created = post_json(port_, "/v1/collections", json::object{{"name", "docs"}});
    ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "no answer");
    ingest("install.md", "Install guide",
           "# Installing\n\nSluice installs from the Debian package with apt. The package "
           "starts a service on port 8080.\n");
    ingest("faq.md", "FAQ",
           "# Questions\n\nSluice answers questions with numbered citations. Answers are "
           "cached until the collection changes.\n");
  }

  // Uploads a document, waits for its job and for search to see it.
  void ingest(const std::string& id, const std::string& title, const std::string& text) {
    auto put = post_json(
        port_, "/v1/collections/docs/documents",
        json::object{{"id", id}, {"title", title}, {"text", text}, {"format", "markdown"}});
    ASSERT_TRUE(put && put->status == 202) << (put ? put->body : "no answer");
    const std::string job(parse_object(put->body).at("job_id").as_string());
    ASSERT_TRUE(eventually(
        [&] {
          auto state = http_request(port_, "GET", "/v1/jobs/" + job);
          return state && contains(state->body, "\"state\":\"succeeded\"");
        },
        20s))
        << server_->output();
    ASSERT_TRUE(eventually(
        [&] {
          auto found = post_json(port_, "/v1/collections/docs/search",
                                 json::object{{"query", title}, {"top_k", 5}});
          return found && found->status == 200 && contains(found->body, id);
        },
        20s));
  }

  json::object query(const json::object& body, int expected_status = 200) {
    auto response = post_json(port_, "/v1/query", body);
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, expected_status) << response->body;
    return parse_object(response->body);
  }

  double metric(const std::string& series) {
    auto metrics = http_request(port_, "GET", "/metrics");
    if (!metrics) return -1;
    const std::string line = "\n" + series + " ";
    const auto at = metrics->body.find(line);
    return at == std::string::npos ? 0 : std::stod(metrics->body.substr(at + line.size()));
  }

  std::unique_ptr<SluiceProcess> server_;
  int port_ = 0;
};

TEST_F(RagAnswersTest, QueryAnswersWithCitations) {
  const auto answer = query({{"question", "How does Sluice install?"}, {"collection", "docs"}});
  EXPECT_EQ(answer.at("model").as_string(), "extractive");
  EXPECT_EQ(answer.at("template_version").as_string(), "rag-v1");
  EXPECT_FALSE(answer.at("cached").as_bool());
  EXPECT_TRUE(answer.at("request_id").is_string());
  EXPECT_TRUE(contains(std::string(answer.at("answer").as_string()), "apt"));
  const auto& citations = answer.at("citations").as_array();
  ASSERT_FALSE(citations.empty());
  const auto& first = citations.at(0).as_object();
  EXPECT_EQ(first.at("id").as_string(), "install.md");
  EXPECT_EQ(first.at("title").as_string(), "Install guide");
  EXPECT_EQ(first.at("heading_path").as_string(), "Installing");
  for (const char* key : {"index", "document_id", "chunk_id", "page", "snippet", "score"})
    EXPECT_TRUE(first.contains(key)) << key;
  EXPECT_TRUE(
      eventually([&] { return contains(server_->output(), "\"template_version\":\"rag-v1\""); }));
}

TEST_F(RagAnswersTest, RepeatIsCachedUntilAnIngest) {
  const json::object ask{{"question", "What are citations?"}};
  EXPECT_FALSE(query(ask).at("cached").as_bool());
  EXPECT_TRUE(query({{"question", "what are   CITATIONS?"}}).at("cached").as_bool());
  EXPECT_EQ(metric("rag_cache_hits_total"), 1);
  EXPECT_EQ(metric("rag_queries_total{status=\"cached\"}"), 1);
  ingest("more.md", "More notes", "# Notes\n\nCitations point at passages.\n");
  EXPECT_FALSE(query(ask).at("cached").as_bool());
}

TEST_F(RagAnswersTest, StreamingQuerySendsCitationsDeltasThenTheEnd) {
  auto response = post_json(
      port_, "/v1/query", json::object{{"question", "How does Sluice install?"}, {"stream", true}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(contains(response->header("content-type"), "text/event-stream"));
  const std::string& body = response->body;
  const auto citations = body.find("event: citations\ndata: ");
  const auto delta = body.find("event: delta\ndata: ");
  const auto done = body.find("event: done\ndata: ");
  ASSERT_NE(citations, std::string::npos) << body;
  ASSERT_NE(delta, std::string::npos) << body;
  ASSERT_NE(done, std::string::npos) << body;
  EXPECT_LT(citations, delta);
  EXPECT_LT(delta, done);
  EXPECT_TRUE(body.ends_with("data: [DONE]\n\n")) << body;
  EXPECT_TRUE(contains(body.substr(done), "\"usage\""));
}

TEST_F(RagAnswersTest, SessionsRoundTrip) {
  auto created = post_json(port_, "/v1/sessions", json::object{{"collection", "docs"}});
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
  const auto session = parse_object(created->body);
  EXPECT_EQ(session.at("object").as_string(), "session");
  const std::string id(session.at("id").as_string());
  query({{"question", "How does Sluice install?"}, {"session_id", id}});
  const auto second = query({{"question", "which port?"}, {"session_id", id}});
  EXPECT_EQ(second.at("session_id").as_string(), id);
  EXPECT_FALSE(second.at("citations").as_array().empty());

  auto got = http_request(port_, "GET", "/v1/sessions/" + id);
  ASSERT_TRUE(got && got->status == 200);
  const auto messages = parse_object(got->body).at("messages").as_array();
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages.at(0).at("content").as_string(), "How does Sluice install?");
  EXPECT_EQ(messages.at(1).at("role").as_string(), "assistant");
  EXPECT_FALSE(messages.at(1).at("citations").as_array().empty());

  auto removed = http_request(port_, "DELETE", "/v1/sessions/" + id);
  ASSERT_TRUE(removed && removed->status == 200);
  EXPECT_EQ(http_request(port_, "GET", "/v1/sessions/" + id)->status, 404);
  const auto gone = query({{"question", "q"}, {"session_id", id}}, 404);
  EXPECT_EQ(gone.at("error").at("param").as_string(), "session_id");
}

TEST_F(RagAnswersTest, OriginalQueryAliasUsesTheDefaultCollection) {
  auto response =
      post_json(port_, "/query", json::object{{"question", "How does Sluice install?"}});
  ASSERT_TRUE(response && response->status == 200) << (response ? response->body : "");
  const auto answer = parse_object(response->body);
  EXPECT_FALSE(answer.at("citations").as_array().empty());
  EXPECT_EQ(answer.at("template_version").as_string(), "rag-v1");
}

TEST_F(RagAnswersTest, ErrorsAreOpenAIShapedAndNameTheField) {
  EXPECT_EQ(
      query({{"question", "q"}, {"collection", "nope"}}, 404).at("error").at("param").as_string(),
      "collection");
  EXPECT_EQ(query({{"question", 3}}, 400).at("error").at("param").as_string(), "question");
  EXPECT_EQ(query({{"question", "q"}, {"top_k", 1000}}, 400).at("error").at("param").as_string(),
            "top_k");
  EXPECT_EQ(metric("rag_queries_total{status=\"error\"}"), 2);  // the type error never asked
}

TEST_F(RagAnswersTest, RagModelAnswersChatCompletions) {
  const json::object chat{
      {"model", "rag/docs"},
      {"messages",
       json::array{json::object{{"role", "user"}, {"content", "How does Sluice install?"}}}}};
  auto response = post_json(port_, "/v1/chat/completions", chat);
  ASSERT_TRUE(response && response->status == 200) << (response ? response->body : "");
  const auto completion = parse_object(response->body);
  EXPECT_EQ(completion.at("object").as_string(), "chat.completion");
  EXPECT_EQ(completion.at("model").as_string(), "rag/docs");
  EXPECT_TRUE(contains(
      std::string(completion.at("choices").at(0).at("message").at("content").as_string()), "apt"));
  EXPECT_FALSE(completion.at("citations").as_array().empty());

  json::object streamed = chat;
  streamed["stream"] = true;
  auto stream = post_json(port_, "/v1/chat/completions", streamed);
  ASSERT_TRUE(stream && stream->status == 200);
  EXPECT_TRUE(contains(stream->body, "\"object\":\"chat.completion.chunk\""));
  EXPECT_TRUE(contains(stream->body, "\"citations\":[{"));
  EXPECT_TRUE(contains(stream->body, "\"finish_reason\":\"stop\""));
  EXPECT_TRUE(stream->body.ends_with("data: [DONE]\n\n"));
}

// OpenAI clients discover rag/<collection> models like any other.
TEST_F(RagAnswersTest, RagModelsAreListed) {
  auto list = http_request(port_, "GET", "/v1/models", "", "", 10s);
  ASSERT_TRUE(list && list->status == 200);
  bool listed = false;
  const json::object listing = parse_object(list->body);
  for (const json::value& model : listing.at("data").as_array())
    listed = listed || model.at("id").as_string() == "rag/docs";
  EXPECT_TRUE(listed) << list->body;

  for (const char* target : {"/v1/models/rag/docs", "/v1/models/rag%2Fdocs"}) {
    auto one = http_request(port_, "GET", target, "", "", 10s);
    ASSERT_TRUE(one && one->status == 200) << target << " " << (one ? one->body : "");
    EXPECT_EQ(parse_object(one->body).at("id").as_string(), "rag/docs");
  }
  auto missing = http_request(port_, "GET", "/v1/models/rag/absent", "", "", 10s);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(contains(missing->body, "model_not_found")) << missing->body;
}

TEST_F(RagAnswersTest, CliIngestsAFolderAndQueries) {
  const std::string dir = make_temp_dir();
  std::filesystem::create_directories(dir + "/guide");
  std::ofstream(dir + "/guide/tea.md") << "# Tea\n\nGreen tea steeps for two minutes.\n";
  std::ofstream(dir + "/coffee.txt") << "Espresso needs finely ground coffee.\n";
  const std::string url = "http://127.0.0.1:" + std::to_string(port_);
  auto ingested = run_sluice({"ingest", dir, "--collection", "drinks", "--url", url}, {}, 60s);
  EXPECT_EQ(ingested.exit_code, 0) << ingested.output;
  EXPECT_TRUE(contains(ingested.output, "uploaded 2, unchanged 0, failed 0")) << ingested.output;
  auto again = run_sluice({"ingest", dir, "--collection", "drinks", "--url", url}, {}, 60s);
  EXPECT_TRUE(contains(again.output, "uploaded 0, unchanged 2, failed 0")) << again.output;

  RunResult asked;
  ASSERT_TRUE(eventually(
      [&] {
        asked = run_sluice(
            {"query", "how long does green tea steep?", "--collection", "drinks", "--url", url});
        return asked.exit_code == 0 && contains(asked.output, "Sources:");
      },
      20s))
      << asked.output;
  EXPECT_TRUE(contains(asked.output, "two minutes")) << asked.output;
  EXPECT_TRUE(contains(asked.output, "[1] ")) << asked.output;
  auto raw = run_sluice({"query", "espresso", "--collection", "drinks", "--url", url, "--json"});
  EXPECT_TRUE(contains(raw.output, "\"template_version\":\"rag-v1\"")) << raw.output;
  std::filesystem::remove_all(dir);
}

// Uploads run several at a time: every file of a larger folder arrives exactly once, and a file
// the server refuses fails alone without stopping the others.
TEST_F(RagAnswersTest, CliUploadsManyFilesInParallel) {
  const std::string dir = make_temp_dir();
  constexpr int kFiles = 24;
  for (int i = 0; i < kFiles; ++i)
    std::ofstream(dir + "/note" + std::to_string(i) + ".md")
        << "# Note " << i << "\n\nParallel upload marker" << i << ".\n";
  std::ofstream(dir + "/empty.txt");  // no text: refused
  const std::string url = "http://127.0.0.1:" + std::to_string(port_);
  auto ingested = run_sluice({"ingest", dir, "--collection", "notes", "--url", url}, {}, 60s);
  EXPECT_EQ(ingested.exit_code, 1) << ingested.output;
  EXPECT_TRUE(contains(ingested.output, "uploaded 24, unchanged 0, failed 1")) << ingested.output;
  EXPECT_TRUE(contains(ingested.output, "failed " + dir + "/empty.txt")) << ingested.output;
  auto collection = http_request(port_, "GET", "/v1/collections/notes", "", "", 10s);
  ASSERT_TRUE(collection && collection->status == 200);
  EXPECT_EQ(parse_object(collection->body).at("document_count").as_int64(), kFiles);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::testing
