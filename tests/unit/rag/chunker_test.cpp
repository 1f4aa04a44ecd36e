#include "rag/chunker.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rag/tokenizer.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

Block heading(int level, std::string text) {
  return {BlockKind::heading, level, std::move(text), 0};
}
Block paragraph(std::string text, int page = 0) {
  return {BlockKind::paragraph, 0, std::move(text), page};
}

// A paragraph of `count` distinct sentences of 6 tokens each ("Fact 12 is in here.").
std::string facts(int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    if (!text.empty()) text.push_back(' ');
    text.append("Fact ").append(std::to_string(i)).append(" is in here.");
  }
  return text;
}

int tokens(const std::string& text) { return static_cast<int>(Tokenizer::count_tokens(text)); }

void expect_well_formed(const std::vector<TextChunk>& chunks, const ChunkingOptions& options) {
  for (const TextChunk& chunk : chunks) {
    EXPECT_FALSE(chunk.text.empty());
    EXPECT_TRUE(is_valid_utf8(chunk.text));
    EXPECT_EQ(chunk.token_count, tokens(chunk.text));
    EXPECT_LE(chunk.token_count, options.max_tokens) << chunk.text;
  }
}

TEST(ChunkerTest, PacksBlocksGreedilyUpToTheTarget) {
  ASSERT_EQ(tokens(facts(0, 1)), 6);
  const ChunkingOptions options{30, 0, 60};
  ParsedDocument document;
  for (int i = 0; i < 10; ++i) document.blocks.push_back(paragraph(facts(2 * i, 2)));  // 12 each
  const auto chunks = chunk_document(document, options);
  expect_well_formed(chunks, options);
  ASSERT_EQ(chunks.size(), 5u);  // two 12-token blocks fit in 30, a third does not
  EXPECT_EQ(chunks[0].text, facts(0, 2) + "\n\n" + facts(2, 2));
  EXPECT_EQ(chunks[0].token_count, 24);
}

TEST(ChunkerTest, HeadingsStartChunksAndSetThePath) {
  ParsedDocument document;
  document.blocks = {heading(1, "Guide"),  paragraph("Intro text."),        heading(2, "Install"),
                     heading(3, "Linux"),  paragraph("apt install sluice"), heading(2, "Usage"),
                     paragraph("Run it."), heading(1, "Appendix"),          paragraph("More.")};
  const auto chunks = chunk_document(document, {});
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].heading_path, "Guide");
  EXPECT_EQ(chunks[0].text, "Intro text.");
  EXPECT_EQ(chunks[1].heading_path, "Guide > Install > Linux");
  EXPECT_EQ(chunks[1].text, "apt install sluice");
  EXPECT_EQ(chunks[2].heading_path, "Guide > Usage");
  EXPECT_EQ(chunks[3].heading_path, "Appendix");
}

TEST(ChunkerTest, OverlapCarriesWholeSentencesWithinASection) {
  const ChunkingOptions options{30, 13, 60};
  ParsedDocument document;
  document.blocks = {paragraph(facts(0, 4)), paragraph(facts(4, 4)), heading(2, "Next"),
                     paragraph(facts(8, 4))};
  const auto chunks = chunk_document(document, options);
  expect_well_formed(chunks, options);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].text, facts(0, 4));
  EXPECT_EQ(chunks[1].text, facts(2, 2) + "\n\n" + facts(4, 4));  // 12 tokens of overlap
  EXPECT_EQ(chunks[2].text, facts(8, 4));                         // nothing carried over a heading
}

TEST(ChunkerTest, OverlapIsDroppedWhenItWouldExceedTheMaximum) {
  const ChunkingOptions options{30, 12, 40};
  ParsedDocument document;
  document.blocks = {paragraph(facts(0, 4)), paragraph(facts(4, 6))};  // 24, then 36 tokens
  const auto chunks = chunk_document(document, options);
  expect_well_formed(chunks, options);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].text, facts(4, 6));
}

