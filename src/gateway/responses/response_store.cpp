#include "gateway/responses/response_store.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <list>
#include <mutex>
#include <unordered_map>

namespace sluice::gateway {
namespace {

// What a string holds beyond its own struct once trimmed: nothing while it fits the small-string
// buffer, else its text and terminator.
std::size_t heap_bytes(std::string_view text) {
  static const std::size_t kLocalCapacity = std::string().capacity();
  return text.size() > kLocalCapacity ? text.size() + 1 : 0;
}

// Trims every buffer to its contents (libstdc++ reallocates to the exact size, or into the
// small-string buffer), so that what accounted_bytes counts is what is held.
void trim(StoredResponse& response) {
  for (std::string* text :
       {&response.owner, &response.input, &response.object, &response.input_items})
    text->shrink_to_fit();
  for (StoredItem& item : response.output) {
    item.id.shrink_to_fit();
    item.chat_message.shrink_to_fit();
  }
  for (StoredInputItem& item : response.inputs) item.id.shrink_to_fit();
  response.output.shrink_to_fit();
  response.inputs.shrink_to_fit();
}

}  // namespace

struct ResponseStore::Index {
  struct Entry {
    std::string id;
    std::shared_ptr<const StoredResponse> response;
    std::size_t bytes = 0;
    std::uint64_t sequence = 0;  // the order of puts: the latest holder of an item id answers
  };
  using List = std::list<Entry>;  // nodes never move: the maps' keys view their strings

  // An item is its owner's: the same id stored by two tenants is two items.
  struct ItemKey {
    std::string_view owner;
    std::string_view id;
    bool operator==(const ItemKey&) const = default;
  };
  struct ItemKeyHash {
    std::size_t operator()(const ItemKey& key) const {
      std::size_t hash = std::hash<std::string_view>{}(key.id);
      hash ^= std::hash<std::string_view>{}(key.owner) + 0x9e3779b97f4a7c15ULL + (hash << 6) +
              (hash >> 2);
      return hash;
    }
  };
  struct ItemSlot {
    List::iterator entry;
    std::uint32_t index = 0;
    FoundItem::Kind kind = FoundItem::Kind::output_message;
  };
  using ItemMap = std::unordered_multimap<ItemKey, ItemSlot, ItemKeyHash>;

  // A node of each container: its value, the next pointer, a cached hash (hash tables) and a
  // share of the bucket array.
  static constexpr std::size_t kEntryBytes =
      sizeof(List::value_type) + 2 * sizeof(void*) +  // the list node
      sizeof(StoredResponse) + 2 * sizeof(void*) +    // make_shared's control block
      sizeof(std::pair<const std::string_view, List::iterator>) + 3 * sizeof(void*);
  static constexpr std::size_t kItemBytes = sizeof(ItemMap::value_type) + 3 * sizeof(void*);

  // Unlinks the entry from the order and the maps; the node goes to `graveyard`, which the caller
  // frees once the lock is released.
  void unlink(List::iterator it, List& graveyard) {
    const StoredResponse& response = *it->response;
    for (const StoredItem& item : response.output) erase_slots({response.owner, item.id}, it);
    for (const StoredInputItem& item : response.inputs) erase_slots({response.owner, item.id}, it);
    responses.erase(it->id);
    bytes -= it->bytes;
    graveyard.splice(graveyard.end(), lru, it);
  }
  void erase_slots(const ItemKey& key, List::iterator entry) {
    auto [slot, end] = items.equal_range(key);
    while (slot != end) slot = slot->second.entry == entry ? items.erase(slot) : std::next(slot);
  }
  // The item slots of the entry, in a map of their own: built before the lock, then merged in
  // (merging moves the nodes; only a bucket array that must grow is allocated).
  static ItemMap slots_of(List::iterator it) {
    const StoredResponse& response = *it->response;
    ItemMap slots;
    slots.reserve(response.output.size() + response.inputs.size());
    for (std::size_t i = 0; i < response.output.size(); ++i)
      slots.emplace(ItemKey{response.owner, response.output[i].id},
                    ItemSlot{it, static_cast<std::uint32_t>(i), FoundItem::Kind::output_message});
    for (std::size_t i = 0; i < response.inputs.size(); ++i)
      slots.emplace(ItemKey{response.owner, response.inputs[i].id},
                    ItemSlot{it, static_cast<std::uint32_t>(i), FoundItem::Kind::input_item});
    return slots;
  }
  // Moves the entry to the most recently used end.
  void touch(List::iterator it) { lru.splice(lru.end(), lru, it); }

