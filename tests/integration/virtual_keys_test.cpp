// Virtual keys through /v1/admin/keys against the real binary: created with a bootstrap admin
// key, enforced at once on the replica that wrote them and within a refresh on another replica of
// the same store, rotated, revoked, expired, and kept across a restart.
#include <csignal>

#include "support/admin_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kAdmin = "sk-bootstrap-admin";

class VirtualKeysTest : public AdminStoreTest {
 protected:
  VirtualKeysTest() : AdminStoreTest(kAdmin) {}
};

TEST_F(VirtualKeysTest, CreatedOnceShownAndListedWithoutSecrets) {
  auto created = admin("POST", "/v1/admin/keys",
                       R"({"name":"ci","roles":["ingest","query"],"models":["fast"],)"
                       R"("expires_in":3600})");
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string secret = string_field(created.body, "key");
  EXPECT_TRUE(secret.starts_with("sk-sluice-")) << created.raw;
  EXPECT_EQ(secret.size(), 58u);
  EXPECT_EQ(string_field(created.body, "prefix"), secret.substr(0, 14));
  EXPECT_EQ(created.body.at("models").as_array().size(), 1u);
  EXPECT_TRUE(created.body.at("expires_at").is_int64());

  auto listed = admin("GET", "/v1/admin/keys");
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body.at("data").as_array().size(), 1u);
  EXPECT_FALSE(contains(listed.raw, secret));
  EXPECT_FALSE(contains(listed.raw, secret.substr(14)));
  EXPECT_FALSE(contains(listed.raw, "\"key\""));
  auto one = admin("GET", "/v1/admin/keys/" + string_field(created.body, "id"));
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(string_field(one.body, "name"), "ci");
  EXPECT_FALSE(contains(one.raw, secret));
  EXPECT_EQ(admin("GET", "/v1/admin/keys/key_missing").status, 404);

  // The key works at once on this replica, within its roles.
  EXPECT_EQ(as(server_->port(), secret, "GET", "/v1/collections").status, 200);
  EXPECT_EQ(as(server_->port(), secret, "POST", "/v1/collections", R"({"name":"docs"})").status,
            201);
  auto not_admin = as(server_->port(), secret, "GET", "/v1/admin/keys");
  EXPECT_EQ(not_admin.status, 403);
}

TEST_F(VirtualKeysTest, BadBodiesAreRefusedNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"roles":["superuser"]})", "roles"},
      {R"({"roles":[]})", "roles"},
      {R"({"rate_limit":{"requests_per_minute":5}})", "rate_limit"},
      {R"({"models":["fast",""]})", "models.1"},
      {R"({"models":[7]})", "models.0"},
      {R"({"expires_at":1,"expires_in":5})", "expires_in"},
      {R"({"expires_at":1})", "expires_at"},
      {R"({"expires_in":0})", "expires_in"},
      {R"({"models":"fast"})", "models"},
      {R"({"name":7})", "name"},
  };
  for (const auto& [body, field] : cases) {
    auto refused = admin("POST", "/v1/admin/keys", body);
    EXPECT_EQ(refused.status, 400) << body << " " << refused.raw;
    EXPECT_EQ(string_field(refused.body.at("error").as_object(), "param"), field) << refused.raw;
  }
  EXPECT_EQ(admin("POST", "/v1/admin/keys", "{not json").status, 400);
  EXPECT_EQ(admin("GET", "/v1/admin/keys").body.at("data").as_array().size(), 0u);
}

