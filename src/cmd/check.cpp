#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "api/upload_spool.hpp"
#include "auth/jwks.hpp"
#include "cmd/cli_args.hpp"
#include "cmd/commands.hpp"
#include "cmd/proxy_probe.hpp"
#include "cmd/tcp_probe.hpp"
#include "core/config_values.hpp"
#include "core/provider_discovery.hpp"
#include "http/bind_probe.hpp"
#include "http/upstream_client.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::cmd {
namespace {

using Problems = std::vector<core::ConfigError>;

// A database already in the directory must open and have a schema this binary can migrate to
// (older or current); serve creates a missing one.
void probe_database(const std::string& dir, Problems& problems) {
  auto version = store::probe_sqlite_store(dir);
  if (version) return;
  problems.push_back({"storage.data_dir",
                      "the database " + store::sqlite_path(dir) + ": " + version.error().message,
                      "restore it from a backup, run the sluice version that wrote it, or "
                      "choose another directory"});
}

// `dir` when it exists, else its nearest existing ancestor (serve creates the rest); `missing`
// says which.
std::filesystem::path nearest_existing(const std::string& dir, bool& missing) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path existing = fs::absolute(dir, ec);
  missing = false;
  while (!fs::exists(existing, ec) && existing.has_relative_path()) {
    existing = existing.parent_path();
    missing = true;
  }
  return existing;
}

// The data directory must exist and be writable, or its nearest existing ancestor must be (serve
// creates the rest). Checked with access(2), so that check creates and writes nothing.
void probe_data_dir(const core::Config& config, Problems& problems) {
  namespace fs = std::filesystem;
  const std::string& dir = config.storage.data_dir;
  const auto fix = "choose a writable path or fix the directory's permissions";
  std::error_code ec;
  bool missing = false;
  const fs::path existing = nearest_existing(dir, missing);
  const std::string what =
      missing ? "cannot create '" + dir + "': '" + existing.string() + "'" : "'" + dir + "'";
  if (!fs::is_directory(existing, ec)) {
    problems.push_back({"storage.data_dir", what + " is not a directory", fix});
  } else if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    problems.push_back({"storage.data_dir", what + " is not writable", fix});
  } else if (!missing) {
    probe_database(dir, problems);
  }
}

// server.media_spool_dir, when set (else the spool is in the data directory, probed above), must
// be a directory that holds a temporary file, or be creatable: serve refuses to start otherwise.
// The probes leave nothing behind: the file has no name, the directory made to test creating one
// is removed.
void probe_spool_dir(const core::Config& config, Problems& problems) {
  namespace fs = std::filesystem;
  const std::string& dir = config.server.media_spool_dir;
  if (dir.empty()) return;
  const auto key = "server.media_spool_dir";
  const auto fix =
      "choose a writable directory (with a read-only root file system, one on a volume), or "
      "leave it unset to use storage.data_dir";
  std::error_code ec;
  bool missing = false;
  const fs::path existing = nearest_existing(dir, missing);
  if (!fs::is_directory(existing, ec)) {
    problems.push_back(
        {key,
         (missing ? "cannot create '" + dir + "': '" + existing.string() + "'" : "'" + dir + "'") +
             " is not a directory",
         fix});
    return;
  }
  if (missing) {
    std::string trial = (existing / ".sluice-check-XXXXXX").string();
    if (::mkdtemp(trial.data()) == nullptr) {
      problems.push_back(
          {key,
           "cannot create '" + dir + "' in '" + existing.string() + "': " + std::strerror(errno),
           fix});
      return;
    }
    ::rmdir(trial.c_str());
    return;
  }
  if (const int error = api::UploadSpool::probe(dir); error != 0)
    problems.push_back(
        {key,
         "cannot make the upload spool's temporary files in '" + dir + "': " + std::strerror(error),
         fix});
}

