// POST /v1/collections/{c}/search against the real binary, over a store the test fills itself
// (as an ingest worker in another process would), across restarts from a snapshot and from a
// snapshot the store has moved past.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <filesystem>
#include <thread>

#include "store/sqlite/sqlite_store.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    auto opened = store::open_sqlite_store(dir_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened.value());
    collection_ = *store_->collections().create("manuals", "english", "");
  }

  // A document with one chunk per text, committed as an ingest worker would.
  std::string put(const std::string& title, const std::vector<std::string>& texts,
                  const std::string& external_id = {},
                  const std::vector<std::vector<float>>& embeddings = {},
                  const std::string& collection_id = {}) {
    store::NewDocument doc;
    doc.title = title;
    doc.external_id = external_id;
    doc.media_type = "text/plain";
    doc.bytes = title + std::to_string(texts.size()) + texts.front();
    auto put = store_->documents().put_document(
        collection_id.empty() ? collection_.id : collection_id, doc);
    EXPECT_TRUE(put.ok());
    std::vector<store::Chunk> chunks;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      store::Chunk chunk;
      chunk.ordinal = static_cast<int>(i);
      chunk.text = texts[i];
      chunk.heading_path = "Setup > Network";
      chunk.page = 7;
      if (i < embeddings.size()) chunk.embedding = embeddings[i];
      chunks.push_back(chunk);
    }
    EXPECT_TRUE(store_->documents().replace_chunks(put->doc.id, put->doc.version, chunks).ok());
    return put->doc.id;
  }

  // Ingestion workers are off unless `env` turns them on: the chunks the test commits itself
  // would otherwise be replaced by a worker's own ingest of the document's body.
  std::unique_ptr<SluiceProcess> start(Env env = {}) {
    env.emplace("SLUICE_STORAGE__DATA_DIR", dir_);
    env.emplace("SLUICE_RAG__INDEX_FOLLOW", "100ms");
    env.emplace("SLUICE_RAG__WORKERS", "0");
    env.emplace("SLUICE_SHUTDOWN__DRAIN_DELAY", "0s");
    auto server = start_server(env);
    EXPECT_TRUE(wait_until([&] {
      auto ready = http_request(server->port(), "GET", "/readyz");
      return ready && ready->status == 200;
    })) << server->output();
    return server;
  }

  static void stop(SluiceProcess& server) {
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(std::chrono::seconds(10)), 0) << server.output();
  }

  static bool wait_until(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  static std::optional<HttpResponse> post(int port, const std::string& path,
                                          const std::string& body) {
    return http_request(port, "POST", path, body, "Content-Type: application/json\r\n");
  }

  static std::optional<HttpResponse> search(int port, const std::string& body,
                                            const std::string& collection = "manuals") {
    return http_request(port, "POST", "/v1/collections/" + collection + "/search", body,
                        "Content-Type: application/json\r\n");
  }

  static json::object results(int port, const std::string& query) {
    auto response = search(port, R"({"query":")" + query + R"("})");
    EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "");
    return response ? json::parse(response->body).as_object() : json::object{};
  }

  static std::size_t hit_count(int port, const std::string& query) {
    return results(port, query).at("data").as_array().size();
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  store::Collection collection_;
};

