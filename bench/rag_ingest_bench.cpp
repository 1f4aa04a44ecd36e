// Ingestion stages timed apart on a folder of documents, in one thread: parse, chunk, tokenize,
// index. It tells which stage bounds the server's ingest MB/s.
//   ninja -C build/release rag_ingest_bench &&
//   build/release/rag_ingest_bench /usr/share/doc/postgresql-doc-15/html
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rag/chunker.hpp"
#include "rag/lexical_index.hpp"
#include "rag/parsers/document_parser.hpp"
#include "rag/tokenizer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct File {
  std::string name;
  std::string bytes;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice::rag;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [rounds]\n", argv[0]);
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 1;
  std::vector<File> files;
  std::size_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    files.push_back({entry.path().filename().string(), buffer.str()});
    total += files.back().bytes.size();
  }
  auto tokenizer = Tokenizer::create("english");
  if (!tokenizer) return 1;
  double parse_s = 0, chunk_s = 0, token_s = 0, index_s = 0;
  std::size_t chunks = 0;
  for (int round = 0; round < rounds; ++round) {
    LexicalIndex index;
    int64_t next_chunk = 0;
    for (const File& file : files) {
      auto start = Clock::now();
      auto parsed = parse_document(file.bytes, "", file.name);
      parse_s += seconds_since(start);
      if (!parsed) continue;
      start = Clock::now();
      std::vector<TextChunk> pieces = chunk_document(*parsed, ChunkingOptions{});
      chunk_s += seconds_since(start);
      std::vector<FieldTerms> terms(pieces.size());
      start = Clock::now();
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        terms[i].body = tokenizer->terms(pieces[i].text);
        terms[i].title = tokenizer->terms(parsed->title);
        terms[i].heading = tokenizer->terms(pieces[i].heading_path);
      }
      token_s += seconds_since(start);
      start = Clock::now();
      for (const FieldTerms& t : terms) index.add(next_chunk++, file.name, t);
      index_s += seconds_since(start);
      chunks += pieces.size();
    }
  }
  const double mb = static_cast<double>(total) * rounds / 1e6;
  std::printf("{\"files\": %zu, \"mb\": %.1f, \"chunks\": %zu", files.size(), mb, chunks);
  for (auto [name, s] :
       {std::pair{"parse", parse_s}, {"chunk", chunk_s}, {"tokenize", token_s}, {"index", index_s}})
    std::printf(", \"%s_s\": %.3f, \"%s_mb_per_s\": %.1f", name, s, name, mb / s);
  const double all = parse_s + chunk_s + token_s + index_s;
  std::printf(", \"all_s\": %.3f, \"all_mb_per_s\": %.1f}\n", all, mb / all);
}
