#include "gateway/responses/response_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace sluice::gateway {
namespace {

// A response "resp_<key>" with a message and a function call item, as the translators name them.
StoredResponse response_for(const std::string& key, std::size_t padding = 0) {
  StoredResponse r;
  r.input = R"([{"role":"user","content":")" + key + std::string(padding, 'x') + R"("}])";
  r.output.push_back({"msg_" + key, R"({"role":"assistant","content":"answer )" + key + R"("})"});
  r.output.push_back(
      {"fc_" + key + "_1", R"({"role":"assistant","content":null,"tool_calls":[]})"});
  return r;
}

// "k000", "k001", ...: numbered keys of one length, so that numbered responses count alike.
std::string key_of(int i) {
  std::string digits = std::to_string(i);
  return "k" + std::string(3 - std::min<std::size_t>(digits.size(), 3), '0') + digits;
}

// "resp_<key_of(i)>" for i in [0, n), stored in order, each with `padding` bytes of input.
void put_numbered(ResponseStore& store, int n, std::size_t padding = 0) {
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(store.put("resp_" + key_of(i), response_for(key_of(i), padding))) << i;
}

// The i of every numbered response still stored, of the first n.
std::vector<int> numbered_alive(ResponseStore& store, int n) {
  std::vector<int> alive;
  for (int i = 0; i < n; ++i)
    if (store.response("resp_" + key_of(i)) != nullptr) alive.push_back(i);
  return alive;
}

std::vector<int> range(int from, int to) {
  std::vector<int> out;
  for (int i = from; i < to; ++i) out.push_back(i);
  return out;
}

TEST(ResponseStore, PutThenFindTheResponseAndItsItems) {
  ResponseStore store;
  store.put("resp_a1", response_for("a1"));
  const auto found = store.response("resp_a1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->input, R"([{"role":"user","content":"a1"}])");
  ASSERT_EQ(found->output.size(), 2u);
  const auto message = store.item("msg_a1");
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->kind, FoundItem::Kind::output_message);
  EXPECT_EQ(message->json, R"({"role":"assistant","content":"answer a1"})");
  EXPECT_EQ(store.item("fc_a1_1")->json, R"({"role":"assistant","content":null,"tool_calls":[]})");
  EXPECT_EQ(store.response("resp_b2"), nullptr);
  EXPECT_EQ(store.item("msg_b2"), std::nullopt);
  EXPECT_EQ(store.item("fc_a1_2"), std::nullopt);
  EXPECT_EQ(store.response(""), nullptr);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), ResponseStore::accounted_bytes("resp_a1", response_for("a1")));
}

TEST(ResponseStore, OnlyTheOwnersTenantFindsAResponseAndItsItems) {
  ResponseStore store;
  StoredResponse owned = response_for("t1");
  owned.owner = "team-a";
  store.put("resp_t1", owned);
  EXPECT_NE(store.response("resp_t1", "team-a"), nullptr);
  EXPECT_TRUE(store.item("msg_t1", "team-a").has_value());
  for (std::string_view other : {"team-b", "", "team-a/"}) {
    EXPECT_EQ(store.response("resp_t1", other), nullptr) << other;
    EXPECT_FALSE(store.item("msg_t1", other).has_value()) << other;
  }
}

TEST(ResponseStore, PutAgainReplaces) {
  ResponseStore store;
  store.put("resp_a1", response_for("a1"));
  StoredResponse other = response_for("a1");
  other.output.pop_back();
  store.put("resp_a1", other);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), ResponseStore::accounted_bytes("resp_a1", other));
  EXPECT_TRUE(store.item("msg_a1").has_value());
  EXPECT_FALSE(store.item("fc_a1_1").has_value());
  EXPECT_EQ(store.stats().evicted_for_entries + store.stats().evicted_for_bytes, 0u);
}