TEST_F(SearchTest, FindsChunksWithTheirCitationFieldsAndValidatesRequests) {
  put("Router manual", {"Configure the firewall before exposing the admin port."}, "router-1");
  put("Printer manual", {"Replace the toner cartridge when pages fade."});
  auto server = start();

  json::object found = results(server->port(), "firewall");
  EXPECT_EQ(json::serialize(found.at("modes")), R"(["bm25"])");
  EXPECT_EQ(found.at("object"), "list");
  EXPECT_EQ(found.at("index_version").as_int64(),
            store_->collections().get(collection_.id)->change_seq);
  ASSERT_EQ(found.at("data").as_array().size(), 1u);
  const json::object& hit = found.at("data").as_array()[0].as_object();
  EXPECT_EQ(hit.at("title"), "Router manual");
  EXPECT_EQ(hit.at("id"), "router-1");
  EXPECT_EQ(hit.at("heading_path"), "Setup > Network");
  EXPECT_EQ(hit.at("page").as_int64(), 7);
  EXPECT_EQ(hit.at("snippet"), "Configure the firewall before exposing the admin port.");
  EXPECT_EQ(hit.at("ranks").at("bm25").as_int64(), 1);
  EXPECT_TRUE(hit.at("ranks").at("dense").is_null());

  const auto dense = search(server->port(), R"({"query":"x","mode":"dense"})");
  EXPECT_EQ(dense->status, 400);
  EXPECT_EQ(json::parse(dense->body).at("error").at("param"), "mode");
  const auto bad_top_k = search(server->port(), R"({"query":"x","top_k":0})");
  EXPECT_EQ(bad_top_k->status, 400);
  EXPECT_EQ(json::parse(bad_top_k->body).at("error").at("param"), "top_k");
  const auto no_query = search(server->port(), R"({"top_k":3})");
  EXPECT_EQ(json::parse(no_query->body).at("error").at("param"), "query");
  EXPECT_EQ(search(server->port(), R"({"query":"x"})", "nowhere")->status, 404);
  const auto filtered = search(
      server->port(), R"({"query":"firewall toner","filters":{"document_ids":["router-1"]}})");
  EXPECT_EQ(json::parse(filtered->body).at("data").as_array().size(), 1u);

  auto metrics = http_request(server->port(), "GET", "/metrics");
  EXPECT_NE(metrics->body.find("sluice_index_chunks 2"), std::string::npos);
  EXPECT_NE(metrics->body.find("sluice_index_collections_loading 0"), std::string::npos);
  EXPECT_NE(metrics->body.find("rag_retrieval_duration_seconds_count{mode=\"bm25\"}"),
            std::string::npos);
  stop(*server);
}

TEST_F(SearchTest, FollowsChangesMadeByAnotherProcess) {
  const std::string doc = put("Router manual", {"firewall rules"});
  auto server = start();
  ASSERT_EQ(hit_count(server->port(), "firewall"), 1u);
  put("Switch manual", {"vlan tagging"});
  EXPECT_TRUE(wait_until([&] { return hit_count(server->port(), "vlan") == 1; }));
  ASSERT_TRUE(store_->documents().remove(doc).ok());
  EXPECT_TRUE(wait_until([&] { return hit_count(server->port(), "firewall") == 0; }));
  stop(*server);
}

TEST_F(SearchTest, RestartsFromItsSnapshotAndRebuildsFromAStaleOne) {
  put("Router manual", {"firewall rules"});
  auto first = start();
  stop(*first);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/indexes/" + collection_.id + ".catalog"));

  auto second = start();
  EXPECT_EQ(hit_count(second->port(), "firewall"), 1u);
  EXPECT_NE(second->output().find(R"("from":"snapshot")"), std::string::npos) << second->output();
  stop(*second);

  put("Switch manual", {"vlan tagging"});  // the store moves past the snapshot
  auto third = start();
  EXPECT_NE(third->output().find("index snapshot ignored"), std::string::npos) << third->output();
  EXPECT_EQ(hit_count(third->port(), "vlan"), 1u);
  EXPECT_EQ(hit_count(third->port(), "firewall"), 1u);
  stop(*third);
}

TEST_F(SearchTest, HybridByDefaultWhenTheCollectionHasAnEmbeddingModel) {
  auto upstream = start_mock_upstream();  // an OpenAI-compatible embeddings API
  auto server =
      start({{"OPENAI_BASE_URL", "http://127.0.0.1:" + std::to_string(upstream->port()) + "/v1"},
             {"OPENAI_API_KEY", "sk-test"}});
  const std::string model = "text-embedding-3-small";
  auto embedded = post(server->port(), "/v1/embeddings",
                       R"({"model":")" + model + R"(","input":["alpha beta","gamma delta"]})");
  ASSERT_EQ(embedded->status, 200) << embedded->body;
  std::vector<std::vector<float>> vectors;
  const json::value parsed = json::parse(embedded->body);
  for (const json::value& item : parsed.at("data").as_array()) {
    std::vector<float> vector;
    for (const json::value& x : item.at("embedding").as_array())
      vector.push_back(static_cast<float>(x.to_number<double>()));
    vectors.push_back(vector);
  }
  const auto dense = *store_->collections().create("vectors", "english", model);
  put("Greek letters", {"alpha beta", "gamma delta"}, "", vectors, dense.id);

  std::optional<HttpResponse> found;
  ASSERT_TRUE(wait_until([&] {
    found = search(server->port(), R"({"query":"gamma delta","mode":"dense"})", "vectors");
    return found && found->status == 200;
  })) << (found ? found->body : "");
  const json::value body = json::parse(found->body);
  EXPECT_EQ(json::serialize(body.at("modes")), R"(["dense"])");
  EXPECT_EQ(body.at("data").at(0).at("snippet"), "gamma delta");
  EXPECT_EQ(body.at("data").at(0).at("ranks").at("dense").as_int64(), 1);
  const auto hybrid = search(server->port(), R"({"query":"alpha"})", "vectors");
  EXPECT_EQ(json::serialize(json::parse(hybrid->body).at("modes")), R"(["bm25","dense"])");
  stop(*server);
}

