#pragma once
// Invariants every parser's output keeps, whatever the input (shared by the parser fuzz targets).

#include "fuzz_support.hpp"
#include "rag/parsed_document.hpp"
#include "rag/utf8.hpp"

namespace sluice::fuzz {

inline void check_parsed_document(const rag::ParsedDocument& document, bool paged) {
  FUZZ_CHECK(rag::is_valid_utf8(document.title));
  int previous_page = 0;
  for (const rag::Block& block : document.blocks) {
    FUZZ_CHECK(!block.text.empty());
    FUZZ_CHECK(rag::is_valid_utf8(block.text));
    if (block.kind == rag::BlockKind::heading) {
      FUZZ_CHECK(block.level >= 1 && block.level <= 6);
    } else {
      FUZZ_CHECK(block.level == 0);
    }
    if (paged) {
      FUZZ_CHECK(block.page >= 1 && block.page >= previous_page);
      previous_page = block.page;
    } else {
      FUZZ_CHECK(block.page == 0);
    }
  }
}

}  // namespace sluice::fuzz