// The entry bound is the configured number, for the whole store, and the oldest go first.
TEST(ResponseStore, KeepsExactlyMaxEntriesTheMostRecent) {
  for (const int max_entries : {1, 7, 50}) {
    ResponseStore store(ResponseStore::kDefaultMaxBytes, max_entries);
    const int n = max_entries + 10 + max_entries / 2;
    put_numbered(store, n);
    EXPECT_EQ(store.size(), static_cast<std::size_t>(max_entries));
    EXPECT_EQ(numbered_alive(store, n), range(n - max_entries, n)) << max_entries;
    EXPECT_EQ(store.stats().evicted_for_entries, static_cast<std::uint64_t>(n - max_entries));
    EXPECT_EQ(store.stats().evicted_for_bytes, 0u);
  }
}

TEST(ResponseStore, EvictsTheLeastRecentlyUsedBeyondTheEntryCount) {
  ResponseStore store(ResponseStore::kDefaultMaxBytes, 3);
  for (const char* key : {"a", "b", "c"}) store.put(std::string("resp_") + key, response_for(key));
  ASSERT_NE(store.response("resp_a"), nullptr);  // a is now more recent than b
  ASSERT_TRUE(store.item("msg_b").has_value());  // b more recent than c, through an item
  store.put("resp_d", response_for("d"));
  EXPECT_EQ(store.size(), 3u);
  EXPECT_EQ(store.response("resp_c"), nullptr);
  EXPECT_FALSE(store.item("msg_c").has_value());  // items leave with their response
  EXPECT_FALSE(store.item("fc_c_1").has_value());
  for (const char* id : {"resp_a", "resp_b", "resp_d"}) EXPECT_NE(store.response(id), nullptr);
}

// Reads are use: a response read after every put survives any number of newer ones.
TEST(ResponseStore, AResponseReadOftenOutlivesNewerOnes) {
  ResponseStore store(ResponseStore::kDefaultMaxBytes, 10);
  store.put("resp_kept", response_for("kept"));
  for (int i = 0; i < 100; ++i) {
    store.put("resp_" + key_of(i), response_for(key_of(i)));
    if (i % 2 == 0)
      ASSERT_NE(store.response("resp_kept"), nullptr) << i;
    else
      ASSERT_TRUE(store.item("fc_kept_1").has_value()) << i;
  }
  EXPECT_EQ(numbered_alive(store, 100), range(91, 100));
}

// The byte bound holds exactly: as many as fit are kept, and one byte less keeps one fewer.
TEST(ResponseStore, KeepsWhatFitsMaxBytesExactly) {
  constexpr std::size_t kPadding = 1000;
  constexpr int kFit = 16;  // each an eighth of the store at most
  const std::size_t one =
      ResponseStore::accounted_bytes("resp_k000", response_for("k000", kPadding));
  const std::size_t all = one * kFit;
  {
    ResponseStore store(all, 1000);
    put_numbered(store, kFit, kPadding);
    EXPECT_EQ(numbered_alive(store, kFit), range(0, kFit));
    EXPECT_EQ(store.bytes(), all);
    put_numbered(store, kFit + 1, kPadding);  // again (replacing each); the last evicts k000
    EXPECT_EQ(numbered_alive(store, kFit + 1), range(1, kFit + 1));
    EXPECT_EQ(store.bytes(), all);
    EXPECT_EQ(store.stats().evicted_for_bytes, 1u);
  }
  {
    ResponseStore store(all - 1, 1000);
    put_numbered(store, kFit, kPadding);
    EXPECT_EQ(numbered_alive(store, kFit), range(1, kFit));
    EXPECT_EQ(store.stats().evicted_for_bytes, 1u);
    EXPECT_EQ(store.stats().evicted_for_entries, 0u);
  }
}

TEST(ResponseStore, ABigResponseEvictsAsManyAsItTakes) {
  const std::size_t one = ResponseStore::accounted_bytes("resp_k000", response_for("k000", 1000));
  ResponseStore store(one * 16, 1000);
  put_numbered(store, 16, 1000);
  EXPECT_EQ(store.size(), 16u);
  ASSERT_NE(store.response("resp_k000"), nullptr);  // now the most recently used
  // Nearly two of them: k001 and k002, the least recently used, make room.
  ASSERT_TRUE(store.put("resp_big", response_for("big", one + 500)));
  EXPECT_NE(store.response("resp_big"), nullptr);
  std::vector<int> expected = range(3, 16);
  expected.insert(expected.begin(), 0);
  EXPECT_EQ(numbered_alive(store, 16), expected);
  EXPECT_LE(store.bytes(), one * 16);
  EXPECT_EQ(store.stats().evicted_for_bytes, 2u);
}

