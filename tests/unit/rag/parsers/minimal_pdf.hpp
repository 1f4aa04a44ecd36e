#pragma once
// Builds small valid PDFs in memory for the parser tests: one page per entry, each line of a page
// drawn 14 points below the previous one in Helvetica, an empty line leaving a gap.

#include <string>
#include <vector>

namespace sluice::rag::testing {

inline std::string pdf_string_literal(const std::string& text) {
  std::string out = "(";
  for (char c : text) {
    if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out += ')';
  return out;
}

inline std::string minimal_pdf(const std::vector<std::vector<std::string>>& pages,
                               const std::string& title = "") {
  std::vector<std::string> objects;  // object i + 1
  std::string kids;
  const std::size_t first_page = 4;  // 1 catalog, 2 pages, 3 font, then page/content pairs
  for (std::size_t i = 0; i < pages.size(); ++i)
    kids += std::to_string(first_page + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) +
                    " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  for (std::size_t i = 0; i < pages.size(); ++i) {
    std::string content = "BT /F1 12 Tf 14 TL 72 720 Td";
    for (const std::string& line : pages[i])
      if (line.empty()) {
        content.append(" T* T*");
      } else {
        content.append(" ").append(pdf_string_literal(line)).append(" Tj T*");
      }
    content += " ET";
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font "
        "<< /F1 3 0 R >> >> /Contents " +
        std::to_string(first_page + 2 * i + 1) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                      "\nendstream");
  }
  if (!title.empty()) objects.push_back("<< /Title " + pdf_string_literal(title) + " >>");
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t offset : offsets) {
    const std::string number = std::to_string(offset);
    pdf.append(10 - number.size(), '0').append(number).append(" 00000 n \n");
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R";
  if (!title.empty()) pdf += " /Info " + std::to_string(objects.size()) + " 0 R";
  pdf += " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace sluice::rag::testing
