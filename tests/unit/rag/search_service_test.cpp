#include "rag/search_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <future>

#include "indexed_store_fixture.hpp"
#include "ops/degraded_mode.hpp"

namespace sluice::rag {
namespace {

// Vectors from a fixed table: a query's vector points at the chunk it names.
class TableEmbedder final : public Embedder {
 public:
  std::map<std::string, std::vector<float>> table;
  int calls = 0;
  boost::asio::awaitable<Result<std::vector<std::vector<float>>>> embed(
      std::string_view, std::span<const std::string> texts) override {
    ++calls;
    std::vector<std::vector<float>> out;
    for (const std::string& text : texts) {
      auto it = table.find(text);
      if (it == table.end()) co_return make_error(Errc::bad_gateway, "no vector for " + text);
      out.push_back(it->second);
    }
    co_return out;
  }
};

class SearchServiceTest : public IndexedStoreTest {
 protected:
  Result<SearchResult> search(SearchRequest request) {
    SearchService service(*registry_, *store_, &embedder_);
    return run<Result<SearchResult>>([&]() { return service.search(request); });
  }
  static SearchRequest request(const std::string& collection, const std::string& query) {
    SearchRequest r;
    r.collection = collection;
    r.query = query;
    return r;
  }
  static std::vector<std::string> titles(const SearchResult& result) {
    std::vector<std::string> out;
    for (const SearchHit& hit : result.hits) out.push_back(hit.title);
    return out;
  }
  TableEmbedder embedder_;
};

TEST_F(SearchServiceTest, Bm25IsTheDefaultWithoutAnEmbeddingModel) {
  const auto c = collection("docs");
  put(c, "Guide", {{"the kernel schedules threads fairly", "Intro > CPU", 4}}, "ext-9");
  start_registry();
  auto result = search(request("docs", "scheduling"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->modes, std::vector<std::string>{"bm25"});
  ASSERT_EQ(result->hits.size(), 1u);
  const SearchHit& hit = result->hits[0];
  EXPECT_EQ(hit.title, "Guide");
  EXPECT_EQ(hit.external_id, "ext-9");
  EXPECT_EQ(hit.heading_path, "Intro > CPU");
  EXPECT_EQ(hit.page, 4);
  EXPECT_EQ(hit.text, "the kernel schedules threads fairly");
  EXPECT_EQ(hit.snippet, hit.text);
  EXPECT_EQ(hit.lexical_rank, 1);
  EXPECT_EQ(hit.dense_rank, 0);
  EXPECT_EQ(result->index_version, store_->collections().get(c.id)->change_seq);
  EXPECT_EQ(embedder_.calls, 0);
}

TEST_F(SearchServiceTest, DenseOrHybridWithoutAnEmbeddingModelIsABadRequest) {
  collection("docs");
  start_registry();
  for (SearchMode mode : {SearchMode::dense, SearchMode::hybrid}) {
    SearchRequest r = request("docs", "x");
    r.mode = mode;
    auto result = search(r);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::invalid_request);
    EXPECT_EQ(result.error().param, "mode");
    EXPECT_NE(result.error().message.find("no embedding model"), std::string::npos);
  }
}

TEST_F(SearchServiceTest, HybridIsTheDefaultWithAnEmbeddingModelAndFusesBothRanks) {
  const auto c = collection("docs", "embed");
  put(c, "Lexical", {{"apples and oranges", "", 0, {0, 1}}});
  put(c, "Semantic", {{"fruit salad", "", 0, {1, 0}}});
  embedder_.table["apples"] = {1, 0};
  start_registry();
  auto result = search(request("docs", "apples"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->modes, (std::vector<std::string>{"bm25", "dense"}));
  ASSERT_EQ(result->hits.size(), 2u);
  for (const SearchHit& hit : result->hits) {
    if (hit.title == "Lexical") {
      EXPECT_EQ(hit.lexical_rank, 1);
      EXPECT_EQ(hit.dense_rank, 2);
    } else {
      EXPECT_EQ(hit.lexical_rank, 0);
      EXPECT_EQ(hit.dense_rank, 1);
    }
  }
  SearchRequest dense = request("docs", "apples");
  dense.mode = SearchMode::dense;
  auto only_dense = search(dense);
  EXPECT_EQ(only_dense->modes, std::vector<std::string>{"dense"});
  EXPECT_EQ(titles(*only_dense)[0], "Semantic");
  SearchRequest linear = request("docs", "apples");
  linear.fusion = FusionMethod::linear;
  linear.alpha = 0;  // lexical only
  auto lexical_first = search(linear);
  EXPECT_EQ(titles(*lexical_first)[0], "Lexical");
}

TEST_F(SearchServiceTest, HybridFallsBackToBm25WhenTheQueryCannotBeEmbedded) {
  const auto c = collection("docs", "embed");
  put(c, "Lexical", {{"apples", "", 0, {0, 1}}});
  start_registry();
  auto result = search(request("docs", "apples"));  // the table has no vector for it
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->modes, std::vector<std::string>{"bm25"});
  SearchRequest dense = request("docs", "apples");
  dense.mode = SearchMode::dense;
  auto failed = search(dense);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("no vector"), std::string::npos);
}

TEST_F(SearchServiceTest, WithoutAnEmbedderBm25IsTheDefaultAndDenseUnavailable) {
  const auto c = collection("docs", "embed");
  put(c, "Lexical", {{"apples", "", 0, {0, 1}}});
  start_registry();
  SearchService service(*registry_, *store_, nullptr);
  SearchRequest r = request("docs", "apples");
  auto plain = run<Result<SearchResult>>([&]() { return service.search(r); });
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->modes, std::vector<std::string>{"bm25"});
  r.mode = SearchMode::dense;
  auto dense = run<Result<SearchResult>>([&]() { return service.search(r); });
  ASSERT_FALSE(dense.ok());
  EXPECT_EQ(dense.error().code, Errc::unavailable);
  EXPECT_EQ(dense.error().code_detail, "embeddings_unavailable");
}