  mutable std::mutex mutex;
  List lru;  // front: least recently used
  std::unordered_map<std::string_view, List::iterator> responses;
  ItemMap items;
  std::size_t bytes = 0;
  std::uint64_t sequence = 0;
  std::uint64_t evicted_for_entries = 0;
  std::uint64_t evicted_for_bytes = 0;
  std::atomic<std::uint64_t> rejected = 0;
};

ResponseStore::ResponseStore(std::size_t max_bytes, std::size_t max_entries)
    : max_bytes_(max_bytes),
      max_entries_(std::max<std::size_t>(max_entries, 1)),
      index_(std::make_unique<Index>()) {}

ResponseStore::~ResponseStore() = default;

std::size_t ResponseStore::accounted_bytes(std::string_view response_id,
                                           const StoredResponse& response) {
  std::size_t bytes = Index::kEntryBytes + heap_bytes(response_id) + heap_bytes(response.owner) +
                      heap_bytes(response.input) + heap_bytes(response.object) +
                      heap_bytes(response.input_items);
  bytes += response.output.size() * sizeof(StoredItem);
  for (const StoredItem& item : response.output)
    bytes += Index::kItemBytes + heap_bytes(item.id) + heap_bytes(item.chat_message);
  bytes += response.inputs.size() * sizeof(StoredInputItem);
  for (const StoredInputItem& item : response.inputs)
    bytes += Index::kItemBytes + heap_bytes(item.id);
  return bytes;
}

bool ResponseStore::put(std::string_view response_id, StoredResponse response) {
  trim(response);
  const std::size_t size = accounted_bytes(response_id, response);
  Index& index = *index_;
  if (size > max_entry_bytes()) {
    index.rejected.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  // Nodes are built before the lock (list splices and map merges move them); what leaves goes to
  // the graveyard, freed once the lock is released.
  Index::List fresh, graveyard;
  fresh.push_back(Index::Entry{std::string(response_id),
                               std::make_shared<const StoredResponse>(std::move(response)), size});
  const auto entry = fresh.begin();  // stays valid across the splice
  Index::ItemMap slots = Index::slots_of(entry);
  std::unordered_map<std::string_view, Index::List::iterator> by_id{{entry->id, entry}};
  std::lock_guard lock(index.mutex);
  if (auto same = index.responses.find(response_id); same != index.responses.end())
    index.unlink(same->second, graveyard);
  while (!index.lru.empty() &&
         (index.lru.size() >= max_entries_ || index.bytes + size > max_bytes_)) {
    ++(index.lru.size() >= max_entries_ ? index.evicted_for_entries : index.evicted_for_bytes);
    index.unlink(index.lru.begin(), graveyard);
  }
  entry->sequence = ++index.sequence;
  index.lru.splice(index.lru.end(), fresh);
  index.responses.merge(by_id);
  index.items.merge(slots);
  index.bytes += size;
  return true;
}

bool ResponseStore::erase(std::string_view response_id, std::string_view owner) {
  Index& index = *index_;
  Index::List graveyard;  // freed once the lock is released
  std::lock_guard lock(index.mutex);
  const auto found = index.responses.find(response_id);
  if (found == index.responses.end() || found->second->response->owner != owner) return false;
  index.unlink(found->second, graveyard);
  return true;
}

std::shared_ptr<const StoredResponse> ResponseStore::response(std::string_view response_id,
                                                              std::string_view owner) {
  Index& index = *index_;
  std::lock_guard lock(index.mutex);
  const auto found = index.responses.find(response_id);
  if (found == index.responses.end() || found->second->response->owner != owner) return nullptr;
  index.touch(found->second);
  return found->second->response;
}

std::optional<FoundItem> ResponseStore::item(std::string_view item_id, std::string_view owner) {
  Index& index = *index_;
  std::shared_ptr<const StoredResponse> holder;
  Index::ItemSlot slot;
  {
    std::lock_guard lock(index.mutex);
    auto [it, end] = index.items.equal_range(Index::ItemKey{owner, item_id});
    if (it == end) return std::nullopt;
    const Index::ItemSlot* latest = &it->second;
    for (++it; it != end; ++it)
      if (it->second.entry->sequence > latest->entry->sequence) latest = &it->second;
    slot = *latest;
    index.touch(slot.entry);
    holder = slot.entry->response;
  }
  // The text is copied out of the response, which the shared pointer keeps, after unlocking.
  FoundItem found;
  found.kind = slot.kind;
  if (slot.kind == FoundItem::Kind::output_message) {
    found.json = holder->output[slot.index].chat_message;
  } else {
    const StoredInputItem& input = holder->inputs[slot.index];
    if (input.offset > holder->input_items.size()) return std::nullopt;
    found.json = holder->input_items.substr(input.offset, input.size);
  }
  return found;
}

std::size_t ResponseStore::size() const {
  std::lock_guard lock(index_->mutex);
  return index_->lru.size();
}

std::size_t ResponseStore::bytes() const {
  std::lock_guard lock(index_->mutex);
  return index_->bytes;
}

ResponseStoreStats ResponseStore::stats() const {
  ResponseStoreStats stats;
  stats.rejected = index_->rejected.load(std::memory_order_relaxed);
  std::lock_guard lock(index_->mutex);
  stats.entries = index_->lru.size();
  stats.bytes = index_->bytes;
  stats.evicted_for_entries = index_->evicted_for_entries;
  stats.evicted_for_bytes = index_->evicted_for_bytes;
  return stats;
}

}  // namespace sluice::gateway
