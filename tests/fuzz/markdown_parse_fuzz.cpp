// Markdown as users upload it, through cmark-gfm: never a crash, a hang or deep recursion; the
// blocks are valid UTF-8 with sane levels, or the input is refused as binary.

#include "fuzz_support.hpp"
#include "parsed_document_checks.hpp"
#include "rag/parsers/markdown_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = sluice::rag::parse_markdown(sluice::fuzz::text(data, size));
  if (parsed.ok()) {
    sluice::fuzz::check_parsed_document(*parsed, false);
  } else {
    FUZZ_CHECK(parsed.error().code == sluice::Errc::unprocessable);
  }
  return 0;
}