TEST_F(SearchServiceTest, FiltersByDocumentTagsAndMetadata) {
  const auto c = collection("docs");
  put(c, "A", {{"shared words", "", 0}}, "a", R"({"year":2021,"lang":"en","meta":{"n":1}})", {"x"});
  put(c, "B", {{"shared words", "", 0}}, "b", R"({"year":2023,"lang":"de"})", {"x", "y"});
  put(c, "C", {{"shared words", "", 0}}, "", R"({"year":"2022"})");
  start_registry();
  const auto titles_for = [&](SearchFilters filters) {
    SearchRequest r = request("docs", "shared");
    r.filters = std::move(filters);
    auto result = search(r);
    EXPECT_TRUE(result.ok());
    auto t = titles(*result);
    std::sort(t.begin(), t.end());
    return t;
  };
  using Op = MetadataCondition::Op;
  using V = std::vector<std::string>;
  EXPECT_EQ(titles_for({.document_ids = {"b"}}), V{"B"});
  EXPECT_EQ(titles_for({.tags = {"x", "y"}}), V{"B"});
  EXPECT_EQ(titles_for({.metadata = {{"year", Op::gte, "2022"}}}), V{"B"});
  EXPECT_EQ(titles_for({.metadata = {{"year", Op::lt, "2023"}}}), V{"A"});
  EXPECT_EQ(titles_for({.metadata = {{"lang", Op::eq, "\"en\""}}}), V{"A"});
  EXPECT_EQ(titles_for({.metadata = {{"lang", Op::ne, "\"en\""}}}), (V{"B", "C"}));
  EXPECT_EQ(titles_for({.metadata = {{"lang", Op::in, R"(["de","fr"])"}}}), V{"B"});
  EXPECT_EQ(titles_for({.metadata = {{"meta.n", Op::eq, "1.0"}}}), V{"A"});
  EXPECT_EQ(titles_for({.metadata = {{"year", Op::eq, "\"2022\""}}}), V{"C"});
  SearchRequest bad = request("docs", "shared");
  bad.filters.metadata = {{"year", Op::in, "3"}};
  EXPECT_EQ(search(bad).error().code, Errc::invalid_request);
}