// Binds the listen address briefly: catches a taken port or a foreign address before serving.
void probe_listen(const core::Config& config, Problems& problems) {
  const auto& server = config.server;
  const int bind_errno = http::probe_bind(server.host, static_cast<uint16_t>(server.port));
  if (bind_errno == 0) return;
  const std::string where = server.listen;
  if (bind_errno == EADDRINUSE)
    problems.push_back({"server.listen", where + " is already in use",
                        "stop the process holding the port, or set server.listen / PORT"});
  else if (bind_errno == EACCES)
    problems.push_back(
        {"server.listen", "binding " + where + " needs privileges", "use a port above 1023"});
  else
    problems.push_back({"server.listen", "cannot bind " + where + ": " + std::strerror(bind_errno),
                        "use an address of this machine, e.g. 0.0.0.0 or 127.0.0.1"});
}

// Through an egress proxy: a CONNECT tunnel to an https upstream (which also proves the
// credentials and the proxy's rules), only a TCP connection to the proxy for an http one (its
// forwarding can be tried only with a request).
bool reachable_through(const core::ProxyUrl& proxy, const http::UpstreamEndpoint& upstream,
                       std::chrono::milliseconds timeout, std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (upstream.tls) return probe_tunnel(proxy, upstream.host, upstream.port, deadline, error);
  std::string reason;
  const int fd = connect_before(proxy.host, proxy.port, deadline, reason);
  if (fd >= 0) {
    ::close(fd);
    return true;
  }
  error = "egress proxy " + proxy.authority() + " is unreachable: " + reason;
  return false;
}

// One line on where outbound calls go when an egress proxy is involved: the proxy for each
// scheme (password redacted) and the no_proxy list, each with what set it.
void print_egress_settings(const core::Config& config) {
  const core::EgressProxyConfig& e = config.egress_proxy;
  bool overridden = false;
  for (const auto& provider : config.gateway.providers)
    overridden = overridden || !provider.egress_proxy.empty();
  if (e.https_from.empty() && e.http_from.empty() && e.no_proxy_hosts.empty() && !overridden)
    return;
  const auto describe = [&e](const std::string& url, const std::string& from) -> std::string {
    if (from.empty()) return "direct";
    if (url.empty()) return "direct (" + from + ": none)";
    auto proxy = core::ProxyUrl::parse(url);  // validated at load
    if (proxy && !e.password.empty()) proxy->password = e.password;
    return "via " + (proxy ? proxy->redacted() : std::string("?")) + " (" + from + ")";
  };
  std::string no_proxy;
  for (const std::string& entry : e.no_proxy_hosts)
    no_proxy += (no_proxy.empty() ? "" : ",") + entry;
  std::fprintf(stderr, "egress proxy: https upstreams %s; http upstreams %s; no_proxy: %s\n",
               describe(e.https_url, e.https_from).c_str(),
               describe(e.http_url, e.http_from).c_str(),
               no_proxy.empty() ? "none" : (no_proxy + " (" + e.no_proxy_from + ")").c_str());
  for (const auto& provider : config.gateway.providers)
    if (provider.type != "mock")
      std::fprintf(
          stderr, "egress proxy: provider %s %s (%s)\n", provider.name.c_str(),
          provider.egress.proxy ? ("via " + provider.egress.proxy->redacted()).c_str() : "direct",
          provider.egress.decided_by.c_str());
}

