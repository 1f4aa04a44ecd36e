#pragma once

// Responses kept so that a later request can continue their conversation by reference: an
// `item_reference` to one of their output items (msg_..., fc_...) or `previous_response_id`. The
// Vercel AI SDK stores by default (store: true) and sends earlier answers as references. They are
// also what GET /v1/responses/{id} (and its input_items) answer and DELETE removes.
//
// Scope: per process, in memory. Replicas do not share it and a restart forgets it, so a reference
// that reaches another replica, or comes after a restart or an eviction, finds nothing; a version
// backed by the shared Store can replace it behind the same interface.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::gateway {

// One output item of a stored response and the chat message it stands for.
struct StoredItem {
  std::string id;            // msg_..., fc_...
  std::string chat_message;  // a chat message as JSON text
};

// What a response answered and produced, as chat messages (JSON text: compact, and parsed only
// when referred to, which most stored responses never are).
struct StoredResponse {
  std::string owner;  // the tenant of the key that stored it: only its requests find it
  std::string input;  // a JSON array of chat messages: the conversation the response answered
  std::vector<StoredItem> output;
  std::string object;       // the Response object as its client received it (JSON text)
  std::string input_items;  // a JSON array of the request's input items, each with an id
};

// Bounded by bytes and entries, evicting the least recently used response with its items (within
// a shard: ids hash evenly across shards, so nearly so overall).
// Thread-safe: shards with a mutex each, since every event-loop thread stores and looks up.
class ResponseStore {
 public:
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{64} << 20;
  static constexpr std::size_t kDefaultMaxEntries = 100'000;
  static constexpr std::size_t kDefaultShards = 8;  // 8 MiB a shard: room for long conversations

  // The bounds are split evenly across the shards; one shard gives exact LRU order (tests).
  explicit ResponseStore(std::size_t max_bytes = kDefaultMaxBytes,
                         std::size_t max_entries = kDefaultMaxEntries,
                         std::size_t shards = kDefaultShards);
  ~ResponseStore();
  ResponseStore(const ResponseStore&) = delete;
  ResponseStore& operator=(const ResponseStore&) = delete;

  // Keeps `response` under `response_id` (replacing one of that id), evicting the least recently
  // used until the bounds hold. Item ids must share the response id's key (the part after the
  // first '_' up to the next one: resp_<k>, msg_<k>, fc_<k>_1), which keeps a response and its
  // items under one lock; other items are not indexed. A response larger than a shard's byte
  // budget (max_bytes / shards) is not kept: false then.
  bool put(std::string_view response_id, StoredResponse response);
  // Removes the response and its items; false when unknown, evicted or `owner`'s not (nothing of
  // another tenant's is touched).
  bool erase(std::string_view response_id, std::string_view owner = {});
  // The response, now the most recently used; null when unknown, evicted or `owner`'s not.
  std::shared_ptr<const StoredResponse> response(std::string_view response_id,
                                                 std::string_view owner = {});
  // The chat message of an output item, its response now the most recently used; nullopt when
  // unknown, evicted or `owner`'s not.
  std::optional<std::string> item(std::string_view item_id, std::string_view owner = {});

  std::size_t size() const;   // responses held
  std::size_t bytes() const;  // their accounted size
  // The bytes a response is accounted for: its text plus a fixed cost per entry and per item for
  // the nodes that index it.
  static std::size_t accounted_bytes(std::string_view response_id, const StoredResponse& response);

 private:
  struct Shard;
  Shard& shard_for(std::string_view id);

  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace sluice::gateway