// A key limited to some models calls and sees only those (the dev profile's built-in mock answers
// any model name).
TEST_F(VirtualKeysTest, AModelsAllowlistLimitsCallsAndListings) {
  auto [id, secret] = create(R"({"roles":["query"],"models":["gpt-4o-mini","rag/docs"]})");
  const int port = server_->port();
  const std::string chat = R"({"model":"%","messages":[{"role":"user","content":"hi"}]})";
  const auto chat_with = [&](const std::string& model) {
    std::string body = chat;
    body.replace(body.find('%'), 1, model);
    return as(port, secret, "POST", "/v1/chat/completions", body);
  };
  auto refused = chat_with("gpt-4o");
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_TRUE(contains(refused.raw, R"("code":"model_not_allowed")")) << refused.raw;
  EXPECT_EQ(chat_with("gpt-4o-mini").status, 200);
  auto embeddings = as(port, secret, "POST", "/v1/embeddings",
                       R"({"model":"text-embedding-3-small","input":"x"})");
  EXPECT_EQ(embeddings.status, 403) << embeddings.raw;
  auto response = as(port, secret, "POST", "/v1/responses", R"({"model":"o3","input":"hi"})");
  EXPECT_EQ(response.status, 403) << response.raw;
  auto listed = as(port, secret, "GET", "/v1/models");
  ASSERT_EQ(listed.status, 200);
  for (const auto& model : listed.body.at("data").as_array()) {
    const std::string model_id(model.at("id").as_string());
    EXPECT_TRUE(model_id == "gpt-4o-mini" || model_id == "rag/docs") << listed.raw;
  }
  auto all = admin("GET", "/v1/models");
  EXPECT_GT(all.body.at("data").as_array().size(), listed.body.at("data").as_array().size());
  EXPECT_EQ(as(port, secret, "GET", "/v1/models/gpt-4o").status, 404);
  // Lifted by a PATCH: an empty list allows every model.
  ASSERT_EQ(admin("PATCH", "/v1/admin/keys/" + id, R"({"models":[]})").status, 200);
  EXPECT_EQ(chat_with("gpt-4o").status, 200);
}

// Each call of a key is counted by day and model, failed ones included, and the totals survive
// a restart.
TEST_F(VirtualKeysTest, UsagePerDayAndModel) {
  auto [id, secret] = create(R"({"roles":["query"]})");
  auto [other_id, other] = create(R"({"roles":["query"]})");
  const int port = server_->port();
  const std::string body =
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"count me"}]})";
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(as(port, secret, "POST", "/v1/chat/completions", body).status, 200);
  ASSERT_EQ(as(port, other, "POST", "/v1/chat/completions", body).status, 200);
  ASSERT_EQ(as(port, secret, "POST", "/v1/embeddings", R"({"model":"emb","input":"x"})").status,
            200);
  auto usage = admin("GET", "/v1/admin/keys/" + id + "/usage");
  ASSERT_EQ(usage.status, 200) << usage.raw;
  const json::array& rows = usage.body.at("data").as_array();
  ASSERT_EQ(rows.size(), 2u) << usage.raw;
  const json::object& chat = rows[1].as_object();  // by model: "emb", then "gpt-4o-mini"
  EXPECT_EQ(string_field(chat, "model"), "gpt-4o-mini");
  EXPECT_EQ(chat.at("requests").as_int64(), 3);
  EXPECT_GT(chat.at("prompt_tokens").as_int64(), 0);
  EXPECT_GT(chat.at("completion_tokens").as_int64(), 0);
  const json::object& total = usage.body.at("total").as_object();
  EXPECT_EQ(total.at("requests").as_int64(), 4);
  EXPECT_EQ(string_field(usage.body, "from").size(), 10u);

  server_->signal(SIGTERM);
  ASSERT_TRUE(server_->wait_exit(10s));
  server_ = start_replica();
  auto after = admin("GET", "/v1/admin/keys/" + id + "/usage");
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.body.at("total").at("requests").as_int64(), 4) << after.raw;
  EXPECT_EQ(admin("GET", "/v1/admin/keys/" + other_id + "/usage")
                .body.at("total")
                .at("requests")
                .as_int64(),
            1);
  EXPECT_EQ(admin("GET", "/v1/admin/keys/key_missing/usage").status, 404);
  EXPECT_EQ(admin("GET", "/v1/admin/keys/" + id + "/usage?from=yesterday").status, 400);
  EXPECT_EQ(admin("GET", "/v1/admin/keys/" + id + "/usage?from=2000-01-01&to=2000-01-02")
                .body.at("data")
                .as_array()
                .size(),
            0u);
}

