// Tenant isolation against the real binary: two teams' keys, a key of no team and an admin. Every
// object of one team (collection, document, job, session, stored response) answers another
// tenant exactly as a missing one would, for every verb; listings show only the caller's objects;
// admin functions refuse other keys. Named after the OWASP API Security Top 10 (2023) risks.
#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;

constexpr const char* kAdmin = "sk-tenant-admin";

class TenantIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = start_server(
        {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}, {"SLUICE_AUTH__ADMIN_KEY", kAdmin}});
    alpha_ = create_key(R"({"name":"alpha","team":"alpha","roles":["ingest","query"]})");
    alpha_reader_ = create_key(R"({"name":"alpha-reader","team":"alpha","roles":["query"]})");
    beta_ = create_key(R"({"name":"beta","team":"beta","roles":["ingest","query"]})");
    loner_ = create_key(R"({"name":"loner","roles":["ingest","query"]})");
  }

  JsonResponse as(const std::string& key, std::string_view method, std::string_view target,
                  std::string_view body = {}) const {
    return call(server_->port(), method, target, body,
                "Content-Type: application/json\r\nAuthorization: Bearer " + key + "\r\n");
  }
  std::string create_key(const std::string& body) const {
    auto created = as(kAdmin, "POST", "/v1/admin/keys", body);
    EXPECT_EQ(created.status, 201) << created.raw;
    return string_field(created.body, "key");
  }

  // A search of the key's collection, once its indexes have loaded.
  JsonResponse search(const std::string& key, const std::string& collection) const {
    JsonResponse out;
    eventually([&] {
      out = as(key, "POST", "/v1/collections/" + collection + "/search", R"({"query":"rivers"})");
      return out.status != 503;
    });
    return out;
  }

  // Alpha's collection "docs" with one indexed document, and a session on it.
  struct Owned {
    std::string collection_id, document_id, job_id, session_id;
  };
  Owned alpha_objects() const {
    Owned out;
    auto created = as(alpha_, "POST", "/v1/collections", R"({"name":"docs"})");
    EXPECT_EQ(created.status, 201) << created.raw;
    out.collection_id = string_field(created.body, "id");
    auto uploaded = as(alpha_, "POST", "/v1/collections/docs/documents",
                       R"({"text":"Alpha's secret plans about rivers.","id":"plan-1"})");
    EXPECT_EQ(uploaded.status, 202) << uploaded.raw;
    out.document_id = string_field(uploaded.body, "document_id");
    out.job_id = string_field(uploaded.body, "job_id");
    EXPECT_TRUE(eventually([&] {
      auto job = as(alpha_, "GET", "/v1/jobs/" + out.job_id);
      return string_field(job.body, "state") == "succeeded";
    }));
    auto session = as(alpha_, "POST", "/v1/sessions", R"({"collection":"docs"})");
    EXPECT_EQ(session.status, 201) << session.raw;
    out.session_id = string_field(session.body, "id");
    return out;
  }

  std::unique_ptr<SluiceProcess> server_;
  std::string alpha_, alpha_reader_, beta_, loner_;
};

// The error object without the id it names: another tenant's object and a missing one must
// differ in nothing else.
std::string error_shape(const JsonResponse& response, const std::string& id,
                        const std::string& stand_in) {
  std::string text = response.raw;
  for (std::size_t at = text.find(id); at != std::string::npos; at = text.find(id, at))
    text.replace(at, id.size(), stand_in);
  return text;
}

