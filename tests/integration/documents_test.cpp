// The document API end to end: collections, uploads in every format by JSON and multipart,
// ingestion to indexed chunks, idempotent re-uploads, replacement, deletion, limits, dead letters.
#include "../unit/rag/parsers/minimal_pdf.hpp"
#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;

class DocumentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = start_server({{"SLUICE_RAG__WORKERS", "2"},
                            {"SLUICE_RAG__JOB_RETRY_BASE", "10ms"},
                            {"SLUICE_RAG__JOB_MAX_ATTEMPTS", "3"},
                            {"SLUICE_RAG__MAX_DOCUMENT_BYTES", "64KiB"},
                            {"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"}})
                  .release();
  }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }

  static void create_collection(const std::string& name, const json::object& extra = {}) {
    json::object body = extra;
    body["name"] = name;
    const JsonResponse created = post_json(port(), "/v1/collections", body);
    ASSERT_EQ(created.status, 201) << created.raw;
  }
  static JsonResponse document(const std::string& collection, const std::string& id) {
    return call(port(), "GET", "/v1/collections/" + collection + "/documents/" + id);
  }
  // Waits for the document's status to leave pending; returns the document.
  static JsonResponse settled(const std::string& collection, const std::string& id) {
    JsonResponse last;
    eventually([&] {
      last = document(collection, id);
      return last.status != 200 || string_field(last.body, "status") != "pending";
    });
    return last;
  }
  static JsonResponse job(const std::string& id) { return call(port(), "GET", "/v1/jobs/" + id); }
  static int64_t collection_chunks(const std::string& collection) {
    return int_field(call(port(), "GET", "/v1/collections/" + collection).body, "chunk_count");
  }

  static SluiceProcess* server_;
};
SluiceProcess* DocumentsTest::server_ = nullptr;

TEST_F(DocumentsTest, CollectionsAreCreatedListedByPageFoundAndDeleted) {
  for (const char* name : {"alpha", "beta", "gamma"}) create_collection(name);
  EXPECT_EQ(post_json(port(), "/v1/collections", {{"name", "alpha"}}).status, 409);
  for (const char* bad : {"", "has space", "-dash", "col_x", "ünï"})
    EXPECT_EQ(post_json(port(), "/v1/collections", {{"name", bad}}).status, 400) << bad;

  const JsonResponse first = call(port(), "GET", "/v1/collections?limit=2");
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body.at("object"), "list");
  EXPECT_EQ(first.body.at("data").as_array().size(), 2u);
  EXPECT_EQ(first.body.at("has_more"), true);
  const std::string cursor = string_field(first.body, "next_cursor");
  ASSERT_FALSE(cursor.empty());
  const JsonResponse rest = call(port(), "GET", "/v1/collections?limit=1000&after=" + cursor);
  ASSERT_EQ(rest.status, 200);
  EXPECT_EQ(rest.body.at("has_more"), false);
  EXPECT_EQ(call(port(), "GET", "/v1/collections?limit=0").status, 400);

  const JsonResponse by_name = call(port(), "GET", "/v1/collections/beta");
  ASSERT_EQ(by_name.status, 200);
  EXPECT_EQ(by_name.body.at("object"), "collection");
  EXPECT_EQ(by_name.body.at("language"), "english");
  EXPECT_EQ(int_field(by_name.body, "document_count"), 0);
  const std::string id = string_field(by_name.body, "id");
  EXPECT_EQ(call(port(), "GET", "/v1/collections/" + id).status, 200);
  const JsonResponse deleted = call(port(), "DELETE", "/v1/collections/" + id);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body.at("deleted"), true);
  const JsonResponse gone = call(port(), "GET", "/v1/collections/beta");
  EXPECT_EQ(gone.status, 404);
  EXPECT_TRUE(contains(gone.raw, "\"error\""));
}

