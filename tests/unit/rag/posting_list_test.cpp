#include "rag/posting_list.hpp"

#include <gtest/gtest.h>

#include <random>

namespace sluice::rag {
namespace {

struct Posting {
  uint32_t doc, wtf, len;
};

std::vector<Posting> random_postings(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Posting> out;
  uint32_t doc = rng() % 3;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(
        {doc, 1 + static_cast<uint32_t>(rng() % 300), 1 + static_cast<uint32_t>(rng() % 900)});
    doc += 1 + (rng() % 4 == 0 ? rng() % 100000 : rng() % 3);
  }
  return out;
}

PostingList build(const std::vector<Posting>& postings) {
  PostingList list;
  for (const auto& p : postings) list.append(p.doc, p.wtf, p.len);
  return list;
}

TEST(PostingListTest, DecodesWhatWasAppendedAcrossBlocks) {
  const auto postings = random_postings(1000, 1);
  const PostingList list = build(postings);
  EXPECT_EQ(list.size(), 1000u);
  EXPECT_EQ(list.blocks().size(), 8u);  // 7 full blocks of 128 and one of 104
  PostingCursor cursor(list);
  for (const auto& p : postings) {
    ASSERT_EQ(cursor.doc(), p.doc);
    EXPECT_EQ(cursor.wtf(), p.wtf);
    cursor.next();
  }
  EXPECT_EQ(cursor.doc(), PostingCursor::kEnd);
}

TEST(PostingListTest, DecodesRunsOfOneByteVarintsAndLongerOnesMixed) {
  // Mostly small gaps and frequencies (one byte each, decoded four postings at a time), now and
  // then a gap or a frequency that needs more bytes, and a list that ends mid-run.
  std::mt19937 rng(6);
  std::vector<Posting> postings;
  uint32_t doc = 0;
  for (int i = 0; i < 1000; ++i) {
    doc += 1 + (rng() % 9 == 0 ? rng() % 70000 : rng() % 100);
    postings.push_back({doc, rng() % 11 == 0 ? 128 + rng() % 5000 : 1 + rng() % 127, 10});
  }
  const PostingList list = build(postings);
  PostingCursor cursor(list);
  for (const auto& p : postings) {
    ASSERT_EQ(cursor.doc(), p.doc);
    EXPECT_EQ(cursor.wtf(), p.wtf);
    cursor.next();
  }
  EXPECT_EQ(cursor.doc(), PostingCursor::kEnd);
}

TEST(PostingListTest, BlocksBoundTheirPostings) {
  const auto postings = random_postings(700, 2);
  const PostingList list = build(postings);
  for (std::size_t i = 0; i < postings.size(); ++i) {
    const PostingBlock& block = list.blocks()[i / kPostingBlockSize];
    EXPECT_LE(postings[i].wtf, block.max_wtf);
    EXPECT_GE(postings[i].len, block.min_len);
    EXPECT_LE(postings[i].doc, block.last_doc);
    EXPECT_LE(postings[i].wtf, list.max_wtf());
    EXPECT_GE(postings[i].len, list.min_len());
  }
}

TEST(PostingListTest, AdvanceFindsTheFirstDocAtOrAfterTheTarget) {
  const auto postings = random_postings(2000, 3);
  const PostingList list = build(postings);
  std::mt19937 rng(4);
  PostingCursor cursor(list);
  uint32_t target = 0;
  std::size_t expected = 0;
  while (true) {
    target += rng() % (rng() % 2 ? 8 : 5000);  // short steps stay inside the decoded block
    while (expected < postings.size() && postings[expected].doc < target) ++expected;
    cursor.advance(target);
    if (expected == postings.size()) {
      EXPECT_EQ(cursor.doc(), PostingCursor::kEnd);
      break;
    }
    ASSERT_EQ(cursor.doc(), postings[expected].doc);
    EXPECT_EQ(cursor.wtf(), postings[expected].wtf);
  }
}

TEST(PostingListTest, VisitThroughHandsOverEveryPostingUpToTheLastDocThenStandsAfter) {
  std::mt19937 rng(8);
  std::vector<Posting> postings;  // dense, so that `last` often is a posting's doc
  for (uint32_t doc = 0; postings.size() < 3000; doc += 1 + rng() % 3)
    postings.push_back({doc, 1 + static_cast<uint32_t>(rng() % 300), 10});
  const PostingList list = build(postings);
  PostingCursor cursor(list);
  std::size_t expected = 0;
  uint32_t last = 0;
  while (expected < postings.size()) {
    last += rng() % (rng() % 2 ? 40 : 1000);  // within a block, and across several
    std::vector<Posting> seen;
    cursor.visit_through(last, [&](const uint32_t* docs, const uint32_t* wtfs, uint32_t n) {
      for (uint32_t i = 0; i < n; ++i) seen.push_back({docs[i], wtfs[i], 0});
    });
    for (const Posting& p : seen) {
      ASSERT_LT(expected, postings.size());
      ASSERT_EQ(p.doc, postings[expected].doc);
      EXPECT_EQ(p.wtf, postings[expected].wtf);
      ++expected;
    }
    if (expected < postings.size()) {
      ASSERT_GT(postings[expected].doc, last);
      ASSERT_EQ(cursor.doc(), postings[expected].doc);
    }
  }
  EXPECT_EQ(cursor.doc(), PostingCursor::kEnd);
}

TEST(PostingListTest, ShallowBlockFindsTheBlockThatMayHoldTheTarget) {
  const PostingList list = build(random_postings(1000, 5));
  PostingCursor cursor(list);
  const auto& blocks = list.blocks();
  EXPECT_EQ(cursor.shallow_block(0), 0u);
  EXPECT_EQ(cursor.shallow_block(blocks[2].last_doc), 2u);
  EXPECT_EQ(cursor.shallow_block(blocks[2].last_doc + 1), 3u);
  EXPECT_EQ(cursor.shallow_block(blocks.back().last_doc + 1), blocks.size());
}

TEST(PostingListTest, AssembleRejectsInconsistentParts) {
  const PostingList list = build(random_postings(300, 6));
  PostingList copy;
  ASSERT_TRUE(PostingList::assemble(list.bytes(), list.blocks(), list.size(), copy));
  EXPECT_EQ(copy.max_wtf(), list.max_wtf());
  EXPECT_EQ(copy.min_len(), list.min_len());
  EXPECT_FALSE(PostingList::assemble(list.bytes(), list.blocks(), list.size() + 200, copy));
  auto blocks = list.blocks();
  std::swap(blocks[0], blocks[1]);
  EXPECT_FALSE(PostingList::assemble(list.bytes(), blocks, list.size(), copy));
}

}  // namespace
}  // namespace sluice::rag
