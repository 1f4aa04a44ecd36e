// Ingestion stages timed apart (CPU seconds) on a folder of documents, in one thread: parse,
// chunk, tokenize, index. It tells which stage bounds the server's ingest MB/s. With DIMENSIONS,
// embeddings too, a request per document as the pipeline sends them: Sluice's costs (encode the
// request, decode the mock's answer, insert into the HNSW index) and apart the mock's (compute and
// print vectors).
//   ninja -C build/release rag_ingest_bench &&
//   build/release/rag_ingest_bench /usr/share/doc/postgresql-doc-15/html [rounds [DIMENSIONS]]
#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/providers/mock/mock_replies.hpp"
#include "rag/chunker.hpp"
#include "rag/gateway_embedder.hpp"
#include "rag/lexical_index.hpp"
#include "rag/parsers/document_parser.hpp"
#include "rag/tokenizer.hpp"
#include "rag/vector_index.hpp"

namespace {

struct File {
  std::string name;
  std::string bytes;
};

// This thread's CPU time: on a shared machine, wall time also counts other processes' turns.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace sluice::rag;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [rounds [DIMENSIONS]]\n", argv[0]);
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 1;
  const int dimensions = argc > 3 ? std::atoi(argv[3]) : 0;
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
  double encode_s = 0, mock_s = 0, decode_s = 0, vectors_s = 0;
  std::size_t chunks = 0;
  for (int round = 0; round < rounds; ++round) {
    LexicalIndex index;
    std::unique_ptr<VectorIndex> vectors;
    if (dimensions > 0) vectors = std::make_unique<VectorIndex>(dimensions);
    int64_t next_chunk = 0;
    for (const File& file : files) {
      double start = cpu_seconds();
      auto parsed = parse_document(file.bytes, "", file.name);
      parse_s += cpu_seconds() - start;
      if (!parsed) continue;
      start = cpu_seconds();
      std::vector<TextChunk> pieces = chunk_document(*parsed, ChunkingOptions{});
      chunk_s += cpu_seconds() - start;
      std::vector<FieldTerms> terms(pieces.size());
      start = cpu_seconds();
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        terms[i].body = tokenizer->terms(pieces[i].text);
        terms[i].title = tokenizer->terms(parsed->title);
        terms[i].heading = tokenizer->terms(pieces[i].heading_path);
      }
      token_s += cpu_seconds() - start;
      start = cpu_seconds();
      for (const FieldTerms& t : terms) index.add(next_chunk++, file.name, t);
      index_s += cpu_seconds() - start;
      for (std::size_t first = 0; vectors && first < pieces.size();
           first += GatewayEmbedder::kBatchSize) {
        const std::size_t end = std::min(pieces.size(), first + GatewayEmbedder::kBatchSize);
        start = cpu_seconds();
        boost::json::array input;
        for (std::size_t i = first; i < end; ++i) input.emplace_back(pieces[i].text);
        const boost::json::object request{{"model", "bench-embed"}, {"input", std::move(input)}};
        const std::string raw = boost::json::serialize(request);
        encode_s += cpu_seconds() - start;
        start = cpu_seconds();
        const std::string body =
            sluice::gateway::embeddings_json(request, "bench-embed", dimensions);
        mock_s += cpu_seconds() - start;
        start = cpu_seconds();
        auto embedded = parse_embeddings_response(body, end - first);
        decode_s += cpu_seconds() - start;
        if (!embedded || raw.empty()) return 1;
        start = cpu_seconds();
        for (std::size_t i = first; i < end; ++i)
          vectors->add(next_chunk - static_cast<int64_t>(pieces.size() - i),
                       (*embedded)[i - first]);
        vectors_s += cpu_seconds() - start;
      }
      chunks += pieces.size();
    }
  }
  const double mb = static_cast<double>(total) * rounds / 1e6;
  std::printf("{\"files\": %zu, \"mb\": %.1f, \"chunks\": %zu", files.size(), mb, chunks);
  for (auto [name, s] : {std::pair{"parse", parse_s},
                         {"chunk", chunk_s},
                         {"tokenize", token_s},
                         {"index", index_s},
                         {"embed_encode", encode_s},
                         {"embed_decode", decode_s},
                         {"vector_index", vectors_s}})
    if (s > 0) std::printf(", \"%s_s\": %.3f, \"%s_mb_per_s\": %.1f", name, s, name, mb / s);
  if (mock_s > 0) std::printf(", \"mock_embed_s_not_sluice\": %.3f", mock_s);
  const double all = parse_s + chunk_s + token_s + index_s + encode_s + decode_s + vectors_s;
  std::printf(", \"all_s\": %.3f, \"all_mb_per_s\": %.1f}\n", all, mb / all);
}