TEST_F(DocumentsTest, EveryFormatByJsonAndByMultipartIsIndexed) {
  create_collection("formats");
  struct Upload {
    std::string label;
    JsonResponse accepted;
  };
  std::vector<Upload> uploads;
  const std::string path = "/v1/collections/formats/documents";
  const std::pair<std::string, std::string> texts[] = {
      {"text", "Plain words about rivers and lakes."},
      {"markdown", "# Rivers\n\nLong rivers flow to the sea.\n\n- one\n- two\n"},
      {"html",
       "<html><head><title>Lakes</title></head><body><h1>Lakes</h1><p>Deep water.</p>"
       "<script>ignored()</script></body></html>"}};
  for (const auto& [format, text] : texts)
    uploads.push_back({"json " + format, post_json(port(), path,
                                                   {{"text", text},
                                                    {"format", format},
                                                    {"title", format},
                                                    {"tags", json::array{"t1"}},
                                                    {"metadata", {{"lang", "en"}}}})});
  const std::pair<std::string, std::string> files[] = {
      {"a.txt", "text/plain"}, {"b.md", "text/markdown"}, {"c.html", "text/html"}};
  for (std::size_t i = 0; i < 3; ++i)
    uploads.push_back(
        {"multipart " + files[i].first,
         post_form(port(), path,
                   {{"file", files[i].first, files[i].second,
                     texts[i].second + (i == 2 ? "<!-- file -->" : "\n\nFrom a file.")},
                    {"tags", "", "", "[\"x\",\"y\"]"},
                    {"metadata", "", "", "{\"n\":1}"}})});
  const std::string pdf = rag::testing::minimal_pdf({{"Page one text."}, {"Page two text."}});
  uploads.push_back(
      {"multipart pdf", post_form(port(), path, {{"file", "d.pdf", "application/pdf", pdf}})});

  for (const Upload& upload : uploads) {
    ASSERT_EQ(upload.accepted.status, 202) << upload.label << ": " << upload.accepted.raw;
    EXPECT_EQ(upload.accepted.body.at("created"), true) << upload.label;
    const std::string id = string_field(upload.accepted.body, "document_id");
    const JsonResponse doc = settled("formats", id);
    EXPECT_EQ(string_field(doc.body, "status"), "indexed") << upload.label << ": " << doc.raw;
    EXPECT_GT(int_field(doc.body, "chunk_count"), 0) << upload.label;
    EXPECT_EQ(string_field(doc.body.at("job").as_object(), "state"), "succeeded");
    const JsonResponse job_status = job(string_field(upload.accepted.body, "job_id"));
    EXPECT_EQ(string_field(job_status.body, "state"), "succeeded") << job_status.raw;
  }
  const JsonResponse pdf_doc =
      document("formats", string_field(uploads.back().accepted.body, "document_id"));
  EXPECT_EQ(string_field(pdf_doc.body, "media_type"), "application/pdf");
  EXPECT_EQ(string_field(pdf_doc.body, "title"), "d");
  const JsonResponse tagged =
      document("formats", string_field(uploads[3].accepted.body, "document_id"));
  EXPECT_EQ(json::serialize(tagged.body.at("tags")), R"(["x","y"])");
  EXPECT_EQ(json::serialize(tagged.body.at("metadata")), R"({"n":1})");

  const JsonResponse listed = call(port(), "GET", "/v1/collections/formats/documents?limit=3");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.at("data").as_array().size(), 3u);
  EXPECT_EQ(listed.body.at("has_more"), true);
}

TEST_F(DocumentsTest, TheDefaultCollectionIsCreatedByItsFirstUploadOthersAre404) {
  const JsonResponse accepted =
      post_json(port(), "/v1/collections/default/documents", {{"text", "First words."}});
  ASSERT_EQ(accepted.status, 202) << accepted.raw;
  EXPECT_EQ(call(port(), "GET", "/v1/collections/default").status, 200);
  const JsonResponse missing =
      post_json(port(), "/v1/collections/nowhere/documents", {{"text", "Lost words."}});
  EXPECT_EQ(missing.status, 404) << missing.raw;
}

