#include "gateway/responses/response_store.hpp"

#include <gtest/gtest.h>

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

TEST(ResponseStore, PutThenFindTheResponseAndItsItems) {
  ResponseStore store;
  store.put("resp_a1", response_for("a1"));
  const auto found = store.response("resp_a1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->input, R"([{"role":"user","content":"a1"}])");
  ASSERT_EQ(found->output.size(), 2u);
  EXPECT_EQ(store.item("msg_a1"), R"({"role":"assistant","content":"answer a1"})");
  EXPECT_EQ(store.item("fc_a1_1"), R"({"role":"assistant","content":null,"tool_calls":[]})");
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
}

TEST(ResponseStore, EvictsTheLeastRecentlyUsedBeyondTheEntryCount) {
  ResponseStore store(ResponseStore::kDefaultMaxBytes, 3, 1);
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

TEST(ResponseStore, EvictsTheLeastRecentlyUsedBeyondTheByteBudget) {
  const std::size_t one = ResponseStore::accounted_bytes("resp_k0", response_for("k0", 1000));
  ResponseStore store(one * 3 + one / 2, 1000, 1);
  for (const std::string key : {"k0", "k1", "k2"})
    store.put("resp_" + key, response_for(key, 1000));
  EXPECT_EQ(store.size(), 3u);
  ASSERT_NE(store.response("resp_k0"), nullptr);
  store.put("resp_k3", response_for("k3", 1000));
  EXPECT_EQ(store.size(), 3u);
  EXPECT_LE(store.bytes(), one * 3 + one / 2);
  EXPECT_EQ(store.response("resp_k1"), nullptr);
  EXPECT_NE(store.response("resp_k0"), nullptr);

  // A big one makes room by evicting as many as it takes.
  store.put("resp_big", response_for("big", 2 * one));
  EXPECT_NE(store.response("resp_big"), nullptr);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_LE(store.bytes(), one * 3 + one / 2);
}

TEST(ResponseStore, AResponseLargerThanTheBudgetIsNotKept) {
  ResponseStore store(4096, 10, 1);
  EXPECT_TRUE(store.put("resp_small", response_for("small")));
  EXPECT_FALSE(store.put("resp_huge", response_for("huge", 8192)));
  EXPECT_EQ(store.response("resp_huge"), nullptr);
  EXPECT_FALSE(store.item("msg_huge").has_value());
  EXPECT_NE(store.response("resp_small"), nullptr);  // nothing was evicted for it
}

TEST(ResponseStore, TheObjectAndInputItemsAreKeptAndCounted) {
  ResponseStore store;
  StoredResponse r = response_for("o1");
  r.object = R"({"id":"resp_o1","object":"response"})";
  r.input_items = R"([{"id":"msg_in","type":"message"}])";
  const std::size_t bytes = ResponseStore::accounted_bytes("resp_o1", r);
  EXPECT_EQ(bytes, ResponseStore::accounted_bytes("resp_o1", response_for("o1")) + r.object.size() +
                       r.input_items.size());
  store.put("resp_o1", r);
  const auto found = store.response("resp_o1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->object, r.object);
  EXPECT_EQ(found->input_items, r.input_items);
  EXPECT_EQ(store.bytes(), bytes);
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

TEST(ResponseStore, ItemsOutsideTheResponseKeyAreNotIndexed) {
  ResponseStore store;
  StoredResponse r = response_for("a1");
  r.output.push_back({"msg_other", R"({"role":"assistant","content":"x"})"});
  store.put("resp_a1", r);
  EXPECT_FALSE(store.item("msg_other").has_value());
  EXPECT_TRUE(store.item("msg_a1").has_value());
}

TEST(ResponseStore, ResponsesOutliveTheirEvictionWhileHeld) {
  ResponseStore store(ResponseStore::kDefaultMaxBytes, 1, 1);
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
// response stored under that id, and the bounds hold at the end.
TEST(ResponseStore, ConcurrentPutsAndLookups) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  constexpr std::size_t kMaxEntries = 512;
  const std::size_t max_bytes =
      ResponseStore::accounted_bytes("resp_t0x0", response_for("t0x0", 64)) * 300;
  ResponseStore store(max_bytes, kMaxEntries, 4);
  std::atomic<int> hits = 0, wrong = 0;
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
            if (*item != R"({"role":"assistant","content":"answer )" + probe + R"("})") ++wrong;
        }
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(hits, 0);
  EXPECT_LE(store.size(), kMaxEntries);
  EXPECT_LE(store.bytes(), max_bytes);
  EXPECT_GT(store.size(), 0u);
}

}  // namespace
}  // namespace sluice::gateway
