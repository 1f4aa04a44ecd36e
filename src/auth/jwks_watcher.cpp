#include "auth/jwks_watcher.hpp"

#include <sys/stat.h>

#include "ops/logger.hpp"
#include "ops/metrics.hpp"
#include "ops/periodic.hpp"

namespace sluice::auth {

JwksWatcher::JwksWatcher(std::string path, JwtVerifier& verifier)
    : path_(std::move(path)), verifier_(verifier) {}

JwksWatcher::Stamp JwksWatcher::stamp() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return {};
  return {static_cast<int64_t>(st.st_ino),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_size)};
}

Status JwksWatcher::reload(bool& changed) {
  changed = false;
  seen_ = stamp();
  auto text = read_jwks_file(path_);
  if (!text) {
    changed = !unreadable_;  // a file that stays missing is reported once
    unreadable_ = true;
    judged_ = false;  // whatever comes next is news
    return text.error();
  }
  unreadable_ = false;
  Digest digest;
  if (!digest_of(*text, digest)) return make_error(Errc::internal, "SHA-256 is unavailable");
  if (judged_ && digest == content_) return Status::success();
  changed = true;
  content_ = digest;
  judged_ = true;
  auto keys = parse_jwks(*text);
  if (!keys) return make_error(Errc::invalid_request, path_ + ": " + keys.error().message);
  for (const std::string& skipped : keys->skipped)
    ops::logger().warn("JWKS key left out", {{"key", "auth.jwt.jwks_file"}, {"reason", skipped}});
  verifier_.set_keys(std::make_shared<const JwkSet>(std::move(*keys)));
  return Status::success();
}

Status JwksWatcher::load() {
  bool changed = false;
  return reload(changed);
}

void JwksWatcher::poll() {
  if (seen_ && stamp() == *seen_) return;
  bool changed = false;
  Status status = reload(changed);
  if (!changed) return;
  if (status) {
    applied_.fetch_add(1, std::memory_order_relaxed);
    ops::logger().info("JWKS reloaded",
                       {{"key", "auth.jwt.jwks_file"},
                        {"keys", static_cast<long long>(verifier_.keys()->keys.size())}});
    return;
  }
  rejected_.fetch_add(1, std::memory_order_relaxed);
  ops::logger().error("JWKS not reloaded: the last valid keys stay in use",
                      {{"key", "auth.jwt.jwks_file"}, {"error", status.error().message}});
}

boost::asio::awaitable<void> JwksWatcher::run(std::chrono::milliseconds period) {
  co_await ops::repeat_blocking(period, [this] { poll(); });
}

void JwksWatcher::register_metrics(ops::Registry& registry) {
  registry.add_collector([this](ops::MetricSink& out) {
    ops::write_family_header(out, "sluice_jwks_reloads_total",
                             "JWKS file changes: applied, or rejected (the last valid keys stay).",
                             "counter");
    ops::write_sample(out, "sluice_jwks_reloads_total", {{"result", "applied"}},
                      static_cast<double>(applied()));
    ops::write_sample(out, "sluice_jwks_reloads_total", {{"result", "rejected"}},
                      static_cast<double>(rejected()));
  });
}

}  // namespace sluice::auth
