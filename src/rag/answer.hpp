#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rag/citations.hpp"

namespace sluice::rag {

// The model name an answer built without a language model reports.
inline constexpr std::string_view kExtractiveModel = "extractive";

struct AnswerUsage {
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
};

// A grounded answer: what /v1/query returns (besides the request id) and what the cache keeps.
struct Answer {
  std::string text;
  // Numbered as in the prompt; only those the text cites when it cites any (rag/citations).
  std::vector<Citation> citations;
  AnswerUsage usage;
  std::string model;  // the model that answered, or kExtractiveModel
  std::string template_version;
  std::vector<std::string> modes;  // the retrieval modes that ran
  std::string collection_id;
  int64_t index_version = 0;
  bool cached = false;
};

}  // namespace sluice::rag
