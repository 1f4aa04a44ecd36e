#pragma once

// Responses kept so that a later request can continue their conversation by reference: an
// `item_reference` to one of their items (an output item, msg_..., fc_..., or an input item as
// GET .../input_items lists it) or `previous_response_id`. The Vercel AI SDK stores by default
// (store: true) and sends earlier answers as references. They are also what
// GET /v1/responses/{id} (and its input_items) answer and DELETE removes.
//
// Scope: per process, in memory. Replicas do not share it and a restart forgets it, so a reference
// that reaches another replica, or comes after a restart or an eviction, finds nothing; a version
// backed by the shared Store can replace it behind the same interface.

#include <cstddef>
#include <cstdint>
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

// Where one input item's JSON text lies in StoredResponse::input_items.
struct StoredInputItem {
  std::string id;
  std::size_t offset = 0;
  std::size_t size = 0;
};

// What a response answered and produced, as chat messages (JSON text: compact, and parsed only
// when referred to, which most stored responses never are).
struct StoredResponse {
  std::string owner;  // the tenant of the key that stored it: only its requests find it
  std::string input;  // a JSON array of chat messages: the conversation the response answered
  std::vector<StoredItem> output;
  std::string object;       // the Response object as its client received it (JSON text)
  std::string input_items;  // a JSON array of the request's input items, each with an id
  // The input items a reference may name (not those that are references themselves).
  std::vector<StoredInputItem> inputs;
};

// An item found by id: an output item's chat message, or an input item as it was listed.
struct FoundItem {
  enum class Kind { output_message, input_item };
  Kind kind = Kind::output_message;
  std::string json;  // the chat message, or the input item object (JSON text)
};

// What the store holds and has let go of since it started.
struct ResponseStoreStats {
  std::size_t entries = 0;
  std::size_t bytes = 0;
  std::uint64_t evicted_for_entries = 0;  // the least recently used, to stay within max_entries
  std::uint64_t evicted_for_bytes = 0;    // likewise within max_bytes
  std::uint64_t rejected = 0;             // too large to store at all
};

// Bounded by bytes and entries, exactly and for the whole process: one least-recently-used order
// under one lock (every operation is a few hash lookups and list splices; what can be built or
// freed without the lock is). Storing, retrieving a response and resolving one of its items all
// count as use. Thread-safe: every event-loop thread stores and looks up.
class ResponseStore {
 public:
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{64} << 20;
  static constexpr std::size_t kDefaultMaxEntries = 100'000;
  // A response may take at most this share of max_bytes: one answer never empties the store.
  static constexpr std::size_t kMaxEntryShare = 8;

  explicit ResponseStore(std::size_t max_bytes = kDefaultMaxBytes,
                         std::size_t max_entries = kDefaultMaxEntries);
  ~ResponseStore();
  ResponseStore(const ResponseStore&) = delete;
  ResponseStore& operator=(const ResponseStore&) = delete;

  // Keeps `response` under `response_id` (replacing one of that id), evicting the least recently
  // used until both bounds hold with it. Its output items and `inputs` become findable by id for
  // its owner. A response larger than max_entry_bytes() is not kept: false then (nothing is
  // evicted for it).
  bool put(std::string_view response_id, StoredResponse response);
  // Removes the response and its items; false when unknown, evicted or `owner`'s not (nothing of
  // another tenant's is touched).
  bool erase(std::string_view response_id, std::string_view owner = {});
  // The response, now the most recently used; null when unknown, evicted or `owner`'s not.
  std::shared_ptr<const StoredResponse> response(std::string_view response_id,
                                                 std::string_view owner = {});
  // An item `owner` stored (an output item or an input item), the response holding it now the most
  // recently used; nullopt when unknown or evicted. When several of the owner's responses hold an
  // item of that id (a client that sends earlier items again, ids and all), the latest stored one
  // answers.
  std::optional<FoundItem> item(std::string_view item_id, std::string_view owner = {});

  std::size_t size() const;   // responses held
  std::size_t bytes() const;  // their accounted size
  ResponseStoreStats stats() const;
  std::size_t max_bytes() const { return max_bytes_; }
  std::size_t max_entries() const { return max_entries_; }
  std::size_t max_entry_bytes() const { return max_bytes_ / kMaxEntryShare; }

  // The bytes a response is accounted for: what its strings and vectors hold once put() has
  // trimmed them to their contents, and the nodes and control block that keep and index it.
  static std::size_t accounted_bytes(std::string_view response_id, const StoredResponse& response);

 private:
  struct Index;

  const std::size_t max_bytes_;
  const std::size_t max_entries_;
  std::unique_ptr<Index> index_;
};

}  // namespace sluice::gateway
