// Process roles sharing one data directory: an API-only server takes uploads, a `sluice worker`
// ingests them; and a store that cannot be opened stops the start, naming the key.
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