TEST_F(SearchTest, WithoutAnEmbeddingsApiDenseIsUnavailableAndBm25TheDefault) {
  auto server = start();  // dev profile, no provider: only the built-in mock
  const auto dense = *store_->collections().create("vectors", "english", "text-embedding-3-small");
  put("Greek letters", {"alpha beta"}, "", {{1, 0}}, dense.id);
  std::optional<HttpResponse> found;
  ASSERT_TRUE(wait_until([&] {
    found = search(server->port(), R"({"query":"alpha"})", "vectors");
    return found && found->status == 200;
  })) << (found ? found->body : "");
  EXPECT_EQ(json::serialize(json::parse(found->body).at("modes")), R"(["bm25"])");
  const auto refused = search(server->port(), R"({"query":"alpha","mode":"hybrid"})", "vectors");
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(json::parse(refused->body).at("error").at("code"), "embeddings_unavailable");
  stop(*server);
}

TEST_F(SearchTest, UploadedDocumentsAreFoundAndDeletedOnesNeverReturn) {
  auto server = start({{"SLUICE_RAG__WORKERS", "1"}});
  const int port = server->port();
  ASSERT_EQ(post(port, "/v1/collections", R"({"name":"guides"})")->status, 201);
  const auto uploaded =
      post(port, "/v1/collections/guides/documents",
           R"({"id":"net-1","title":"Network guide","format":"markdown","tags":["ops"],)"
           R"("text":"# Setup\n\n## Firewall\n\nOpen port 443 on the perimeter firewall.\n"})");
  ASSERT_EQ(uploaded->status, 202) << uploaded->body;
  const std::string document_id =
      std::string(json::parse(uploaded->body).at("document_id").as_string());

  std::optional<HttpResponse> found;
  ASSERT_TRUE(wait_until([&] {
    found = search(port, R"({"query":"perimeter firewall"})", "guides");
    return found && found->status == 200 && !json::parse(found->body).at("data").as_array().empty();
  })) << (found ? found->body : "");
  const json::value hit = json::parse(found->body).at("data").at(0);
  EXPECT_EQ(hit.at("document_id").as_string(), document_id);
  EXPECT_EQ(hit.at("id"), "net-1");
  EXPECT_EQ(hit.at("title"), "Network guide");
  EXPECT_EQ(hit.at("heading_path"), "Setup > Firewall");
  EXPECT_NE(std::string(hit.at("snippet").as_string()).find("perimeter firewall"),
            std::string::npos);
  const auto tagged =
      search(port, R"({"query":"firewall","filters":{"tags":["other"]}})", "guides");
  EXPECT_TRUE(json::parse(tagged->body).at("data").as_array().empty());

  const auto removed =
      http_request(port, "DELETE", "/v1/collections/guides/documents/" + document_id);
  ASSERT_TRUE(removed && removed->status / 100 == 2) << (removed ? removed->body : "");
  // The delete notifies the indexes at once: the next search already misses it.
  EXPECT_TRUE(json::parse(search(port, R"({"query":"perimeter firewall"})", "guides")->body)
                  .at("data")
                  .as_array()
                  .empty());
  stop(*server);
}

}  // namespace
}  // namespace sluice::testing
