#include "rag/index_registry.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "ops/logger.hpp"
#include "rag/collection_snapshot.hpp"

namespace sluice::rag {
namespace {

long long as_number(std::size_t value) { return static_cast<long long>(value); }

// The code_detail of an index too far behind the change log to follow it.
constexpr const char* kChangeLogPruned = "change_log_pruned";

// An index at `version` can follow the change log from there, unless removals after it were
// pruned from the log (their tombstones expired).
Status log_covers(const store::Collection& collection, int64_t version) {
  if (version >= collection.removals_pruned_seq) return {};
  return make_error(Errc::conflict,
                    "the index is at change " + std::to_string(version) +
                        ", and removals up to change " +
                        std::to_string(collection.removals_pruned_seq) +
                        " are no longer in the change log (rag.tombstone_retention)",
                    "collection", kChangeLogPruned);
}

}  // namespace

IndexRegistry::IndexRegistry(store::Store& store, boost::asio::thread_pool& pool,
                             IndexRegistryOptions options)
    : store_(store),
      pool_(pool),
      options_(std::move(options)),
      handoff_(options_.handoff_max_bytes) {}

IndexRegistry::~IndexRegistry() { stop(); }

Status IndexRegistry::start() {
  std::vector<std::string> ids;
  std::string cursor;
  do {
    auto page = store_.collections().list(cursor, store::kMaxPageLimit);
    if (!page) return page.error();
    std::unique_lock lock(mutex_);
    for (store::Collection& collection : page->items) {
      Entry& entry = entries_[collection.id];
      entry.name = store::collection_key(collection.tenant, collection.name);
      entry.initial = true;
      names_[entry.name] = collection.id;
      ids.push_back(collection.id);
    }
    cursor = std::move(page->next_cursor);
  } while (!cursor.empty());
  initial_pending_ = ids.size();
  for (const std::string& id : ids) schedule_load(id);
  follower_ = std::thread([this] { follow(); });
  return {};
}

void IndexRegistry::stop() {
  {
    std::lock_guard lock(follow_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (follower_.joinable()) follower_.join();
  // Loads hold `this`: wait for them before the final snapshots.
  std::unique_lock lock(follow_mutex_);
  wake_.wait(lock, [this] { return loads_in_flight_.load() == 0; });
  lock.unlock();
  std::vector<std::string> ids;
  {
    std::shared_lock entries(mutex_);
    for (const auto& [id, entry] : entries_) ids.push_back(id);
  }
  std::lock_guard sync(sync_mutex_);
  for (const std::string& id : ids) snapshot(id, false);
}

void IndexRegistry::notify(const std::string& collection_id,
                           std::vector<store::IngestedVersion> ingested) {
  if (!ingested.empty()) {
    bool loaded = false;
    {
      std::shared_lock lock(mutex_);
      auto it = entries_.find(collection_id);
      loaded = it != entries_.end() && it->second.index;
    }
    // A collection still loading reads its changes back: its index does not follow yet.
    if (loaded)
      for (store::IngestedVersion& version : ingested)
        handoff_.offer(collection_id, std::move(version));
  }
  {
    std::lock_guard lock(follow_mutex_);
    pending_.insert(collection_id);
  }
  wake_.notify_all();
}

std::size_t IndexRegistry::loading() const {
  std::shared_lock lock(mutex_);
  std::size_t count = 0;
  for (const auto& [id, entry] : entries_) count += entry.index || entry.failure ? 0 : 1;
  return count;
}

std::size_t IndexRegistry::chunk_count() const {
  std::shared_lock lock(mutex_);
  std::size_t count = 0;
  for (const auto& [id, entry] : entries_)
    if (entry.index) count += entry.index->chunk_count();
  return count;
}

Result<std::shared_ptr<const CollectionIndex>> IndexRegistry::find(
    const std::string& collection) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(collection);
  if (it == entries_.end()) {
    auto named = names_.find(collection);
    if (named != names_.end()) it = entries_.find(named->second);
  }
  if (it == entries_.end()) return store::collection_not_found(collection);
  if (it->second.failure) return *it->second.failure;
  if (!it->second.index)
    return make_error(Errc::unavailable,
                      "collection '" + std::string(store::collection_name_of(collection)) +
                          "' is loading its indexes; retry shortly",
                      "collection", "collection_loading");
  return std::shared_ptr<const CollectionIndex>(it->second.index);
}

IndexRegistry::Stats IndexRegistry::stats() const {
  return {rebuilds_.load(), snapshot_loads_.load(), snapshots_written_.load(), follow_steps_.load(),
          handed_over_.load()};
}

void IndexRegistry::schedule_load(const std::string& id) {
  {
    std::unique_lock lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.loading || it->second.index) return;
    it->second.loading = true;
  }
  ++loads_in_flight_;
  boost::asio::post(pool_, [this, id] {
    load(id);
    {
      std::lock_guard lock(follow_mutex_);
      --loads_in_flight_;
    }
    wake_.notify_all();
  });
}

void IndexRegistry::finish_initial(Entry& entry) {
  if (entry.initial) {
    entry.initial = false;
    --initial_pending_;
  }
}

void IndexRegistry::load(const std::string& id) {
  auto& log = ops::logger();
  const auto started = std::chrono::steady_clock::now();
  const auto fail = [&](const Error& error) {
    log.warn("cannot load a collection's indexes; trying again at the next poll",
             {{"collection", id}, {"error", error.message}});
    std::unique_lock lock(mutex_);
    if (auto it = entries_.find(id); it != entries_.end()) it->second.loading = false;
  };
  auto collection = store_.collections().get(id);
  if (!collection) {
    if (collection.error().code == Errc::not_found) return drop(id);
    return fail(collection.error());
  }
  std::shared_ptr<CollectionIndex> index;
  bool rebuilt = false;
  if (!options_.snapshot_dir.empty()) {
    auto loaded = load_collection_snapshot(*collection, options_.snapshot_dir);
    if (loaded) {
      if (Status covered = log_covers(*collection, (*loaded)->version()); !covered)
        loaded = covered.error();
    }
    if (loaded) {
      index = std::move(loaded.value());
      ++snapshot_loads_;
    } else if (loaded.error().code != Errc::not_found) {
      log.info("index snapshot ignored; rebuilding from the store",
               {{"collection", id}, {"reason", loaded.error().message}});
    }
  }
  if (!index) {
    auto built = rebuild(*collection);
    if (!built && built.error().code == Errc::invalid_request) {
      log.error("collection cannot be indexed",
                {{"collection", id}, {"error", built.error().message}});
      std::unique_lock lock(mutex_);
      if (auto it = entries_.find(id); it != entries_.end()) {
        it->second.failure =
            make_error(Errc::internal, "collection '" +
                                           std::string(store::collection_name_of(it->second.name)) +
                                           "' cannot be indexed: " + built.error().message);
        it->second.loading = false;
        finish_initial(it->second);
      }
      return;
    }
    if (!built) return fail(built.error());
    index = std::move(built.value());
    rebuilt = true;
    ++rebuilds_;
  }
  const int64_t loaded_version = index->version();
  {
    std::unique_lock lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;  // deleted meanwhile
    Entry& entry = it->second;
    entry.index = index;
    entry.loading = false;
    entry.snapshot_at = std::chrono::steady_clock::now();
    if (!rebuilt) entry.snapshot_version = loaded_version;
    finish_initial(entry);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log.info("collection indexes loaded", {{"collection", id},
                                         {"from", rebuilt ? "store" : "snapshot"},
                                         {"chunks", as_number(index->chunk_count())},
                                         {"version", static_cast<long long>(loaded_version)},
                                         {"seconds", seconds}});
  if (rebuilt) {
    std::lock_guard sync(sync_mutex_);
    snapshot(id, false);
  }
}

Result<std::shared_ptr<CollectionIndex>> IndexRegistry::rebuild(
    const store::Collection& collection) {
  auto created = CollectionIndex::create(collection);
  if (!created) return created.error();
  std::shared_ptr<CollectionIndex> index = std::move(created.value());
  store::DocumentStore& documents = store_.documents();
  std::string cursor;
  do {
    auto page = documents.list(collection.id, cursor, options_.page_size);
    if (!page) return page.error();
    for (const store::Document& document : page->items) index->put_document(document);
    cursor = std::move(page->next_cursor);
  } while (!cursor.empty());
  do {
    auto page = documents.all_chunks(collection.id, cursor, options_.page_size);
    if (!page) return page.error();
    for (const store::Chunk& chunk : page->items) {
      if (index->add_chunk(chunk)) continue;
      // Its document arrived after the listing: the replay below settles it either way.
      if (auto document = documents.get(chunk.document_id)) {
        index->put_document(*document);
        index->add_chunk(chunk);
      }
    }
    cursor = std::move(page->next_cursor);
  } while (!cursor.empty());
  index->set_version(collection.change_seq);
  if (Status caught_up = catch_up(*index); !caught_up) return caught_up.error();
  return index;
}

Status IndexRegistry::apply(CollectionIndex& index, const store::DocumentChange& change) {
  if (change.kind == store::DocumentChange::Kind::removed) {
    index.remove_document(change.document_id);
    return {};
  }
  if (auto ingested = handoff_.take(index.collection().id, change)) {
    index.upsert_document(ingested->doc, ingested->chunks);
    ++handed_over_;
    return {};
  }
  auto document = store_.documents().get(change.document_id);
  auto chunks = document ? store_.documents().chunks_of(change.document_id)
                         : Result<std::vector<store::Chunk>>(document.error());
  if (!chunks) {
    // Removed since: its tombstone comes later in the log, and removing now is the same.
    if (chunks.error().code == Errc::not_found) {
      index.remove_document(change.document_id);
      return {};
    }
    return chunks.error();
  }
  index.upsert_document(*document, *chunks);
  return {};
}

Status IndexRegistry::catch_up(CollectionIndex& index) {
  const std::string& id = index.collection().id;
  // The store's sequence first: every change up to it is then in the log read below.
  auto collection = store_.collections().get(id);
  if (!collection) return collection.error();
  if (collection->change_seq == index.version()) return {};
  if (Status covered = log_covers(*collection, index.version()); !covered) return covered;
  int64_t seq = index.version();
  for (;;) {
    auto batch = store_.documents().changes_since(id, seq, options_.page_size);
    if (!batch) return batch.error();
    for (const store::DocumentChange& change : batch->changes)
      if (Status applied = apply(index, change); !applied) return applied;
    seq = batch->next_seq;
    index.set_version(seq);
    if (!batch->more) break;
  }
  index.set_version(std::max(seq, collection->change_seq));
  return {};
}

void IndexRegistry::drop(const std::string& id) {
  {
    std::unique_lock lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    finish_initial(it->second);
    if (auto named = names_.find(it->second.name); named != names_.end() && named->second == id)
      names_.erase(named);
    entries_.erase(it);
  }
  handoff_.forget_collection(id);
  if (!options_.snapshot_dir.empty()) remove_collection_snapshot(id, options_.snapshot_dir);
  ops::logger().info("collection indexes dropped", {{"collection", id}});
}

std::optional<IndexRegistry::StoreSequences> IndexRegistry::discover() {
  StoreSequences present;
  std::string cursor;
  do {
    auto page = store_.collections().list(cursor, store::kMaxPageLimit);
    if (!page) {
      ops::logger().warn("cannot list collections", {{"error", page.error().message}});
      return std::nullopt;
    }
    for (const store::Collection& collection : page->items) {
      present.emplace(collection.id, collection.change_seq);
      std::unique_lock lock(mutex_);
      if (entries_.try_emplace(collection.id).second) {
        std::string key = store::collection_key(collection.tenant, collection.name);
        names_[key] = collection.id;
        entries_[collection.id].name = std::move(key);
      }
    }
    cursor = std::move(page->next_cursor);
  } while (!cursor.empty());
  std::vector<std::string> gone, unloaded;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [id, entry] : entries_) {
      if (!present.contains(id))
        gone.push_back(id);
      else if (!entry.index && !entry.loading && !entry.failure)
        unloaded.push_back(id);
    }
  }
  for (const std::string& id : gone) drop(id);
  for (const std::string& id : unloaded) schedule_load(id);
  return present;
}

