#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/result.hpp"
#include "rag/collection_index.hpp"
#include "rag/ingest_handoff.hpp"
#include "store/store.hpp"

namespace boost::asio {
class thread_pool;
}

namespace sluice::rag {

struct IndexRegistryOptions {
  std::string snapshot_dir;                             // empty: no snapshots
  std::chrono::milliseconds follow_interval{1000};      // poll for changes made by other processes
  std::chrono::milliseconds snapshot_interval{30'000};  // at most one snapshot per collection per
  int page_size = 1000;                                 // rows per store call while rebuilding
  // Committed versions handed over by this process' ingest, held until the follower applies
  // them (beyond this, they are read back from the store).
  std::size_t handoff_max_bytes = 16 << 20;
};

// Every collection's indexes, kept in step with the store.
//
// Start: each collection is loaded on the blocking pool from its snapshot when the snapshot was
// taken at the store's change_seq, else rebuilt from the store (all chunks, then the changes made
// meanwhile); a stale or corrupt snapshot is ignored, never trusted. A load that fails (store
// error) is tried again at the next poll; a collection that cannot be indexed at all (unknown
// language) does not hold readiness back, and its searches fail with the reason.
// Following: a thread of its own applies changes_since for collections named by notify()
// (coalesced: a burst costs one catch-up) and for all of them every follow_interval, picks up new
// collections and drops deleted ones. Snapshots are written after a rebuild, at most every
// snapshot_interval while changes arrive, and at stop().
class IndexRegistry {
 public:
  IndexRegistry(store::Store& store, boost::asio::thread_pool& pool, IndexRegistryOptions options);
  ~IndexRegistry();  // stop()
  IndexRegistry(const IndexRegistry&) = delete;
  IndexRegistry& operator=(const IndexRegistry&) = delete;

  // Lists the collections, schedules their loads and starts following. Fails only when the
  // store cannot list collections.
  Status start();
  // Stops following, then snapshots every collection changed since its last snapshot.
  void stop();

  // A collection changed (ingest workers call it after each commit); cheap, never blocks.
  // `ingested`: versions this process has committed there, applied from memory while each is
  // still its document's latest change (see IngestHandoff), read from the store otherwise.
  void notify(const std::string& collection_id, std::vector<store::IngestedVersion> ingested = {});
  std::function<void(const std::string&, std::vector<store::IngestedVersion>)> change_listener() {
    return [this](const std::string& collection_id, std::vector<store::IngestedVersion> ingested) {
      notify(collection_id, std::move(ingested));
    };
  }

  // Readiness: every collection present at start has loaded.
  bool ready() const { return initial_pending_.load() == 0; }
  std::size_t loading() const;
  std::size_t chunk_count() const;

  // By id or name: not_found for an unknown collection, unavailable (code collection_loading)
  // while it loads.
  Result<std::shared_ptr<const CollectionIndex>> find(const std::string& collection) const;

  // One follower step for every collection, now: discovery, catch-up, due snapshots. Blocks.
  void sync();

  struct Stats {
    uint64_t rebuilds = 0;
    uint64_t snapshot_loads = 0;
    uint64_t snapshots_written = 0;
    uint64_t follow_steps = 0;  // notified or periodic catch-ups run by the follower
    uint64_t handed_over = 0;   // changes applied from ingested versions, without a store read
  };
  Stats stats() const;

 private:
  struct Entry {
    std::string name;                        // its key (store::collection_key)
    std::shared_ptr<CollectionIndex> index;  // null while loading
    bool loading = false;                    // a load is scheduled or running
    bool initial = false;                    // present at start: readiness waits for it
    std::optional<Error> failure;            // it cannot be indexed (its language has no tokenizer)
    int64_t snapshot_version = -1;           // the version of its last snapshot
    std::chrono::steady_clock::time_point snapshot_at;
  };

  using StoreSequences = std::unordered_map<std::string, int64_t>;  // collection id -> change_seq

  void follow();
  // Lists the store's collections: registers new ones (scheduling their loads), drops deleted
  // ones. Their change sequences; nullopt when the store cannot list them.
  std::optional<StoreSequences> discover();
  void schedule_load(const std::string& id);
  void load(const std::string& id);
  Result<std::shared_ptr<CollectionIndex>> rebuild(const store::Collection& collection);
  // Applies the collection's changes after index.version(); not_found once it is deleted.
  Status catch_up(CollectionIndex& index);
  Status apply(CollectionIndex& index, const store::DocumentChange& change);
  // Catches up the loaded collections (`only` those, when given), skipping those `known` lists
  // at their index's version; writes the snapshots that are due.
  void catch_up_all(const std::unordered_set<std::string>* only,
                    const StoreSequences* known = nullptr);
  void drop(const std::string& id);
  void snapshot(const std::string& id, bool only_when_due);
  void finish_initial(Entry& entry);

  store::Store& store_;
  boost::asio::thread_pool& pool_;
  IndexRegistryOptions options_;

  mutable std::shared_mutex mutex_;                     // guards entries_ and names_
  std::unordered_map<std::string, Entry> entries_;      // by collection id
  std::unordered_map<std::string, std::string> names_;  // name -> id
  std::atomic<std::size_t> initial_pending_{0};
  std::atomic<int> loads_in_flight_{0};

  std::mutex sync_mutex_;  // one writer per index: the follower or a direct sync()
  std::mutex follow_mutex_;
  std::condition_variable wake_;
  std::unordered_set<std::string> pending_;  // notified, not yet caught up
  bool stopping_ = false;
  std::thread follower_;

  IngestHandoff handoff_;
  std::atomic<uint64_t> rebuilds_{0}, snapshot_loads_{0}, snapshots_written_{0}, follow_steps_{0},
      handed_over_{0};
};

}  // namespace sluice::rag