TEST_F(TenantIsolationTest, OwaspApi1BrokenObjectLevelAuthorizationEveryObjectAndVerb) {
  const Owned a = alpha_objects();
  const std::string c = "/v1/collections/" + a.collection_id;
  const std::string d = c + "/documents/" + a.document_id;
  struct Probe {
    std::string method, target, body;
  };
  const Probe probes[] = {
      {"GET", c, ""},
      {"DELETE", c, ""},
      {"GET", c + "/documents", ""},
      {"POST", c + "/documents", R"({"text":"planted by another team"})"},
      {"GET", d, ""},
      {"DELETE", d, ""},
      {"GET", c + "/documents/plan-1", ""},
      {"POST", c + "/search", R"({"query":"rivers"})"},
      {"GET", "/v1/jobs/" + a.job_id, ""},
      {"GET", "/v1/sessions/" + a.session_id, ""},
      {"DELETE", "/v1/sessions/" + a.session_id, ""},
      {"POST", "/v1/sessions", R"({"collection":")" + a.collection_id + R"("})"},
      {"POST", "/v1/query", R"({"question":"plans?","collection":")" + a.collection_id + R"("})"},
      {"POST", "/v1/query", R"({"question":"plans?","session_id":")" + a.session_id + R"("})"},
      {"POST", "/query", R"({"question":"plans?","collection":")" + a.collection_id + R"("})"},
      {"POST", "/v1/chat/completions",
       R"({"model":"rag/)" + a.collection_id + R"(","messages":[{"role":"user","content":"x"}]})"},
      {"GET", "/v1/models/rag/" + a.collection_id, ""},
  };
  for (const std::string& other : {beta_, loner_}) {
    for (const Probe& probe : probes) {
      auto refused = as(other, probe.method, probe.target, probe.body);
      EXPECT_EQ(refused.status, 404) << probe.method << " " << probe.target << " " << refused.raw;
      EXPECT_FALSE(contains(refused.raw, "secret plans")) << refused.raw;
      EXPECT_FALSE(contains(refused.raw, "alpha")) << refused.raw;
    }
    // By name, the other tenant has no collection "docs" at all.
    EXPECT_EQ(as(other, "GET", "/v1/collections/docs").status, 404);
  }
  // Another tenant's job, session and collection read exactly like ones that never existed.
  const std::pair<std::string, std::string> twins[] = {
      {"/v1/jobs/", a.job_id},
      {"/v1/sessions/", a.session_id},
      {"/v1/collections/", a.collection_id},
  };
  for (const auto& [path, id] : twins) {
    const std::string missing = id.substr(0, 4) + "000000000000000000000000";
    EXPECT_EQ(error_shape(as(beta_, "GET", path + id), id, "X"),
              error_shape(as(beta_, "GET", path + missing), missing, "X"))
        << path;
  }

  // Nothing changed for its owner, and its team mate sees it all.
  for (const std::string& owner : {alpha_, alpha_reader_}) {
    EXPECT_EQ(as(owner, "GET", c).status, 200);
    EXPECT_EQ(as(owner, "GET", d).status, 200);
    EXPECT_EQ(as(owner, "GET", "/v1/jobs/" + a.job_id).status, 200);
    EXPECT_EQ(as(owner, "GET", "/v1/sessions/" + a.session_id).status, 200);
    auto found = search(owner, "docs");
    ASSERT_EQ(found.status, 200) << found.raw;
    EXPECT_EQ(found.body.at("data").as_array().size(), 1u) << found.raw;
  }
  EXPECT_EQ(int_field(as(alpha_, "GET", c).body, "document_count"), 1);
}

TEST_F(TenantIsolationTest, ListingsShowOnlyTheCallersObjects) {
  const Owned a = alpha_objects();
  auto names = [&](const std::string& key) {
    std::vector<std::string> out;
    auto listed = as(key, "GET", "/v1/collections");
    EXPECT_EQ(listed.status, 200) << listed.raw;
    for (const json::value& c : listed.body.at("data").as_array())
      out.push_back(std::string(c.at("id").as_string()));
    return out;
  };
  EXPECT_EQ(names(alpha_reader_), std::vector<std::string>{a.collection_id});
  EXPECT_TRUE(names(beta_).empty());
  EXPECT_TRUE(names(loner_).empty());

  // Each tenant has its own names: beta's "docs" is another collection, searched alone.
  auto beta_docs = as(beta_, "POST", "/v1/collections", R"({"name":"docs"})");
  ASSERT_EQ(beta_docs.status, 201) << beta_docs.raw;
  const std::string beta_id = string_field(beta_docs.body, "id");
  EXPECT_NE(beta_id, a.collection_id);
  EXPECT_EQ(names(beta_), std::vector<std::string>{beta_id});
  auto empty = search(beta_, "docs");
  ASSERT_EQ(empty.status, 200) << empty.raw;
  EXPECT_TRUE(empty.body.at("data").as_array().empty()) << empty.raw;
  // A second "docs" in one tenant is still a conflict.
  EXPECT_EQ(as(alpha_, "POST", "/v1/collections", R"({"name":"docs"})").status, 409);

  // Models: rag/docs is each tenant's own; a key of no team lists none.
  auto models = [&](const std::string& key) { return as(key, "GET", "/v1/models").raw; };
  EXPECT_TRUE(contains(models(alpha_), "\"rag/docs\""));
  EXPECT_TRUE(contains(models(beta_), "\"rag/docs\""));
  EXPECT_FALSE(contains(models(loner_), "\"rag/docs\""));

  // The admin sees every tenant's collections and reaches them by id.
  const auto all = names(kAdmin);
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(as(kAdmin, "GET", "/v1/collections/" + a.collection_id).status, 200);
  EXPECT_EQ(as(kAdmin, "GET", "/v1/jobs/" + a.job_id).status, 200);
}