TEST_F(VirtualKeysTest, PatchRotateAndRevoke) {
  auto [id, secret] = create(R"({"name":"app","roles":["query"]})");
  const int port = server_->port();
  EXPECT_EQ(as(port, secret, "POST", "/v1/collections", R"({"name":"a"})").status, 403);
  auto patched = admin("PATCH", "/v1/admin/keys/" + id, R"({"roles":["ingest"],"name":"app2"})");
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(string_field(patched.body, "name"), "app2");
  EXPECT_EQ(as(port, secret, "POST", "/v1/collections", R"({"name":"a"})").status, 201);

  // Rotation with an overlap: both secrets work; without one, the old secret stops at once.
  auto rotated = admin("POST", "/v1/admin/keys/" + id + "/rotate", R"({"overlap_seconds":600})");
  ASSERT_EQ(rotated.status, 200) << rotated.raw;
  const std::string second = string_field(rotated.body, "key");
  EXPECT_NE(second, secret);
  EXPECT_TRUE(rotated.body.at("previous_key_valid_until").is_int64());
  EXPECT_EQ(as(port, secret, "GET", "/v1/collections").status, 200);
  EXPECT_EQ(as(port, second, "GET", "/v1/collections").status, 200);
  auto again = admin("POST", "/v1/admin/keys/" + id + "/rotate", R"({"overlap_seconds":0})");
  ASSERT_EQ(again.status, 200) << again.raw;
  const std::string third = string_field(again.body, "key");
  EXPECT_EQ(as(port, second, "GET", "/v1/collections").status, 401);
  EXPECT_EQ(as(port, secret, "GET", "/v1/collections").status, 401);
  EXPECT_EQ(as(port, third, "GET", "/v1/collections").status, 200);
  EXPECT_EQ(admin("POST", "/v1/admin/keys/" + id + "/rotate", R"({"overlap":1})").status, 400);

  auto revoked = admin("DELETE", "/v1/admin/keys/" + id);
  ASSERT_EQ(revoked.status, 200) << revoked.raw;
  EXPECT_TRUE(revoked.body.at("revoked_at").is_int64());
  EXPECT_EQ(as(port, third, "GET", "/v1/collections").status, 401);
  EXPECT_EQ(admin("DELETE", "/v1/admin/keys/" + id).status, 200);  // idempotent
  EXPECT_EQ(admin("PATCH", "/v1/admin/keys/" + id, R"({"name":"x"})").status, 409);
  EXPECT_EQ(admin("POST", "/v1/admin/keys/" + id + "/rotate").status, 409);
}

TEST_F(VirtualKeysTest, AnotherReplicaFollowsWithoutARestart) {
  auto replica = start_replica();
  auto [id, secret] = create(R"({"roles":["query"]})");
  EXPECT_TRUE(eventually(
      [&] { return as(replica->port(), secret, "GET", "/v1/collections").status == 200; }, 10s));
  ASSERT_EQ(admin("DELETE", "/v1/admin/keys/" + id).status, 200);
  EXPECT_TRUE(eventually(
      [&] { return as(replica->port(), secret, "GET", "/v1/collections").status == 401; }, 10s));
}

TEST_F(VirtualKeysTest, ExpiryAndRestart) {
  auto [short_id, short_lived] = create(R"({"roles":["query"],"expires_in":1})");
  auto [id, secret] = create(R"({"roles":["query"]})");
  EXPECT_TRUE(eventually(
      [&] {
        auto r = as(server_->port(), short_lived, "GET", "/v1/collections");
        return r.status == 401 && contains(r.raw, "expired");
      },
      10s));
  server_.reset();
  server_ = start_replica();
  EXPECT_EQ(as(server_->port(), secret, "GET", "/v1/collections").status, 200);
  EXPECT_EQ(as(server_->port(), short_lived, "GET", "/v1/collections").status, 401);
}