void IndexRegistry::catch_up_all(const std::unordered_set<std::string>* only,
                                 const StoreSequences* known) {
  std::vector<std::pair<std::string, std::shared_ptr<CollectionIndex>>> loaded;
  bool unknown = false;
  {
    std::shared_lock lock(mutex_);
    if (only) {
      for (const std::string& id : *only) {
        auto it = entries_.find(id);
        if (it == entries_.end())
          unknown = true;
        else if (it->second.index)
          loaded.emplace_back(id, it->second.index);
      }
    } else {
      for (const auto& [id, entry] : entries_)
        if (entry.index) loaded.emplace_back(id, entry.index);
    }
  }
  if (unknown) discover();
  for (auto& [id, index] : loaded) {
    if (known) {
      // Listed at its index's version: nothing to read.
      if (auto seq = known->find(id); seq != known->end() && seq->second == index->version()) {
        handoff_.forget_through(id, index->version());
        snapshot(id, true);
        continue;
      }
    }
    Status caught_up = catch_up(*index);
    if (!caught_up && caught_up.error().code == Errc::not_found) {
      drop(id);
    } else if (!caught_up && caught_up.error().code_detail == kChangeLogPruned) {
      // Too far behind to follow: loaded again, which rebuilds it from the store.
      ops::logger().warn("collection indexes rebuilt: they fell behind the change log",
                         {{"collection", id}, {"error", caught_up.error().message}});
      {
        std::unique_lock lock(mutex_);
        if (auto it = entries_.find(id); it != entries_.end() && it->second.index == index)
          it->second.index.reset();
      }
      schedule_load(id);
    } else if (!caught_up) {
      ops::logger().warn("cannot follow a collection's changes",
                         {{"collection", id}, {"error", caught_up.error().message}});
    } else {
      handoff_.forget_through(id, index->version());
      snapshot(id, true);
    }
  }
}

