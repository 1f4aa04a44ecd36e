#pragma once

#include "core/config.hpp"

namespace sluice::core {

// The single list of configuration keys. The loader binds YAML to `c` through it, the printer
// renders `c` through it, and the loader derives the set of valid env/override paths from it, so
// a key added here is loadable, overridable by env and printed with no other change.
//
// A Visitor provides:
//   section(name, fn)           a nested mapping; fn() describes its keys
//   list(name, vector, fn)      a sequence of mappings; fn(item&) describes one item's keys
//   field(name, T&)             a scalar: std::string, int, bool, Millis (a duration),
//                               LogLevel, LogFormat, or std::vector<std::string>
//   bytes(name, std::size_t&)   a byte size ("16KiB"), printed as an integer
//   secret(name, std::string&)  a secret string; also readable from `<name>_file`, never printed
template <class Visitor>
void describe_config(Visitor& v, Config& c) {
  v.section("server", [&] {
    v.field("listen", c.server.listen);
    v.field("threads", c.server.threads);
    v.field("max_connections", c.server.max_connections);
    v.bytes("max_header_bytes", c.server.max_header_bytes);
    v.bytes("max_body_bytes", c.server.max_body_bytes);
    v.field("header_timeout", c.server.header_timeout);
    v.field("body_timeout", c.server.body_timeout);
    v.field("idle_timeout", c.server.idle_timeout);
  });
  v.section("log", [&] {
    v.field("level", c.log.level);
    v.field("format", c.log.format);
    v.field("access_log", c.log.access_log);
  });
  v.section("metrics", [&] {
    v.field("enabled", c.metrics.enabled);
    v.field("path", c.metrics.path);
  });
  v.section("shutdown", [&] {
    v.field("drain_delay", c.shutdown.drain_delay);
    v.field("grace", c.shutdown.grace);
  });
  v.section("auth", [&] {
    v.list("api_keys", c.auth.api_keys, [&](ApiKeyConfig& key) {
      v.field("name", key.name);
      v.secret("key", key.key);
      v.field("role", key.role);
    });
  });
  v.section("cors", [&] {
    v.field("allow_origins", c.cors.allow_origins);
    v.field("allow_credentials", c.cors.allow_credentials);
    v.field("max_age", c.cors.max_age);
  });
  v.section("storage", [&] { v.field("data_dir", c.storage.data_dir); });
}

}  // namespace sluice::core
