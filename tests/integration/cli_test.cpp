// The CLI: config errors, check (and --print), healthcheck, version, PORT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

// A loopback TCP listener on an ephemeral port, closed when destroyed: a port in use, or a
// reachable upstream.
class Listener {
 public:
  Listener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::listen(fd_, 4) == 0) {
      socklen_t len = sizeof addr;
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
      port_ = ntohs(addr.sin_port);
    }
  }
  ~Listener() { ::close(fd_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  bool ok() const { return port_ != 0; }

 private:
  int fd_;
  int port_ = 0;
};

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

TEST(CliTest, ServeRefusesBadConfigNamingTheKey) {
  TempFile config("server:\n  listne: 127.0.0.1:0\n  threads: many\n");
  auto r = run_sluice({"serve", "--config", config.path()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "server.listne")) << r.output;
  EXPECT_TRUE(contains(r.output, "did you mean server.listen?")) << r.output;
  EXPECT_TRUE(contains(r.output, "server.threads")) << r.output;
}

TEST(CliTest, ServeRefusesBadEnvOverride) {
  auto r = run_sluice({"serve"}, {{"SLUICE_SERVER__MAX_BODY_BYTES", "lots"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "server.max_body_bytes")) << r.output;
}

TEST(CliTest, ProdRefusesToStartWithoutAuth) {
  auto r = run_sluice({"serve", "--listen", "127.0.0.1:0"}, {{"SLUICE_ENV", "prod"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "auth.api_keys")) << r.output;
}

TEST(CliTest, ProdRefusesInlineSecret) {
  TempFile config("auth:\n  api_keys:\n    - name: ops\n      key: sk-inline-secret-123\n");
  auto r = run_sluice({"check", "--config", config.path()}, {{"SLUICE_ENV", "prod"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "auth.api_keys.0.key")) << r.output;
  EXPECT_FALSE(contains(r.output, "sk-inline-secret-123")) << "secret leaked:\n" << r.output;
}

TEST(CliTest, CheckPassesAndPrintsConfigWithoutSecrets) {
  Listener upstream;
  ASSERT_TRUE(upstream.ok());
  const std::string dir = make_temp_dir();
  TempFile key_file("sk-file-secret-value\n", ".key");
  TempFile config(
      "auth:\n  api_keys:\n    - name: ops\n      key: ${OPS_KEY}\n      role: admin\n"
      "    - name: app\n      key_file: " +
      key_file.path() +
      "\n"
      "gateway:\n  providers:\n"
      "    - {name: up, base_url: \"http://" +
      upstream.address() + "/v1\"}\n");
  auto r = run_sluice({"check", "--print", "--config", config.path(), "--listen", "127.0.0.1:0"},
                      {{"OPS_KEY", "sk-very-secret-value"},
                       {"SLUICE_STORAGE__DATA_DIR", dir},
                       {"SLUICE_ENV", "prod"}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "ok: configuration valid")) << r.output;
  EXPECT_TRUE(contains(r.output, "key: ${OPS_KEY}")) << r.output;
  EXPECT_TRUE(contains(r.output, "key_file: " + key_file.path())) << r.output;
  EXPECT_TRUE(contains(r.output, "role: admin")) << r.output;
  EXPECT_FALSE(contains(r.output, "warning")) << r.output;
  for (const char* secret : {"sk-very-secret-value", "sk-file-secret-value"})
    EXPECT_FALSE(contains(r.output, secret)) << "secret leaked:\n" << r.output;
}

TEST(CliTest, CheckNeverShowsCredentialsInABaseUrl) {
  TempFile config(
      "gateway:\n  providers:\n"
      "    - {name: up, base_url: \"http://user:sk-url-password@127.0.0.1:9/v1\"}\n");
  auto r = run_sluice({"check", "--print", "--config", config.path(), "--listen", "127.0.0.1:0"},
                      {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "base_url: http://user:<redacted>@127.0.0.1:9/v1")) << r.output;
  EXPECT_TRUE(contains(r.output, "gateway.providers.0.base_url: 'http://user:<redacted>@"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "sk-url-password")) << "secret leaked:\n" << r.output;
}

TEST(CliTest, ProdReportsAnUnsetSecretOnce) {
  TempFile config("auth:\n  api_keys:\n    - name: ops\n      key: ${OPS_KEY}\n");
  auto r = run_sluice({"check", "--config", config.path()},
                      {{"SLUICE_ENV", "prod"}, {"OPENAI_BASE_URL", "http://127.0.0.1:9/v1"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "auth.api_keys.0.key: environment variable OPS_KEY is not set"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "inline")) << r.output;
}

TEST(CliTest, HelpPrintsUsageAndExitsZero) {
  for (const char* command : {"serve", "check", "healthcheck"}) {
    for (const char* flag : {"--help", "-h"}) {
      auto r = run_sluice({command, flag});
      EXPECT_EQ(r.exit_code, 0) << command << " " << flag << "\n" << r.output;
      EXPECT_TRUE(contains(r.output, std::string("usage: sluice ") + command)) << r.output;
      EXPECT_FALSE(contains(r.output, "unknown flag")) << r.output;
    }
  }
}

TEST(CliTest, UnknownFlagsAndArgumentsExitTwo) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"check", "-x"},
                                               {"check", "--nope"},
                                               {"check", "stray"},
                                               {"serve", "--print"}}) {
    auto r = run_sluice(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "sluice " + args[0] + ": ")) << r.output;
    EXPECT_TRUE(contains(r.output, "usage: sluice " + args[0])) << r.output;
  }
}

