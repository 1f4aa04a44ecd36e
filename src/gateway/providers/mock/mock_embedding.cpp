#include "gateway/providers/mock/mock_embedding.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/fnv1a.hpp"

namespace sluice::gateway {
namespace {

// Weight of a word's trigrams against the word itself: enough to pull inflections together, not
// so much that words with common spellings look alike. On bench/rag.sh's questions, exact dense
// search finds the answering page first for 0.41 of them with words alone, 0.50 at 0.35, 0.54 at
// 0.6, 0.49 at 0.8.
constexpr double kTrigramWeight = 0.6;

// Words with no topic of their own; without corpus statistics (IDF) they would dominate.
constexpr std::string_view kFunctionWords[] = {
    "a",    "an",    "and",   "are",   "as",    "at",   "be",    "but", "by",   "can",
    "do",   "does",  "for",   "from",  "has",   "have", "how",   "i",   "if",   "in",
    "into", "is",    "it",    "its",   "of",    "on",   "or",    "so",  "such", "that",
    "the",  "their", "then",  "there", "these", "they", "this",  "to",  "was",  "what",
    "when", "where", "which", "who",   "will",  "with", "would", "you", "your"};

bool is_function_word(std::string_view word) {
  return std::find(std::begin(kFunctionWords), std::end(kFunctionWords), word) !=
         std::end(kFunctionWords);
}

uint64_t mix(uint64_t z) {  // splitmix64's finalizer
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t hash(std::string_view data, uint64_t seed) {
  return mix(core::fnv1a(data, kMockHashBasis ^ seed));
}

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

using Counts = std::unordered_map<uint64_t, int>;  // feature hash -> occurrences

void count_word(std::string_view word, Counts& words, Counts& trigrams) {
  if (is_function_word(word)) return;
  ++words[hash(word, 1)];
  const std::string padded = " " + std::string(word) + " ";
  for (std::size_t i = 0; i + 3 <= padded.size(); ++i)
    ++trigrams[hash(std::string_view(padded).substr(i, 3), 2)];
}

void add_features(const Counts& counts, double weight, std::vector<double>& sum) {
  for (const auto& [feature, count] : counts) {
    const double signed_weight = (feature >> 63 ? -weight : weight) * (1 + std::log(count));
    sum[feature % sum.size()] += signed_weight;
  }
}

std::vector<float> unit(const std::vector<double>& values) {
  double norm = 0;
  for (double x : values) norm += x * x;
  if (norm == 0) return {};
  const double scale = 1 / std::sqrt(norm);
  std::vector<float> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = static_cast<float>(values[i] * scale);
  return out;
}

std::vector<float> random_unit_vector(std::string_view text, std::size_t dimensions) {
  uint64_t state = hash(text, 0);
  std::vector<double> raw(dimensions);
  for (double& x : raw) {
    state += 0x9e3779b97f4a7c15ull;
    x = static_cast<double>(mix(state) >> 11) * 0x1.0p-53 * 2.0 - 1.0;
  }
  std::vector<float> out = unit(raw);
  if (out.empty()) {
    out.assign(dimensions, 0.0f);
    out[0] = 1.0f;
  }
  return out;
}

}  // namespace

std::vector<float> mock_embedding(std::string_view text, int dimensions) {
  const auto size = static_cast<std::size_t>(std::max(1, dimensions));
  Counts words, trigrams;
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const auto c = i < text.size() ? static_cast<unsigned char>(text[i]) : ' ';
    if (is_word_byte(c)) {
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else if (!word.empty()) {
      count_word(word, words, trigrams);
      word.clear();
    }
  }
  std::vector<double> sum(size, 0.0);
  add_features(words, 1.0, sum);
  add_features(trigrams, kTrigramWeight, sum);
  std::vector<float> out = unit(sum);
  return out.empty() ? random_unit_vector(text, size) : out;
}

std::vector<std::string> mock_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const auto c = i < text.size() ? static_cast<unsigned char>(text[i]) : ' ';
    if (is_word_byte(c)) {
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  return words;
}

}  // namespace sluice::gateway
