#pragma once

#include <functional>

#include "core/result.hpp"
#include "store/audit_store.hpp"
#include "store/collection_store.hpp"
#include "store/document_store.hpp"
#include "store/job_queue.hpp"
#include "store/key_store.hpp"
#include "store/session_store.hpp"
#include "store/usage_store.hpp"

namespace sluice::store {

// Everything the services persist, one interface per aggregate. Calls block (disk, locks): run
// them on the blocking pool (ops::run_blocking), never on an event loop. Thread-safe.
class Store {
 public:
  virtual ~Store() = default;

  virtual CollectionStore& collections() = 0;
  virtual DocumentStore& documents() = 0;
  virtual JobQueue& jobs() = 0;
  virtual SessionStore& sessions() = 0;
  virtual KeyStore& keys() = 0;
  virtual UsageStore& usage() = 0;
  virtual AuditStore& audit() = 0;
  // Runs `calls` (store calls only) so that the writes they make on this thread commit together
  // at its end: cheaper than a commit each. Inside, a write's success is provisional; an error
  // from batch means none of them took effect.
  virtual Status batch(const std::function<void()>& calls) = 0;
  // Readiness: the database answers and its schema is the one this binary writes.
  virtual Status check() = 0;
  // The schema version the database is at; -1 when it cannot be read.
  virtual int schema_version() = 0;
};

}  // namespace sluice::store