TEST(CliTest, CheckCreatesNothing) {
  const std::string parent = make_temp_dir();
  const std::string data_dir = parent + "/not-yet/data";
  auto r =
      run_sluice({"check", "--listen", "127.0.0.1:0"}, {{"SLUICE_STORAGE__DATA_DIR", data_dir}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(::access((parent + "/not-yet").c_str(), F_OK), 0) << "check created the data dir";

  const std::string existing = make_temp_dir();
  auto again =
      run_sluice({"check", "--listen", "127.0.0.1:0"}, {{"SLUICE_STORAGE__DATA_DIR", existing}});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(std::filesystem::directory_iterator(existing), std::filesystem::directory_iterator())
      << "check wrote into the data dir";
}

// A database file in `dir` at schema `version`, written with SQLite directly.
void write_database(const std::string& dir, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/sluice.db").c_str(), &db), SQLITE_OK);
  const std::string sql = "CREATE TABLE t (x); PRAGMA user_version=" + std::to_string(version);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(CliTest, CheckAcceptsAMigratableDatabaseAndRefusesANewerOne) {
  const std::string older = make_temp_dir();
  write_database(older, 0);
  auto ok = run_sluice({"check", "--listen", "127.0.0.1:0"}, {{"SLUICE_STORAGE__DATA_DIR", older}});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;

  const std::string newer = make_temp_dir();
  write_database(newer, 9999);
  auto r = run_sluice({"check", "--listen", "127.0.0.1:0"}, {{"SLUICE_STORAGE__DATA_DIR", newer}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "storage.data_dir: the database " + newer + "/sluice.db"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "schema version 9999 is newer than this binary's")) << r.output;

  const std::string garbage = make_temp_dir();
  { std::ofstream(garbage + "/sluice.db") << "this is not a database file at all, not even close"; }
  auto bad =
      run_sluice({"check", "--listen", "127.0.0.1:0"}, {{"SLUICE_STORAGE__DATA_DIR", garbage}});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_TRUE(contains(bad.output, "storage.data_dir: the database")) << bad.output;
}

TEST(CliTest, CheckWarnsAboutTheMockInDev) {
  auto r = run_sluice({"check", "--listen", "127.0.0.1:0"},
                      {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "warning: gateway.providers: serving fake answers from the "
                       "built-in mock provider"))
      << r.output;
}

TEST(CliTest, StagingAndProdRefuseToStartWithoutARealProvider) {
  auto serve = run_sluice({"serve", "--listen", "127.0.0.1:0"},
                          {{"SLUICE_ENV", "prod"},
                           {"SLUICE_AUTH__API_KEYS__0__KEY", "k"},
                           {"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_TRUE(
      contains(serve.output, "gateway.providers: prod refuses to start without a real provider"))
      << serve.output;
  EXPECT_TRUE(contains(serve.output, "OPENAI_API_KEY / OPENAI_BASE_URL")) << serve.output;
  auto check = run_sluice({"check"}, {{"SLUICE_ENV", "staging"}});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_TRUE(
      contains(check.output, "gateway.providers: staging refuses to start without a real provider"))
      << check.output;
}

TEST(CliTest, CheckReportsPortInUseAndUnwritableDataDir) {
  Listener taken;
  ASSERT_TRUE(taken.ok());
  const std::string listen = taken.address();
  TempFile not_a_dir("just a file", ".txt");
  auto r = run_sluice({"check", "--listen", listen},
                      {{"SLUICE_STORAGE__DATA_DIR", not_a_dir.path() + "/sub"}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "server.listen: " + listen + " is already in use")) << r.output;
  EXPECT_TRUE(contains(r.output, "storage.data_dir: cannot create '" + not_a_dir.path() +
                                     "/sub': '" + not_a_dir.path() + "' is not a directory"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "fix:")) << r.output;
}

// An upload spool directory that cannot hold a file would fail every upload whose model comes
// after 64 KiB of it: check reports it, naming the key, and serve refuses to start. /proc exists
// but takes no file, even from root; nothing can be created under it.
TEST(CliTest, CheckAndServeRefuseAnUnusableMediaSpoolDir) {
  const std::string data_dir = make_temp_dir();
  for (const auto& [spool, problem] :
       {std::pair<std::string, std::string>{"/proc",
                                            "cannot make the upload spool's temporary "
                                            "files in '/proc': "},
        {"/proc/sluice-spool", "cannot create '/proc/sluice-spool' in '/proc': "}}) {
    const Env env{{"SLUICE_STORAGE__DATA_DIR", data_dir},
                  {"SLUICE_SERVER__MEDIA_SPOOL_DIR", spool}};
    auto check = run_sluice({"check", "--listen", "127.0.0.1:0"}, env);
    EXPECT_EQ(check.exit_code, 1) << check.output;
    EXPECT_TRUE(contains(check.output, "server.media_spool_dir: " + problem)) << check.output;
    EXPECT_FALSE(contains(check.output, "ok: configuration valid")) << check.output;
    auto serve = run_sluice({"serve", "--listen", "127.0.0.1:0"}, env);
    EXPECT_EQ(serve.exit_code, 1) << serve.output;
    EXPECT_TRUE(contains(serve.output, "server.media_spool_dir")) << serve.output;
  }
  // A spool directory to be created is fine, and check leaves nothing behind.
  const std::string parent = make_temp_dir();
  auto fine = run_sluice({"check", "--listen", "127.0.0.1:0"},
                         {{"SLUICE_STORAGE__DATA_DIR", data_dir},
                          {"SLUICE_SERVER__MEDIA_SPOOL_DIR", parent + "/spool/uploads"}});
  EXPECT_EQ(fine.exit_code, 0) << fine.output;
  EXPECT_EQ(std::filesystem::directory_iterator(parent), std::filesystem::directory_iterator())
      << "check left something in " << parent;
}

TEST(CliTest, CheckProbesEveryProvider) {
  Listener reachable;
  ASSERT_TRUE(reachable.ok());
  const std::string up = "http://" + reachable.address() + "/v1";
  TempFile config(
      "gateway:\n  providers:\n"
      "    - { name: up, type: openai, base_url: \"" +
      up +
      "\" }\n"
      "    - { name: down, type: openai, base_url: \"http://127.0.0.1:1/v1\" }\n");
  auto r = run_sluice({"check", "--config", config.path(), "--listen", "127.0.0.1:0"},
                      {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "gateway.providers.1.base_url: provider down is unreachable"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "providers.0")) << r.output;
}

TEST(CliTest, HealthcheckFollowsLivez) {
  auto server = start_server();
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port()) + "/livez";
  EXPECT_EQ(run_sluice({"healthcheck", "--url", url}).exit_code, 0);
  const std::string port_only = "127.0.0.1:" + std::to_string(server->port());
  EXPECT_EQ(run_sluice({"healthcheck", "--listen", port_only}).exit_code, 0);
  server.reset();  // killed: nothing answers any more
  auto dead = run_sluice({"healthcheck", "--url", url});
  EXPECT_EQ(dead.exit_code, 1);
  EXPECT_TRUE(contains(dead.output, "unhealthy")) << dead.output;
}

// Every loop's listener sets SO_REUSEPORT, which would let a second sluice share the port (and its
// traffic) without a word: serve refuses a port another process listens on.
TEST(CliTest, ServeRefusesAPortAnotherServerListensOn) {
  auto first = start_server();
  const std::string listen = "127.0.0.1:" + std::to_string(first->port());
  auto second =
      run_sluice({"serve", "--listen", listen}, {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_NE(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "server.listen")) << second.output;
  EXPECT_TRUE(contains(second.output, "Address already in use")) << second.output;
  auto still = http_request(first->port(), "GET", "/livez");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

TEST(CliTest, PortVariableBindsAllInterfaces) {
  SluiceProcess process({"serve"}, {{"PORT", "0"},
                                    {"SLUICE_STORAGE__DATA_DIR", make_temp_dir()},
                                    {"SLUICE_LOG__FORMAT", "json"}});
  ASSERT_GT(process.wait_listening(), 0) << process.output();
  EXPECT_TRUE(contains(process.output(), "\"host\":\"0.0.0.0\"")) << process.output();
  auto r = http_request(process.port(), "GET", "/livez");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(CliTest, VersionAndUnknownCommand) {
  auto version = run_sluice({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(contains(version.output, "sluice 0.")) << version.output;
  auto unknown = run_sluice({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.output, "usage:")) << unknown.output;
}

TEST(CliTest, DevProfileLogsReadableText) {
  SluiceProcess process({"serve", "--listen", "127.0.0.1:0"},
                        {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  ASSERT_GT(process.wait_listening(), 0) << process.output();
  ASSERT_TRUE(http_request(process.port(), "GET", "/livez"));
  process.signal(SIGTERM);
  ASSERT_TRUE(process.wait_exit(std::chrono::seconds(5)));
  const auto out = process.output();
  EXPECT_TRUE(contains(out, " INFO  listening ")) << out;
  EXPECT_TRUE(contains(out, "route=/livez")) << out;
  EXPECT_FALSE(contains(out, "{\"ts\"")) << out;
}

}  // namespace
}  // namespace sluice::testing
