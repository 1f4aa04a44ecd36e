// Process roles sharing one data directory: an API-only server takes uploads, a `sluice worker`
// ingests them; and a store that cannot be opened stops the start, naming the key.
#include <signal.h>
#include <sqlite3.h>

#include <fstream>

#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

TEST(RagRolesTest, AnApiServerTakesUploadsAndAWorkerProcessIngestsThem) {
  const std::string dir = make_temp_dir();
  auto api = start_server({{"SLUICE_STORAGE__DATA_DIR", dir}}, {"--role", "api"});
  const JsonResponse accepted =
      post_json(api->port(), "/v1/collections/default/documents", {{"text", "Split roles."}});
  ASSERT_EQ(accepted.status, 202) << accepted.raw;
  const std::string job = "/v1/jobs/" + string_field(accepted.body, "job_id");

  SluiceProcess worker({"worker", "--listen", "127.0.0.1:0"},
                       {{"SLUICE_STORAGE__DATA_DIR", dir}, {"SLUICE_LOG__FORMAT", "json"}});
  ASSERT_NE(worker.wait_listening(), 0) << worker.output();
  EXPECT_TRUE(eventually([&] {
    return string_field(call(api->port(), "GET", job).body, "state") == "succeeded";
  })) << worker.output();
  // The worker serves probes and metrics only.
  EXPECT_EQ(http_request(worker.port(), "GET", "/readyz")->status, 200);
  EXPECT_TRUE(contains(http_request(worker.port(), "GET", "/metrics")->body, "sluice_jobs"));
  EXPECT_EQ(http_request(worker.port(), "GET", "/v1/collections")->status, 404);
  EXPECT_EQ(http_request(worker.port(), "GET", "/v1/models")->status, 404);
}

TEST(RagRolesTest, WorkersStopLeasingWhenTheDrainBegins) {
  const std::string dir = make_temp_dir();
  auto server = start_server({{"SLUICE_STORAGE__DATA_DIR", dir},
                              {"SLUICE_SHUTDOWN__DRAIN_DELAY", "2s"},
                              {"SLUICE_SHUTDOWN__GRACE", "5s"}});
  const JsonResponse before =
      post_json(server->port(), "/v1/collections/default/documents", {{"text", "Before."}});
  ASSERT_TRUE(eventually([&] {
    return string_field(
               call(server->port(), "GET", "/v1/jobs/" + string_field(before.body, "job_id")).body,
               "state") == "succeeded";
  }));
  server->signal(SIGTERM);
  ASSERT_TRUE(
      eventually([&] { return http_request(server->port(), "GET", "/readyz")->status == 503; }));
  // Still accepted during the drain delay, but no worker takes it any more.
  const JsonResponse during =
      post_json(server->port(), "/v1/collections/default/documents", {{"text", "During."}});
  ASSERT_EQ(during.status, 202) << during.raw;
  EXPECT_EQ(server->wait_exit(10s), 0);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir + "/sluice.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT state FROM jobs WHERE id = ?1", -1, &statement, nullptr),
            SQLITE_OK);
  const std::string job_id = string_field(during.body, "job_id");
  sqlite3_bind_text(statement, 1, job_id.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "queued");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST(RagRolesTest, AStoreThatCannotBeOpenedStopsTheStartNamingTheKey) {
  const std::string dir = make_temp_dir();
  std::ofstream(dir + "/sluice.db") << "this is not a database, only text long enough to tell";
  auto result = run_sluice({"serve", "--listen", "127.0.0.1:0"},
                           {{"SLUICE_STORAGE__DATA_DIR", dir}, {"SLUICE_LOG__FORMAT", "json"}});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.output, "cannot open the store")) << result.output;
  EXPECT_TRUE(contains(result.output, "storage.data_dir")) << result.output;
}

}  // namespace
}  // namespace sluice::testing