TEST_F(DocumentsTest, ReUploadsAreIdempotentAndAClientIdReplacesTheVersion) {
  create_collection("versions");
  const std::string path = "/v1/collections/versions/documents";
  const JsonResponse first = post_json(port(), path, {{"text", "Version one."}, {"id", "guide"}});
  ASSERT_EQ(first.status, 202) << first.raw;
  const std::string id = string_field(first.body, "document_id");
  ASSERT_EQ(string_field(settled("versions", id).body, "status"), "indexed");

  const JsonResponse again = post_json(port(), path, {{"text", "Version one."}, {"id", "guide"}});
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body.at("created"), false);
  EXPECT_EQ(string_field(again.body, "document_id"), id);
  EXPECT_EQ(string_field(again.body, "job_id"), string_field(first.body, "job_id"));

  std::string long_text;
  for (int i = 0; i < 300; ++i) long_text += "Sentence number " + std::to_string(i) + " here. ";
  const JsonResponse replaced = post_json(
      port(), path, {{"text", "# New\n\n" + long_text}, {"id", "guide"}, {"format", "markdown"}});
  ASSERT_EQ(replaced.status, 202);
  EXPECT_EQ(replaced.body.at("created"), true);
  EXPECT_EQ(string_field(replaced.body, "document_id"), id);
  EXPECT_EQ(int_field(replaced.body, "version"), 2);
  JsonResponse doc;
  ASSERT_TRUE(eventually([&] {
    doc = document("versions", "guide");  // by client id
    return int_field(doc.body, "version") == 2 && string_field(doc.body, "status") == "indexed";
  })) << doc.raw;
  const int64_t chunks = int_field(doc.body, "chunk_count");
  EXPECT_GT(chunks, 1);
  EXPECT_EQ(collection_chunks("versions"), chunks);  // one set of chunks, the new version's
}

TEST_F(DocumentsTest, DeleteRemovesTheDocumentAndItsChunks) {
  create_collection("deletes");
  const JsonResponse accepted =
      post_json(port(), "/v1/collections/deletes/documents", {{"text", "Short lived."}});
  const std::string id = string_field(accepted.body, "document_id");
  ASSERT_EQ(string_field(settled("deletes", id).body, "status"), "indexed");
  EXPECT_EQ(collection_chunks("deletes"), 1);
  const JsonResponse deleted = call(port(), "DELETE", "/v1/collections/deletes/documents/" + id);
  EXPECT_EQ(deleted.status, 200) << deleted.raw;
  EXPECT_EQ(document("deletes", id).status, 404);
  EXPECT_EQ(collection_chunks("deletes"), 0);
  EXPECT_EQ(call(port(), "DELETE", "/v1/collections/deletes/documents/" + id).status, 404);
}

TEST_F(DocumentsTest, AnOversizedUploadIs413NamingTheKey) {
  create_collection("limits");
  const JsonResponse large = post_json(port(), "/v1/collections/limits/documents",
                                       {{"text", std::string(70 * 1024, 'a')}});
  EXPECT_EQ(large.status, 413);
  EXPECT_TRUE(contains(large.raw, "rag.max_document_bytes")) << large.raw;
  // Under the limit: accepted.
  EXPECT_EQ(
      post_json(port(), "/v1/collections/limits/documents", {{"text", std::string(40 * 1024, 'a')}})
          .status,
      202);
}

TEST_F(DocumentsTest, AMalformedFormIs400SayingWhatIsWrong) {
  create_collection("forms");
  const JsonResponse unclosed =
      call(port(), "POST", "/v1/collections/forms/documents",
           "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ntext",
           "Content-Type: multipart/form-data; boundary=b\r\n");
  EXPECT_EQ(unclosed.status, 400);
  EXPECT_TRUE(contains(unclosed.raw, "closing boundary")) << unclosed.raw;
  const JsonResponse no_file =
      post_form(port(), "/v1/collections/forms/documents", {{"title", "", "", "only a title"}});
  EXPECT_EQ(no_file.status, 400);
  EXPECT_TRUE(contains(no_file.raw, "file")) << no_file.raw;
}

