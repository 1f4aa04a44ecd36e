// Hostile PDFs through poppler-cpp, from memory: a refusal (unprocessable) or valid UTF-8 blocks
// with page numbers in order, never a crash.

#include "fuzz_support.hpp"
#include "parsed_document_checks.hpp"
#include "rag/parsers/pdf_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = sluice::rag::parse_pdf(sluice::fuzz::text(data, size));
  if (parsed.ok()) {
    sluice::fuzz::check_parsed_document(*parsed, true);
    for (const sluice::rag::Block& block : parsed->blocks)
      FUZZ_CHECK(block.page <= sluice::rag::kMaxPdfPages);
  } else {
    FUZZ_CHECK(parsed.error().code == sluice::Errc::unprocessable);
  }
  return 0;
}
