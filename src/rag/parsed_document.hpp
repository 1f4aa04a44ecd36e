#pragma once

#include <string>
#include <vector>

namespace sluice::rag {

// A document reduced to the structure the chunker uses, whatever its format.
enum class BlockKind { heading, paragraph, list, table, code };

struct Block {
  BlockKind kind = BlockKind::paragraph;
  int level = 0;     // heading level 1..6, else 0
  std::string text;  // valid UTF-8, not empty; lists one item a line, tables one row a line
  int page = 0;      // 1-based page of a paged format (PDF), 0 when the format has no pages
};

struct ParsedDocument {
  std::string title;  // may be empty
  std::vector<Block> blocks;
  bool title_from_file_name = false;  // no title in the content: `title` is the file's stem
};

}  // namespace sluice::rag