TEST_F(SearchServiceTest, TopKIsCappedAndDeletedDocumentsNeverReturn) {
  const auto c = collection("docs");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(put(c, "D" + std::to_string(i), {{"common", "", 0}}));
  start_registry();
  SearchRequest r = request("docs", "common");
  r.top_k = 1000;
  SearchService capped(*registry_, *store_, nullptr, {.max_top_k = 3});
  auto result = run<Result<SearchResult>>([&]() { return capped.search(r); });
  EXPECT_EQ(result->hits.size(), 3u);
  ASSERT_TRUE(store_->documents().remove(ids[0]).ok());
  registry_->notify(c.id);
  ASSERT_TRUE(wait_for([&] { return search(r)->hits.size() == 4; }));
  const auto after = search(r);
  for (const SearchHit& hit : after->hits) EXPECT_NE(hit.document_id, ids[0]);
}

TEST_F(SearchServiceTest, DegradedSearchesSkipDenseAndReturnFewerHits) {
  const auto c = collection("docs", "embed");
  for (int i = 0; i < 5; ++i) put(c, "D" + std::to_string(i), {{"apples", "", 0, {1, 0}}});
  embedder_.table["apples"] = {1, 0};
  start_registry();
  ops::DegradedMode degraded(std::chrono::seconds(1), std::chrono::seconds(1));
  SearchService service(*registry_, *store_, &embedder_,
                        {.degraded = &degraded, .degraded_top_k = 2});
  SearchRequest r = request("docs", "apples");
  r.top_k = 10;
  auto normal = run<Result<SearchResult>>([&]() { return service.search(r); });
  ASSERT_TRUE(normal.ok());
  EXPECT_EQ(normal->modes, (std::vector<std::string>{"bm25", "dense"}));
  EXPECT_EQ(normal->hits.size(), 5u);
  const int calls = embedder_.calls;

  const auto t0 = ops::DegradedMode::Clock::now();
  degraded.observe(true, t0);
  degraded.observe(true, t0 + std::chrono::seconds(1));
  ASSERT_TRUE(degraded.on());
  auto cheap = run<Result<SearchResult>>([&]() { return service.search(r); });
  ASSERT_TRUE(cheap.ok());
  EXPECT_EQ(cheap->modes, std::vector<std::string>{"bm25"});
  EXPECT_EQ(cheap->hits.size(), 2u);
  EXPECT_EQ(embedder_.calls, calls);  // no embedding call while degraded
  EXPECT_TRUE(cheap->degraded);
  EXPECT_FALSE(normal->degraded);
}

TEST_F(SearchServiceTest, UnknownCollectionIsNotFound) {
  start_registry();
  auto result = search(request("nope", "x"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::not_found);
}

TEST_F(SearchServiceTest, ACollectionTheRegistryHasNotSeenYetAnswersLoading) {
  IndexRegistryOptions options;
  options.follow_interval = std::chrono::hours(1);  // only notify() can discover it
  registry_ = std::make_unique<IndexRegistry>(*store_, pool_, options);
  ASSERT_TRUE(registry_->start().ok());
  collection("fresh");
  auto result = search(request("fresh", "x"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::unavailable);
  EXPECT_EQ(result.error().code_detail, "collection_loading");
  ASSERT_TRUE(wait_for([&] { return search(request("fresh", "x")).ok(); }));
}

TEST_F(SearchServiceTest, AnotherTenantsCollectionIsNotFoundEvenWhileItLoads) {
  auto created = store_->collections().create("docs", "english", "", "alpha");
  ASSERT_TRUE(created.ok());
  // The loading pool's threads held: the registry starts with the collection loading, and it
  // stays so until released.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  for (int i = 0; i < 2; ++i) boost::asio::post(pool_, [released] { released.wait(); });
  registry_ = std::make_unique<IndexRegistry>(*store_, pool_, IndexRegistryOptions{});
  ASSERT_TRUE(registry_->start().ok());
  core::Principal alpha, beta;
  alpha.tenant = "alpha";
  beta.tenant = "beta";
  const auto search_as = [&](const core::Principal& who, const std::string& name_or_id) {
    SearchRequest r = request(name_or_id, "x");
    r.scope = store::TenantScope::of(&who);
    return search(r);
  };
  auto own = search_as(alpha, "docs");
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().code_detail, "collection_loading");
  for (const std::string& name_or_id : {std::string("docs"), created->id}) {
    auto other = search_as(beta, name_or_id);
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, Errc::not_found) << name_or_id;
  }
  release.set_value();
  EXPECT_TRUE(wait_for([&] { return search_as(alpha, "docs").ok(); }));
}

}  // namespace
}  // namespace sluice::rag