TEST_F(DocumentsTest, PoisonedDocumentsAreDeadLetteredListedAndRetried) {
  create_collection("poison");
  // Cannot be parsed: dead at its first attempt.
  const JsonResponse binary =
      post_form(port(), "/v1/collections/poison/documents",
                {{"file", "bad.txt", "text/plain", std::string("\x00\x01\x02\x03 bin", 8)}});
  ASSERT_EQ(binary.status, 202) << binary.raw;
  const std::string job_id = string_field(binary.body, "job_id");
  JsonResponse dead;
  ASSERT_TRUE(eventually([&] {
    dead = job(job_id);
    return string_field(dead.body, "state") == "dead";
  })) << dead.raw;
  EXPECT_EQ(int_field(dead.body, "attempts"), 1);
  EXPECT_FALSE(string_field(dead.body, "last_error").empty());
  EXPECT_EQ(
      string_field(document("poison", string_field(binary.body, "document_id")).body, "status"),
      "failed");

  // Needs embeddings nobody configured: retried with backoff, then dead after 3 attempts.
  create_collection("dense", {{"embedding_model", "text-embedding-3-small"}});
  const JsonResponse dense =
      post_json(port(), "/v1/collections/dense/documents", {{"text", "Needs vectors."}});
  const std::string dense_job = string_field(dense.body, "job_id");
  ASSERT_TRUE(eventually([&] {
    dead = job(dense_job);
    return string_field(dead.body, "state") == "dead";
  })) << dead.raw;
  EXPECT_EQ(int_field(dead.body, "attempts"), 3);
  EXPECT_TRUE(contains(string_field(dead.body, "last_error"), "embeddings API"));

  const JsonResponse letters = call(port(), "GET", "/v1/admin/jobs?state=dead&limit=100");
  ASSERT_EQ(letters.status, 200) << letters.raw;
  EXPECT_TRUE(contains(letters.raw, job_id));
  EXPECT_TRUE(contains(letters.raw, dense_job));
  EXPECT_EQ(call(port(), "GET", "/v1/admin/jobs?state=sleeping").status, 400);

  const JsonResponse retried = call(port(), "POST", "/v1/admin/jobs/" + job_id + "/retry");
  ASSERT_EQ(retried.status, 200) << retried.raw;
  EXPECT_EQ(int_field(retried.body, "attempts"), 0);
  ASSERT_TRUE(eventually([&] {
    dead = job(job_id);
    return string_field(dead.body, "state") == "dead" && int_field(dead.body, "attempts") == 1;
  })) << dead.raw;
  EXPECT_EQ(call(port(), "POST", "/v1/admin/jobs/" + dense_job + "x/retry").status, 404);
  const std::string done = string_field(
      post_json(port(), "/v1/collections/poison/documents", {{"text", "Fine."}}).body, "job_id");
  ASSERT_TRUE(eventually([&] { return string_field(job(done).body, "state") == "succeeded"; }));
  EXPECT_EQ(call(port(), "POST", "/v1/admin/jobs/" + done + "/retry").status, 409);
}

TEST_F(DocumentsTest, JobAndIngestMetricsAreExported) {
  create_collection("metered");
  const JsonResponse accepted =
      post_json(port(), "/v1/collections/metered/documents", {{"text", "Counted words."}});
  ASSERT_EQ(
      string_field(settled("metered", string_field(accepted.body, "document_id")).body, "status"),
      "indexed");
  std::string metrics;
  ASSERT_TRUE(eventually([&] {
    metrics = http_request(port(), "GET", "/metrics")->body;
    return contains(metrics, "sluice_jobs{state=\"succeeded\"}") &&
           !contains(metrics, "sluice_jobs{state=\"succeeded\"} 0");
  })) << metrics;
  EXPECT_TRUE(contains(metrics, "sluice_job_queue_oldest_age_seconds"));
  EXPECT_TRUE(contains(metrics, "sluice_ingest_documents_total{result=\"indexed\"}"));
  EXPECT_TRUE(contains(metrics, "sluice_ingest_bytes_total"));
  EXPECT_TRUE(contains(metrics, "sluice_ingest_chunks_total"));
  EXPECT_TRUE(contains(metrics, "sluice_ingest_duration_seconds_bucket"));
  const auto ready = http_request(port(), "GET", "/readyz?verbose");
  EXPECT_TRUE(contains(ready->body, "\"name\":\"store\",\"ok\":true")) << ready->body;
}

}  // namespace
}  // namespace sluice::testing
