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

  std::unique_ptr<SluiceProcess> start() {
    auto server = start_server({{"SLUICE_STORAGE__DATA_DIR", dir_},
                                {"SLUICE_RAG__INDEX_FOLLOW", "100ms"},
                                {"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"}});
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
  auto server = start();  // dev profile without providers: the mock serves embeddings
  const std::vector<std::string> texts = {"alpha beta", "gamma delta"};
  auto embedded = http_request(server->port(), "POST", "/v1/embeddings",
                               R"({"model":"mock","input":["alpha beta","gamma delta"]})",
                               "Content-Type: application/json\r\n");
  ASSERT_EQ(embedded->status, 200) << embedded->body;
  std::vector<std::vector<float>> vectors;
  const json::value parsed = json::parse(embedded->body);
  for (const json::value& item : parsed.at("data").as_array()) {
    std::vector<float> vector;
    for (const json::value& x : item.at("embedding").as_array())
      vector.push_back(static_cast<float>(x.to_number<double>()));
    vectors.push_back(vector);
  }
  const auto dense = *store_->collections().create("vectors", "english", "mock");
  put("Greek letters", texts, "", vectors, dense.id);

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

}  // namespace
}  // namespace sluice::testing
