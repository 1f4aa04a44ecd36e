#include "gateway/responses/response_store.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <list>
#include <mutex>
#include <unordered_map>

namespace sluice::gateway {
namespace {

// Roughly what the list node, the map nodes and the shared_ptr control block cost beyond the text.
constexpr std::size_t kEntryOverhead = 256;
constexpr std::size_t kItemOverhead = 96;

// "resp_<k>", "msg_<k>", "fc_<k>_<n>" -> "<k>".
std::string_view shard_key(std::string_view id) {
  const std::size_t first = id.find('_');
  if (first == std::string_view::npos) return id;
  id.remove_prefix(first + 1);
  return id.substr(0, id.find('_'));
}

}  // namespace

struct ResponseStore::Shard {
  struct Entry {
    std::string id;
    std::shared_ptr<const StoredResponse> response;
    std::size_t bytes = 0;
  };
  using List = std::list<Entry>;  // nodes never move: the maps' keys view their strings
  struct ItemSlot {
    List::iterator entry;
    std::size_t index = 0;
  };

  Shard(std::size_t bytes_budget, std::size_t entries_budget)
      : max_bytes(bytes_budget), max_entries(entries_budget) {}

  // Moves the entry to the most recently used end.
  void touch(List::iterator it) { lru.splice(lru.end(), lru, it); }

  // Unlinks the entry and hands back its response, for the caller to free after unlocking.
  std::shared_ptr<const StoredResponse> erase(List::iterator it) {
    for (const StoredItem& item : it->response->output)
      if (auto found = items.find(item.id); found != items.end() && found->second.entry == it)
        items.erase(found);
    responses.erase(it->id);
    bytes -= it->bytes;
    std::shared_ptr<const StoredResponse> response = std::move(it->response);
    lru.erase(it);
    return response;
  }

  const std::size_t max_bytes;
  const std::size_t max_entries;
  mutable std::mutex mutex;
  List lru;  // front: least recently used
  std::unordered_map<std::string_view, List::iterator> responses;
  std::unordered_map<std::string_view, ItemSlot> items;
  std::size_t bytes = 0;
};

ResponseStore::ResponseStore(std::size_t max_bytes, std::size_t max_entries, std::size_t shards) {
  shards = std::max<std::size_t>(shards, 1);
  const std::size_t shard_bytes = std::max<std::size_t>(max_bytes / shards, 1);
  const std::size_t shard_entries = std::max<std::size_t>(max_entries / shards, 1);
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i)
    shards_.push_back(std::make_unique<Shard>(shard_bytes, shard_entries));
}

ResponseStore::~ResponseStore() = default;

ResponseStore::Shard& ResponseStore::shard_for(std::string_view id) {
  return *shards_[std::hash<std::string_view>{}(shard_key(id)) % shards_.size()];
}

std::size_t ResponseStore::accounted_bytes(std::string_view response_id,
                                           const StoredResponse& response) {
  std::size_t bytes = kEntryOverhead + response_id.size() + response.owner.size() +
                      response.input.size() + response.object.size() + response.input_items.size();
  for (const StoredItem& item : response.output)
    bytes += kItemOverhead + item.id.size() + item.chat_message.size();
  return bytes;
}

bool ResponseStore::put(std::string_view response_id, StoredResponse response) {
  const std::size_t size = accounted_bytes(response_id, response);
  Shard& shard = shard_for(response_id);
  if (size > shard.max_bytes) return false;
  auto stored = std::make_shared<const StoredResponse>(std::move(response));
  // Declared before the lock: evicted responses are freed once it is released.
  std::vector<std::shared_ptr<const StoredResponse>> evicted;
  std::lock_guard lock(shard.mutex);
  if (auto same = shard.responses.find(response_id); same != shard.responses.end())
    evicted.push_back(shard.erase(same->second));
  while (!shard.lru.empty() &&
         (shard.bytes + size > shard.max_bytes || shard.lru.size() >= shard.max_entries))
    evicted.push_back(shard.erase(shard.lru.begin()));
  const auto entry =
      shard.lru.insert(shard.lru.end(), Shard::Entry{std::string(response_id), stored, size});
  shard.responses.emplace(entry->id, entry);
  const std::string_view key = shard_key(response_id);
  for (std::size_t i = 0; i < stored->output.size(); ++i)
    if (shard_key(stored->output[i].id) == key)
      shard.items.insert_or_assign(std::string_view(stored->output[i].id),
                                   Shard::ItemSlot{entry, i});
  shard.bytes += size;
  return true;
}

bool ResponseStore::erase(std::string_view response_id, std::string_view owner) {
  Shard& shard = shard_for(response_id);
  std::shared_ptr<const StoredResponse> erased;  // freed once the lock is released
  std::lock_guard lock(shard.mutex);
  const auto found = shard.responses.find(response_id);
  if (found == shard.responses.end() || found->second->response->owner != owner) return false;
  erased = shard.erase(found->second);
  return true;
}

std::shared_ptr<const StoredResponse> ResponseStore::response(std::string_view response_id,
                                                              std::string_view owner) {
  Shard& shard = shard_for(response_id);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.responses.find(response_id);
  if (found == shard.responses.end() || found->second->response->owner != owner) return nullptr;
  shard.touch(found->second);
  return found->second->response;
}

std::optional<std::string> ResponseStore::item(std::string_view item_id, std::string_view owner) {
  Shard& shard = shard_for(item_id);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.items.find(item_id);
  if (found == shard.items.end() || found->second.entry->response->owner != owner)
    return std::nullopt;
  shard.touch(found->second.entry);
  return found->second.entry->response->output[found->second.index].chat_message;
}

std::size_t ResponseStore::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    total += shard->lru.size();
  }
  return total;
}

std::size_t ResponseStore::bytes() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    total += shard->bytes;
  }
  return total;
}

}  // namespace sluice::gateway
