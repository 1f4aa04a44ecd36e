// HTML as users upload it, through Sluice's own tokenizer, tree builder and block collector: never
// a crash or a hang (the depth of open elements is bounded, so time and memory stay linear); the
// blocks are valid UTF-8 with sane levels, or the input is refused as binary.

#include "fuzz_support.hpp"
#include "parsed_document_checks.hpp"
#include "rag/parsers/html_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = sluice::rag::parse_html(sluice::fuzz::text(data, size));
  if (parsed.ok()) {
    sluice::fuzz::check_parsed_document(*parsed, false);
  } else {
    FUZZ_CHECK(parsed.error().code == sluice::Errc::unprocessable);
  }
  return 0;
}