TEST(ChunkerTest, KeepsTablesAndCodeWholeUpToTheMaximum) {
  std::string code;
  for (int i = 0; i < 12; ++i) code += "int value_" + std::to_string(i) + " = compute();\n";
  std::string table;
  for (int i = 0; i < 8; ++i) table += "| row " + std::to_string(i) + " | value |\n";
  code.pop_back(), table.pop_back();
  const ChunkingOptions options{40, 10, 200};
  ASSERT_GT(tokens(code), 40);
  ASSERT_GT(tokens(table), 40);
  ParsedDocument document;
  document.blocks = {
      paragraph("Before."), {BlockKind::code, 0, code, 0}, {BlockKind::table, 0, table, 0}};
  const auto chunks = chunk_document(document, options);
  expect_well_formed(chunks, options);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[1].text.substr(chunks[1].text.size() - code.size()), code);
  EXPECT_EQ(chunks[2].text.substr(chunks[2].text.size() - table.size()), table);
}

TEST(ChunkerTest, SplitsABlockOverTheMaximum) {
  const ChunkingOptions options{30, 6, 50};
  ParsedDocument document;
  document.blocks = {paragraph(facts(0, 40))};
  const auto chunks = chunk_document(document, options);
  expect_well_formed(chunks, options);
  ASSERT_GT(chunks.size(), 5u);
  for (int i = 0; i < 40; ++i) {
    const std::string fact = "Fact " + std::to_string(i) + " is in here.";
    bool found = false;
    for (const TextChunk& chunk : chunks)
      found = found || chunk.text.find(fact) != std::string::npos;
    EXPECT_TRUE(found) << fact;
  }
}

TEST(ChunkerTest, SplitsAnUnbrokenLineBetweenCodePoints) {
  const ChunkingOptions options{20, 5, 40};
  ParsedDocument document;
  std::string line;
  for (int i = 0; i < 300; ++i) line += "日本ä";
  document.blocks = {paragraph(line)};
  const auto chunks = chunk_document(document, options);
  expect_well_formed(chunks, options);
  std::string joined;
  for (const TextChunk& chunk : chunks) joined += chunk.text;
  EXPECT_EQ(joined, line);  // no sentences, so no overlap either
}

TEST(ChunkerTest, PageIsThePageOfTheFirstNewBlock) {
  const ChunkingOptions options{15, 6, 30};
  ParsedDocument document;
  document.blocks = {paragraph(facts(0, 2), 1), paragraph(facts(2, 1), 2),
                     paragraph(facts(3, 2), 3)};
  const auto chunks = chunk_document(document, options);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].page, 1);
  EXPECT_EQ(chunks[1].page, 2);
  EXPECT_TRUE(chunks[1].text.starts_with(facts(1, 1)));  // overlap from page 1
  EXPECT_EQ(chunks[2].page, 3);
}

TEST(ChunkerTest, IsDeterministic) {
  ParsedDocument document;
  document.blocks = {heading(1, "T"), paragraph(facts(0, 50)), paragraph(facts(50, 3), 4),
                     heading(2, "U"), paragraph(facts(60, 30))};
  const auto first = chunk_document(document, {40, 10, 60});
  const auto second = chunk_document(document, {40, 10, 60});
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].text, second[i].text);
    EXPECT_EQ(first[i].heading_path, second[i].heading_path);
    EXPECT_EQ(first[i].page, second[i].page);
  }
}

TEST(ChunkerTest, BringsOptionsIntoRange) {
  ParsedDocument document;
  document.blocks = {paragraph(facts(0, 20))};
  const auto chunks = chunk_document(document, {0, 99, -5});  // target 1, overlap 0, max 1
  expect_well_formed(chunks, {1, 0, 1});
  EXPECT_GT(chunks.size(), 20u);
}

TEST(ChunkerTest, HeadingsOnlyDocumentKeepsItsHeadingsAsText) {
  ParsedDocument document;
  document.blocks = {heading(1, "Outline"), heading(2, "Part one")};
  const auto chunks = chunk_document(document, {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Outline\n\nPart one");
  EXPECT_TRUE(chunk_document(ParsedDocument{}, {}).empty());
}

TEST(ChunkerTest, CutsOverlongHeadingsInThePath) {
  ParsedDocument document;
  document.blocks = {heading(1, std::string(150, 'a') + "ääää" + std::string(100, 'b')),
                     paragraph("Body.")};
  const auto chunks = chunk_document(document, {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_LE(chunks[0].heading_path.size(), 200u);
  EXPECT_TRUE(is_valid_utf8(chunks[0].heading_path));
}

}  // namespace
}  // namespace sluice::rag
