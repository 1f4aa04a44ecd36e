#include "rag/ingest_handoff.hpp"

#include <gtest/gtest.h>

namespace sluice::rag {
namespace {

store::IngestedVersion version(const std::string& document_id, int64_t seq,
                               const std::string& text = "chunk text") {
  store::IngestedVersion out;
  out.doc.id = document_id;
  out.change_seq = seq;
  store::Chunk chunk;
  chunk.id = seq * 10;
  chunk.document_id = document_id;
  chunk.text = text;
  out.chunks.push_back(chunk);
  return out;
}

store::DocumentChange upserted(const std::string& document_id, int64_t seq) {
  return {document_id, store::DocumentChange::Kind::upserted, seq};
}

TEST(IngestHandoff, GivesAVersionOnlyForTheChangeItIs) {
  IngestHandoff handoff(1 << 20);
  ASSERT_TRUE(handoff.offer("c", version("d", 5)));
  EXPECT_FALSE(handoff.take("other", upserted("d", 5)));  // another collection's
  EXPECT_FALSE(handoff.take("c", upserted("e", 5)));      // another document's
  EXPECT_FALSE(handoff.take("c", upserted("d", 4)));      // an older change: kept for its own
  auto taken = handoff.take("c", upserted("d", 5));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->chunks.at(0).id, 50);
  EXPECT_FALSE(handoff.take("c", upserted("d", 5)));  // taken once
  EXPECT_EQ(handoff.held_versions(), 0u);
  EXPECT_EQ(handoff.held_bytes(), 0u);
}

TEST(IngestHandoff, AVersionOverTakenByALaterChangeIsDropped) {
  IngestHandoff handoff(1 << 20);
  ASSERT_TRUE(handoff.offer("c", version("d", 5)));
  // The document changed again (a new upload, or removed): the store has the truth.
  EXPECT_FALSE(handoff.take("c", upserted("d", 7)));
  EXPECT_EQ(handoff.held_versions(), 0u);
  ASSERT_TRUE(handoff.offer("c", version("d", 8)));
  EXPECT_FALSE(handoff.take("c", {"d", store::DocumentChange::Kind::removed, 9}));
  EXPECT_EQ(handoff.held_versions(), 0u);
}

TEST(IngestHandoff, ANewerVersionOfADocumentReplacesAnOlderOneNeverTheReverse) {
  IngestHandoff handoff(1 << 20);
  ASSERT_TRUE(handoff.offer("c", version("d", 5, "old")));
  ASSERT_TRUE(handoff.offer("c", version("d", 6, "new")));
  EXPECT_FALSE(handoff.offer("c", version("d", 4, "older")));
  EXPECT_EQ(handoff.held_versions(), 1u);
  EXPECT_FALSE(handoff.take("c", upserted("d", 5)));
  auto taken = handoff.take("c", upserted("d", 6));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->chunks.at(0).text, "new");
}

TEST(IngestHandoff, RefusesOffersPastItsBoundAndFreesWhatItForgets) {
  const std::string big(1000, 'x');
  IngestHandoff handoff(3500);
  ASSERT_TRUE(handoff.offer("c", version("a", 1, big)));
  ASSERT_TRUE(handoff.offer("c", version("b", 2, big)));
  EXPECT_FALSE(handoff.offer("c", version("e", 3, big)));  // would pass 3500 bytes
  EXPECT_EQ(handoff.held_versions(), 2u);
  EXPECT_GE(handoff.held_bytes(), 2000u);
  EXPECT_LE(handoff.held_bytes(), 3500u);

  handoff.forget_through("c", 1);  // the index is past change 1
  EXPECT_EQ(handoff.held_versions(), 1u);
  EXPECT_FALSE(handoff.take("c", upserted("a", 1)));
  EXPECT_TRUE(handoff.offer("c", version("e", 3, big)));
  handoff.forget_collection("c");
  EXPECT_EQ(handoff.held_versions(), 0u);
  EXPECT_EQ(handoff.held_bytes(), 0u);
}

}  // namespace
}  // namespace sluice::rag