TEST_F(TenantIsolationTest, StoredResponsesAreTheirTenantsConversations) {
  auto stored = as(alpha_, "POST", "/v1/responses", R"({"model":"gpt-4o-mini","input":"hi"})");
  ASSERT_EQ(stored.status, 200) << stored.raw;
  const std::string id = string_field(stored.body, "id");
  const std::string follow_up =
      R"({"model":"gpt-4o-mini","input":"and?","previous_response_id":")" + id + R"("})";
  EXPECT_EQ(as(alpha_reader_, "POST", "/v1/responses", follow_up).status, 200);
  for (const std::string& other : {beta_, loner_}) {
    auto refused = as(other, "POST", "/v1/responses", follow_up);
    EXPECT_EQ(refused.status, 404) << refused.raw;
    EXPECT_TRUE(contains(refused.raw, "previous_response_not_found")) << refused.raw;
  }
}

TEST_F(TenantIsolationTest, OwaspApi3BrokenObjectPropertyLevelAuthorization) {
  // A client cannot place a collection in another tenant by naming it in the body.
  auto planted = as(beta_, "POST", "/v1/collections", R"({"name":"mine","tenant":"alpha"})");
  ASSERT_EQ(planted.status, 201) << planted.raw;
  EXPECT_EQ(as(alpha_, "GET", "/v1/collections/mine").status, 404);
  EXPECT_EQ(as(beta_, "GET", "/v1/collections/mine").status, 200);
  // Keys are shown without their secrets, even to admins, and only to admins.
  auto keys = as(kAdmin, "GET", "/v1/admin/keys");
  ASSERT_EQ(keys.status, 200);
  for (const std::string& secret : {alpha_, beta_, loner_})
    EXPECT_FALSE(contains(keys.raw, secret.substr(14))) << keys.raw;
  EXPECT_FALSE(contains(keys.raw, "secret_hash"));
}

TEST_F(TenantIsolationTest, OwaspApi5BrokenFunctionLevelAuthorization) {
  const Owned a = alpha_objects();
  const std::pair<std::string, std::string> admin_calls[] = {
      {"GET", "/v1/admin/keys"},
      {"POST", "/v1/admin/keys"},
      {"GET", "/v1/admin/audit"},
      {"GET", "/v1/admin/jobs"},
      {"POST", "/v1/admin/jobs/" + a.job_id + "/retry"},
  };
  for (const std::string& key : {alpha_, alpha_reader_, beta_, loner_}) {
    for (const auto& [method, target] : admin_calls) {
      auto refused = as(key, method, target, method == "POST" ? R"({"roles":["admin"]})" : "");
      EXPECT_EQ(refused.status, 403) << method << " " << target << " " << refused.raw;
    }
  }
  // A query-only key of the owning team reads but cannot write its team's collections.
  EXPECT_EQ(as(alpha_reader_, "DELETE", "/v1/collections/docs").status, 403);
  EXPECT_EQ(as(alpha_reader_, "POST", "/v1/collections/docs/documents", R"({"text":"x"})").status,
            403);
  EXPECT_EQ(as(alpha_, "GET", "/v1/collections/docs").status, 200);
}

TEST_F(TenantIsolationTest, AKeysCollectionAllowlistNarrowsItsTenant) {
  const Owned a = alpha_objects();
  ASSERT_EQ(as(alpha_, "POST", "/v1/collections", R"({"name":"other"})").status, 201);
  const std::string narrow =
      create_key(R"({"team":"alpha","roles":["query"],"collections":["docs"]})");
  EXPECT_EQ(as(narrow, "GET", "/v1/collections/docs").status, 200);
  auto refused = as(narrow, "GET", "/v1/collections/other");
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_TRUE(contains(refused.raw, "collection_not_allowed")) << refused.raw;
  auto listed = as(narrow, "GET", "/v1/collections");
  ASSERT_EQ(listed.body.at("data").as_array().size(), 1u) << listed.raw;
  auto bad = as(kAdmin, "POST", "/v1/admin/keys", R"({"team":"a/b"})");
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(string_field(bad.body.at("error").as_object(), "param"), "team");
}

}  // namespace
}  // namespace sluice::testing
