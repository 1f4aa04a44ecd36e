#pragma once
// Keeps a JwtVerifier's keys in step with a JWKS file: the file is looked at every period (its
// inode, modification time and size; its content's digest when those change), and a new valid key
// set replaces the old one without a restart. An unreadable or invalid file leaves the last good
// set in place, logged once per change and counted.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "auth/jwt_verifier.hpp"
#include "auth/secret_digest.hpp"
#include "core/result.hpp"

namespace sluice::ops {
class Registry;
}

namespace sluice::auth {

class JwksWatcher {
 public:
  // `verifier` must outlive the watcher.
  JwksWatcher(std::string path, JwtVerifier& verifier);

  // Blocking: reads the file and installs its keys; an error names the file and the fault.
  Status load();
  // Blocking: installs the file's keys if it changed since the last look and is valid.
  void poll();
  // poll() every `period` on the blocking pool, for as long as its event loop runs.
  boost::asio::awaitable<void> run(std::chrono::milliseconds period);

  // sluice_jwks_reloads_total{result="applied"|"rejected"}. `this` must outlive `registry`'s
  // renders.
  void register_metrics(ops::Registry& registry);
  uint64_t applied() const { return applied_.load(std::memory_order_relaxed); }
  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  // What stat(2) says of the file: a rename over it (or a swapped symlink, as Kubernetes mounts
  // do) changes the inode even within one tick of the modification time.
  struct Stamp {
    int64_t inode = -1;
    int64_t modified_ns = -1;
    int64_t size = -1;
    bool operator==(const Stamp&) const = default;
  };
  Stamp stamp() const;
  // Reads the file (when its stamp moved), then installs its keys when its content changed.
  // Unchanged content is success; `changed` says whether there was anything new to judge.
  Status reload(bool& changed);

  const std::string path_;
  JwtVerifier& verifier_;
  std::optional<Stamp> seen_;  // the file's stamp at the last look; all -1 = unreadable
  bool unreadable_ = false;    // the last read failed
  Digest content_{};           // the digest of the content last judged
  bool judged_ = false;        // whether content_ holds anything yet
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace sluice::auth
