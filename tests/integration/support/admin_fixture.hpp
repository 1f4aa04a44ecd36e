#pragma once
// A server with a bootstrap admin key over one store that replicas and restarts share: tests of
// virtual keys and what hangs on them (budgets, usage) start it and call it as different keys.

#include <string>
#include <utility>

#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {

class AdminStoreTest : public ::testing::Test {
 protected:
  // `admin_key`: the bootstrap admin key; `settings`: what this test's replicas add.
  AdminStoreTest(std::string admin_key, Env settings = {})
      : admin_key_(std::move(admin_key)), settings_(std::move(settings)) {}

  void SetUp() override {
    data_dir_ = make_temp_dir();
    server_ = start_replica();
  }
  // Another replica of the same store (or the same one again after a restart).
  std::unique_ptr<SluiceProcess> start_replica() {
    Env env = settings_;
    env.insert_or_assign("SLUICE_STORAGE__DATA_DIR", data_dir_);
    env.insert_or_assign("SLUICE_AUTH__ADMIN_KEY", admin_key_);
    env.emplace("SLUICE_AUTH__KEY_REFRESH", "200ms");
    return start_server(std::move(env));
  }
  static JsonResponse as(int port, const std::string& key, std::string_view method,
                         std::string_view target, std::string_view body = {}) {
    return call(port, method, target, body,
                "Content-Type: application/json\r\nAuthorization: Bearer " + key + "\r\n");
  }
  JsonResponse admin(std::string_view method, std::string_view target, std::string_view body = {}) {
    return as(server_->port(), admin_key_, method, target, body);
  }
  // Creates a key; its {id, secret}.
  std::pair<std::string, std::string> create(const std::string& body) {
    auto created = admin("POST", "/v1/admin/keys", body);
    EXPECT_EQ(created.status, 201) << created.raw;
    return {string_field(created.body, "id"), string_field(created.body, "key")};
  }

  const std::string admin_key_;
  const Env settings_;
  std::string data_dir_;
  std::unique_ptr<SluiceProcess> server_;
};

}  // namespace sluice::testing