// Admin changes and refused requests are on record, newest first, filterable, and survive a
// restart.
TEST_F(VirtualKeysTest, TheAuditLogRecordsAdminChangesAndRefusals) {
  auto [id, secret] = create(R"({"name":"audited","roles":["query"]})");
  const int port = server_->port();
  EXPECT_EQ(as(port, "sk-wrong", "GET", "/v1/models").status, 401);
  EXPECT_EQ(as(port, secret, "POST", "/v1/collections", R"({"name":"x"})").status, 403);
  ASSERT_EQ(admin("DELETE", "/v1/admin/keys/" + id).status, 200);

  auto audit = admin("GET", "/v1/admin/audit");
  ASSERT_EQ(audit.status, 200) << audit.raw;
  const json::array& events = audit.body.at("data").as_array();
  ASSERT_EQ(events.size(), 4u) << audit.raw;
  EXPECT_EQ(string_field(events[0].as_object(), "action"), "DELETE /v1/admin/keys/{id}");
  EXPECT_EQ(string_field(events[0].as_object(), "target"), id);
  EXPECT_EQ(string_field(events[0].as_object(), "result"), "200");
  EXPECT_EQ(string_field(events[0].as_object(), "key_name"), "admin_key");
  EXPECT_EQ(string_field(events[1].as_object(), "result"), "permission_denied");
  EXPECT_EQ(string_field(events[1].as_object(), "key_id"), id);
  EXPECT_EQ(string_field(events[2].as_object(), "result"), "invalid_key");
  EXPECT_TRUE(events[2].as_object().at("key_id").is_null());
  EXPECT_EQ(string_field(events[3].as_object(), "action"), "POST /v1/admin/keys");
  EXPECT_EQ(string_field(events[3].as_object(), "result"), "201");
  EXPECT_FALSE(contains(audit.raw, secret));
  EXPECT_FALSE(contains(audit.raw, "sk-wrong"));

  auto refused = admin("GET", "/v1/admin/audit?result=invalid_key");
  EXPECT_EQ(refused.body.at("data").as_array().size(), 1u) << refused.raw;
  auto by_key = admin("GET", "/v1/admin/audit?key_id=" + id);
  EXPECT_EQ(by_key.body.at("data").as_array().size(), 1u) << by_key.raw;
  auto paged = admin("GET", "/v1/admin/audit?limit=3");
  EXPECT_EQ(paged.body.at("data").as_array().size(), 3u);
  EXPECT_TRUE(paged.body.at("has_more").as_bool());
  EXPECT_EQ(admin("GET", "/v1/admin/audit?since=soon").status, 400);
  EXPECT_EQ(as(port, secret, "GET", "/v1/admin/audit").status, 401);  // revoked

  server_->signal(SIGTERM);
  ASSERT_TRUE(server_->wait_exit(10s));
  server_ = start_replica();
  // The four, and the refused audit read by the revoked key.
  EXPECT_EQ(admin("GET", "/v1/admin/audit").body.at("data").as_array().size(), 5u);
}

TEST(VirtualKeysWithoutAuth, TheFirstKeyMustBeAnAdminKey) {
  auto server = start_server();
  const int port = server->port();
  EXPECT_EQ(call(port, "GET", "/v1/collections").status, 200);  // authentication is off
  auto refused = post_json(port, "/v1/admin/keys", json::object{{"roles", json::array{"query"}}});
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_TRUE(contains(refused.raw, "admin")) << refused.raw;
  auto created = post_json(port, "/v1/admin/keys", json::object{{"roles", json::array{"admin"}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(call(port, "GET", "/v1/collections").status, 401);  // on from now
  const std::string key = string_field(created.body, "key");
  EXPECT_EQ(call(port, "GET", "/v1/admin/keys", {}, "Authorization: Bearer " + key + "\r\n").status,
            200);
}

}  // namespace
}  // namespace sluice::testing