// What is counted is what the entry holds: a buffer's spare capacity is trimmed, not counted.
TEST(ResponseStore, CountsWhatTheEntryHolds) {
  ResponseStore store;
  StoredResponse roomy = response_for("r1");
  roomy.object = R"({"id":"resp_r1"})";
  roomy.object.reserve(1 << 20);
  roomy.output.reserve(100);
  const std::size_t expected = ResponseStore::accounted_bytes("resp_r1", roomy);
  EXPECT_LT(expected, 4096u);
  store.put("resp_r1", std::move(roomy));
  EXPECT_EQ(store.bytes(), expected);
  const auto held = store.response("resp_r1");
  EXPECT_EQ(held->object.capacity(), held->object.size());
  EXPECT_EQ(held->output.capacity(), held->output.size());

  // Every string and item counts: a longer one costs exactly its extra bytes.
  StoredResponse longer = response_for("r1");
  longer.object = R"({"id":"resp_r1"})" + std::string(100, ' ');
  longer.input_items = std::string(100, 'i');
  StoredResponse shorter = longer;
  shorter.object.resize(shorter.object.size() - 50);
  EXPECT_EQ(ResponseStore::accounted_bytes("resp_r1", longer),
            ResponseStore::accounted_bytes("resp_r1", shorter) + 50);
  StoredResponse one_more_item = longer;
  one_more_item.output.push_back({"msg_x", "{}"});
  EXPECT_GT(ResponseStore::accounted_bytes("resp_r1", one_more_item),
            ResponseStore::accounted_bytes("resp_r1", longer) + sizeof(StoredItem));
}

TEST(ResponseStore, AResponseLargerThanAnEighthIsNotKept) {
  const std::size_t max_bytes = 64 * 1024;
  ResponseStore store(max_bytes, 10);
  EXPECT_EQ(store.max_entry_bytes(), max_bytes / 8);
  EXPECT_TRUE(store.put("resp_small", response_for("small")));
  // Padded to exactly the limit, then one byte over.
  const std::size_t base = ResponseStore::accounted_bytes("resp_fits", response_for("fits"));
  std::size_t padding = max_bytes / 8 - base;
  while (ResponseStore::accounted_bytes("resp_fits", response_for("fits", padding)) > max_bytes / 8)
    --padding;
  EXPECT_TRUE(store.put("resp_fits", response_for("fits", padding)));
  const std::size_t over = ResponseStore::accounted_bytes("resp_huge", response_for("huge", 8192));
  ASSERT_GT(over, max_bytes / 8);
  EXPECT_FALSE(store.put("resp_huge", response_for("huge", 8192)));
  EXPECT_EQ(store.response("resp_huge"), nullptr);
  EXPECT_FALSE(store.item("msg_huge").has_value());
  EXPECT_NE(store.response("resp_small"), nullptr);  // nothing was evicted for it
  const ResponseStoreStats stats = store.stats();
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_EQ(stats.evicted_for_bytes + stats.evicted_for_entries, 0u);
}

TEST(ResponseStore, TheObjectAndInputItemsAreKeptAndCounted) {
  ResponseStore store;
  StoredResponse r = response_for("o1");
  r.object = R"({"id":"resp_o1","object":"response"})";
  r.input_items = R"([{"id":"msg_in","type":"message"}])";
  const std::size_t bytes = ResponseStore::accounted_bytes("resp_o1", r);
  EXPECT_EQ(bytes, ResponseStore::accounted_bytes("resp_o1", response_for("o1")) + r.object.size() +
                       1 + r.input_items.size() + 1);
  store.put("resp_o1", r);
  const auto found = store.response("resp_o1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->object, r.object);
  EXPECT_EQ(found->input_items, r.input_items);
  EXPECT_EQ(store.bytes(), bytes);
}

// A response with the input items `texts` (JSON objects), each findable by `ids`.
StoredResponse with_inputs(const std::string& key, const std::vector<std::string>& ids,
                           const std::vector<std::string>& texts) {
  StoredResponse r = response_for(key);
  r.input_items = "[";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) r.input_items += ',';
    r.inputs.push_back({ids[i], r.input_items.size(), texts[i].size()});
    r.input_items += texts[i];
  }
  r.input_items += ']';
  return r;
}