// Every upstream provider must be reachable: DNS and a TCP connection (not a request: that
// would spend tokens or hit rate limits).
void probe_providers(const core::Config& config, Problems& problems) {
  constexpr auto kTimeout = std::chrono::seconds(3);
  for (std::size_t i = 0; i < config.gateway.providers.size(); ++i) {
    const auto& provider = config.gateway.providers[i];
    if (provider.type == "mock") continue;
    const std::string key = "gateway.providers." + std::to_string(i) + ".base_url";
    if (const std::string redacted = core::redact_url_credentials(provider.base_url);
        redacted != provider.base_url) {
      // Not probed: the host would be resolved with the credentials in it, and echoed.
      problems.push_back({key, "'" + redacted + "' has user info, which is not sent upstream",
                          "remove it and put the credential in api_key"});
      continue;
    }
    auto endpoint = http::UpstreamEndpoint::parse(provider.base_url);
    if (!endpoint) {
      problems.push_back({key, endpoint.error().message, "use http(s)://host[:port][/path]"});
      continue;
    }
    std::string error;
    if (provider.egress.proxy) {
      if (reachable_through(*provider.egress.proxy, *endpoint, kTimeout, error)) continue;
      problems.push_back(
          {provider.egress.decided_by,
           "provider " + provider.name + " is unreachable through the egress proxy: " + error,
           "check the proxy's address and credentials (the URL's user, "
           "egress_proxy.password), that it allows CONNECT to " +
               endpoint->host + ":" + endpoint->port +
               ", or exempt the host with egress_proxy.no_proxy / NO_PROXY"});
      continue;
    }
    const int fd = connect_before(endpoint->host, endpoint->port,
                                  std::chrono::steady_clock::now() + kTimeout, error);
    if (fd >= 0) {
      ::close(fd);
      continue;
    }
    problems.push_back({key,
                        "provider " + provider.name + " is unreachable at " + endpoint->host + ":" +
                            endpoint->port + ": " + error,
                        "check the URL, DNS and egress rules (proxies, firewalls)"});
  }
}

// The JWKS file must be readable and hold at least one usable signature key, as serve requires.
void probe_jwks(const core::Config& config, Problems& problems) {
  if (config.auth.jwt.jwks_file.empty()) return;
  auto keys = auth::load_jwks_file(config.auth.jwt.jwks_file);
  if (keys) return;
  problems.push_back({"auth.jwt.jwks_file", keys.error().message,
                      "point it at the identity provider's JWKS ({\"keys\":[...]}) with its RSA "
                      "or EC P-256 signing keys"});
}

// The trace collector is probed like a provider, but an unreachable one is a warning: the server
// serves without it (spans are dropped and counted), so it must not fail a pre-deploy check.
void warn_if_collector_unreachable(const core::TracingConfig& tracing) {
  if (!tracing.enabled()) return;
  const std::string key =
      tracing.traces_endpoint.empty() ? "tracing.endpoint" : "tracing.traces_endpoint";
  const std::string url = tracing.traces_url();
  auto endpoint = http::UpstreamEndpoint::parse(url);
  std::string error;
  if (endpoint && tracing.egress.proxy) {
    if (reachable_through(*tracing.egress.proxy, *endpoint, std::chrono::seconds(3), error)) return;
  } else if (endpoint) {
    const int fd =
        connect_before(endpoint->host, endpoint->port,
                       std::chrono::steady_clock::now() + std::chrono::seconds(3), error);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
  } else {
    error = endpoint.error().message;
  }
  std::fprintf(stderr,
               "warning: %s: the trace collector at %s is unreachable (%s); spans are dropped "
               "until it answers\n",
               key.c_str(), core::redact_url_credentials(url).c_str(), error.c_str());
}

}  // namespace

int run_check(int argc, char** argv, int first) {
  auto args = parse_cli_args_or_report(argc, argv, first, "check");
  if (!args) return args.error();
  auto config = load_config_or_report(*args);
  if (!config) return config.error();
  if (args->print) std::fputs(core::render_effective_config(*config).c_str(), stdout);
  if (const std::string warning = core::fake_answers_warning(config->gateway); !warning.empty())
    std::fprintf(stderr, "warning: gateway.providers: %s\n", warning.c_str());
  print_egress_settings(*config);
  Problems problems;
  probe_data_dir(*config, problems);
  probe_spool_dir(*config, problems);
  probe_listen(*config, problems);
  probe_providers(*config, problems);
  probe_jwks(*config, problems);
  warn_if_collector_unreachable(config->tracing);
  if (!problems.empty()) {
    print_config_errors(problems);
    return 1;
  }
  std::fprintf(stderr, "ok: configuration valid (profile %s, listen %s:%u)\n",
               std::string(core::to_string(config->profile)).c_str(), config->server.host.c_str(),
               static_cast<unsigned>(config->server.port));
  return 0;
}

}  // namespace sluice::cmd