void IndexRegistry::snapshot(const std::string& id, bool only_when_due) {
  if (options_.snapshot_dir.empty()) return;
  std::shared_ptr<CollectionIndex> index;
  const auto now = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end() || !it->second.index) return;
    const Entry& entry = it->second;
    if (entry.snapshot_version == entry.index->version()) return;
    if (only_when_due && now - entry.snapshot_at < options_.snapshot_interval) return;
    index = entry.index;
  }
  const int64_t version = index->version();  // only this thread changes it (sync_mutex_)
  if (Status saved = save_collection_snapshot(*index, options_.snapshot_dir); !saved) {
    ops::logger().warn("cannot write an index snapshot",
                       {{"collection", id}, {"error", saved.error().message}});
    return;
  }
  ++snapshots_written_;
  std::unique_lock lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) {
    it->second.snapshot_version = version;
    it->second.snapshot_at = now;
  }
}

void IndexRegistry::sync() {
  std::lock_guard sync(sync_mutex_);
  const auto known = discover();
  catch_up_all(nullptr, known ? &*known : nullptr);
}

void IndexRegistry::follow() {
  auto next_poll = std::chrono::steady_clock::now() + options_.follow_interval;
  std::unique_lock lock(follow_mutex_);
  while (!stopping_) {
    wake_.wait_until(lock, next_poll, [this] { return stopping_ || !pending_.empty(); });
    if (stopping_) break;
    std::unordered_set<std::string> notified;
    notified.swap(pending_);
    const bool poll = std::chrono::steady_clock::now() >= next_poll;
    lock.unlock();
    ++follow_steps_;
    {
      std::lock_guard sync_lock(sync_mutex_);
      if (poll) {
        // One listing tells which collections moved: idle ones cost no further query.
        const auto known = discover();
        catch_up_all(nullptr, known ? &*known : nullptr);
      } else {
        catch_up_all(&notified);
      }
    }
    lock.lock();
    if (poll) next_poll = std::chrono::steady_clock::now() + options_.follow_interval;
  }
}

}  // namespace sluice::rag