TEST(ResponseStore, InputItemsAreFoundByIdAsListed) {
  ResponseStore store(ResponseStore::kDefaultMaxBytes, 2);
  store.put("resp_i1",
            with_inputs("i1", {"msg_user1", "fco_9"},
                        {R"({"id":"msg_user1","type":"message","role":"user"})",
                         R"({"id":"fco_9","type":"function_call_output","output":"x"})"}));
  const auto first = store.item("msg_user1");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->kind, FoundItem::Kind::input_item);
  EXPECT_EQ(first->json, R"({"id":"msg_user1","type":"message","role":"user"})");
  EXPECT_EQ(store.item("fco_9")->json,
            R"({"id":"fco_9","type":"function_call_output","output":"x"})");
  EXPECT_FALSE(store.item("msg_user1", "another-team").has_value());
  // A lookup by input item is use too, and the items leave with their response.
  store.put("resp_i2", response_for("i2"));
  ASSERT_TRUE(store.item("fco_9").has_value());
  store.put("resp_i3", response_for("i3"));
  EXPECT_NE(store.response("resp_i1"), nullptr);
  EXPECT_EQ(store.response("resp_i2"), nullptr);
  ASSERT_TRUE(store.erase("resp_i1"));
  EXPECT_FALSE(store.item("msg_user1").has_value());
  EXPECT_FALSE(store.item("fco_9").has_value());
}

// A client that sends earlier items again, ids and all, makes several responses hold one id:
// the latest answers, and the id stays findable while any of them is stored.
TEST(ResponseStore, AnItemIdHeldTwiceAnswersWhileEitherIsStored) {
  ResponseStore store;
  store.put("resp_a", response_for("a"));  // its output msg_a
  store.put("resp_b", with_inputs("b", {"msg_a"}, {R"({"id":"msg_a","role":"assistant"})"}));
  EXPECT_EQ(store.item("msg_a")->kind, FoundItem::Kind::input_item);  // the latest holder
  ASSERT_TRUE(store.erase("resp_b"));
  EXPECT_EQ(store.item("msg_a")->kind, FoundItem::Kind::output_message);
  store.put("resp_b", with_inputs("b", {"msg_a"}, {R"({"id":"msg_a","role":"assistant"})"}));
  ASSERT_TRUE(store.erase("resp_a"));
  EXPECT_EQ(store.item("msg_a")->kind, FoundItem::Kind::input_item);
}

// Tenants never share an item: the same id stored by another tenant neither hides nor replaces
// the owner's.
TEST(ResponseStore, TheSameItemIdOfTwoTenantsIsTwoItems) {
  ResponseStore store;
  StoredResponse mine = with_inputs("m", {"msg_shared"}, {R"({"id":"msg_shared","n":1})"});
  mine.owner = "team-a";
  store.put("resp_m", mine);
  StoredResponse theirs = with_inputs("t", {"msg_shared"}, {R"({"id":"msg_shared","n":2})"});
  theirs.owner = "team-b";
  store.put("resp_t", theirs);
  EXPECT_EQ(store.item("msg_shared", "team-a")->json, R"({"id":"msg_shared","n":1})");
  EXPECT_EQ(store.item("msg_shared", "team-b")->json, R"({"id":"msg_shared","n":2})");
  EXPECT_FALSE(store.erase("resp_m", "team-b"));
  ASSERT_TRUE(store.erase("resp_t", "team-b"));
  EXPECT_EQ(store.item("msg_shared", "team-a")->json, R"({"id":"msg_shared","n":1})");
  EXPECT_FALSE(store.item("msg_shared", "team-b").has_value());
}

