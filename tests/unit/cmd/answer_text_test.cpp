#include "cmd/answer_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::cmd {
namespace {

TEST(AnswerTextTest, PrintsTheAnswerThenNumberedSources) {
  const auto response = boost::json::parse(R"({
    "answer": "Use apt [2].", "model": "extractive", "cached": true,
    "template_version": "rag-v1",
    "citations": [{"index": 2, "document_id": "doc_1", "id": "guide.md", "title": "Guide",
                   "heading_path": "Install", "page": 3, "snippet": "apt install sluice"}]
  })");
  EXPECT_EQ(render_answer(response.as_object()),
            "Use apt [2].\n\nSources:\n  [2] Guide > Install (p. 3)  {guide.md}\n"
            "      apt install sluice\n\n(extractive, cached, rag-v1)\n");
}

TEST(AnswerTextTest, WithoutCitationsThereIsNoSourcesBlock) {
  const auto response = boost::json::parse(
      R"({"answer":"Nothing found.","citations":[],"model":"none","template_version":"rag-v1"})");
  EXPECT_EQ(render_answer(response.as_object()), "Nothing found.\n\n(none, rag-v1)\n");
}

}  // namespace
}  // namespace sluice::cmd