TEST(ResponseStore, EraseRemovesTheResponseAndItsItemsForItsTenantOnly) {
  ResponseStore store;
  StoredResponse owned = response_for("e1");
  owned.owner = "team-a";
  store.put("resp_e1", owned);
  store.put("resp_e2", response_for("e2"));
  for (std::string_view other : {"team-b", ""}) EXPECT_FALSE(store.erase("resp_e1", other));
  EXPECT_NE(store.response("resp_e1", "team-a"), nullptr);  // another tenant touched nothing
  EXPECT_TRUE(store.erase("resp_e1", "team-a"));
  EXPECT_EQ(store.response("resp_e1", "team-a"), nullptr);
  EXPECT_FALSE(store.item("msg_e1", "team-a").has_value());
  EXPECT_FALSE(store.item("fc_e1_1", "team-a").has_value());
  EXPECT_FALSE(store.erase("resp_e1", "team-a"));  // gone
  EXPECT_FALSE(store.erase("resp_unknown"));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), ResponseStore::accounted_bytes("resp_e2", response_for("e2")));
}

TEST(ResponseStore, EveryOutputItemIsIndexedWhateverItsId) {
  ResponseStore store;
  StoredResponse r = response_for("a1");
  r.output.push_back({"msg_other", R"({"role":"assistant","content":"x"})"});
  store.put("resp_a1", r);
  EXPECT_TRUE(store.item("msg_other").has_value());
  EXPECT_TRUE(store.item("msg_a1").has_value());
}

TEST(ResponseStore, ResponsesOutliveTheirEvictionWhileHeld) {
  ResponseStore store(ResponseStore::kDefaultMaxBytes, 1);
  store.put("resp_a", response_for("a"));
  const auto held = store.response("resp_a");
  store.put("resp_b", response_for("b"));
  EXPECT_EQ(store.response("resp_a"), nullptr);
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->output[0].id, "msg_a");
}

// "t<thread>x<n>". Appended rather than concatenated: GCC 12 warns falsely on "t" + std::string.
std::string thread_key(int thread, int n) {
  std::string key(1, 't');
  key += std::to_string(thread);
  key += 'x';
  key += std::to_string(n);
  return key;
}

// Several threads storing and looking up at once, as the event loops do: every hit is the
// response stored under that id, and the bounds hold at every moment, not just at the end.
TEST(ResponseStore, ConcurrentPutsAndLookupsKeepTheBounds) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  constexpr std::size_t kMaxEntries = 512;
  const std::size_t max_bytes =
      ResponseStore::accounted_bytes("resp_t0x0", response_for("t0x0", 64)) * 300;
  ResponseStore store(max_bytes, kMaxEntries);
  std::atomic<int> hits = 0, wrong = 0, over = 0;
  std::atomic<bool> done = false;
  std::thread watcher([&] {
    while (!done) {
      const ResponseStoreStats stats = store.stats();
      if (stats.entries > kMaxEntries || stats.bytes > max_bytes) ++over;
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = thread_key(t, i);
        store.put("resp_" + key, response_for(key, 64));
        // Look up a recent one of this thread and one of another thread's.
        for (const std::string& probe : {thread_key(t, i / 2), thread_key((t + 1) % kThreads, i)}) {
          if (const auto r = store.response("resp_" + probe)) {
            ++hits;
            if (r->output.empty() || r->output[0].id != "msg_" + probe) ++wrong;
          }
          if (const auto item = store.item("msg_" + probe))
            if (item->json != R"({"role":"assistant","content":"answer )" + probe + R"("})")
              ++wrong;
        }
      }
    });
  for (auto& thread : threads) thread.join();
  done = true;
  watcher.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(over, 0);
  EXPECT_GT(hits, 0);
  EXPECT_LE(store.size(), kMaxEntries);
  EXPECT_LE(store.bytes(), max_bytes);
  EXPECT_GT(store.size(), 0u);
}

}  // namespace
}  // namespace sluice::gateway
