// Synthetic benchmark of the in-memory retrieval indexes: build, memory, BM25 latency, snapshot
// write and load, and (with --vectors) HNSW recall and latency.
//   ninja -C build/release rag_index_bench && build/release/rag_index_bench --chunks 1000000
// With --vectors-file and --queries-file (float32 .npy matrices, e.g. exported by
// bench/rag/anchors.py), HNSW recall@10 against exact search and single-thread QPS on those
// vectors over an ef_search sweep, for comparison with hnswlib's Python binding:
//   build/release/rag_index_bench --chunks 0 --vectors-file V.npy --queries-file Q.npy
// With --snapshot, the engine alone on real data: a server's lexical snapshot (DATA/indexes/
// ID.lexical) loaded, the questions of a TSV tokenized as the server does and searched (top 10)
// for --rounds rounds on one thread; the last round's chunk ids and times go to --out (JSON lines,
// for bench/rag/anchors.py score-chunks).
//   rag_index_bench --snapshot PATH --questions bench/rag/questions.tsv --out results.jsonl
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rag/index_snapshot.hpp"
#include "rag/lexical_index.hpp"
#include "rag/tokenizer.hpp"
#include "rag/vector_index.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using sluice::rag::FieldTerms;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long rss_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4096;
}

struct Options {
  std::size_t chunks = 1000000;
  std::size_t vocabulary = 200000;
  std::size_t terms_per_chunk = 80;
  std::size_t chunks_per_document = 20;
  std::size_t queries = 5000;
  std::size_t stop_words = 100;  // most frequent ranks, dropped from queries as a tokenizer would
  std::size_t vectors = 0;
  std::size_t dimension = 128;
  std::string dir = "/tmp/sluice-rag-bench";
  std::string vectors_file;  // .npy float32 rows: the indexed vectors
  std::string queries_file;  // .npy float32 rows: the queries
  sluice::rag::VectorIndexOptions hnsw;
  std::vector<std::size_t> ef_sweep{16, 32, 48, 64, 80, 128};  // ef_search values to measure
  bool reuse = false;     // keep the lexical snapshot and load it instead of building next time
  std::string snapshot;   // a server's lexical snapshot: run --questions on it
  std::string questions;  // TSV: question, tab, expected document
  std::string out;        // JSON lines: chunk ids and seconds per question
  std::string language = "english";
  std::size_t rounds = 20;
  std::size_t top_k = 10;
};

// Zipf(1) ranks through a quantized inverse CDF: O(1) per draw.
class ZipfSampler {
 public:
  explicit ZipfSampler(std::size_t vocabulary) : table_(1u << 24) {
    double harmonic = 0;
    for (std::size_t r = 1; r <= vocabulary; ++r) harmonic += 1.0 / r;
    double cumulative = 0;
    std::size_t rank = 0;
    for (std::size_t i = 0; i < table_.size(); ++i) {
      const double u = (i + 0.5) / table_.size();
      while (rank + 1 < vocabulary && cumulative + 1.0 / (rank + 1) / harmonic < u) {
        cumulative += 1.0 / (rank + 1) / harmonic;
        ++rank;
      }
      table_[i] = static_cast<uint32_t>(rank);
    }
  }
  uint32_t operator()(std::mt19937_64& rng) const { return table_[rng() >> 40]; }

 private:
  std::vector<uint32_t> table_;
};

// Pseudo-words of 3 to 9 letters, distinct per rank.
std::vector<std::string> make_vocabulary(std::size_t n) {
  std::vector<std::string> words(n);
  for (std::size_t r = 0; r < n; ++r) {
    std::string w;
    uint64_t x = r * 0x9e3779b97f4a7c15ULL + 1;
    for (std::size_t len = 3 + (r * 7) % 7; w.size() < len; x /= 26)
      w += static_cast<char>('a' + x % 26);
    words[r] = w + std::to_string(r % 97);
  }
  return words;
}

// CPU time of this thread: on a shared machine, wall-clock percentiles also measure preemption.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * values.size()))];
}

void bench_lexical(const Options& o) {
  std::printf("lexical: %zu chunks, %zu-term Zipf vocabulary, %zu terms per chunk\n", o.chunks,
              o.vocabulary, o.terms_per_chunk);
  const auto vocabulary = make_vocabulary(o.vocabulary);
  const ZipfSampler zipf(o.vocabulary);
  std::mt19937_64 rng(42);

  const std::string path = o.dir + "/lexical.snap";
  std::filesystem::create_directories(o.dir);
  std::unique_ptr<sluice::rag::LexicalIndex> built;
  if (o.reuse && std::filesystem::exists(path)) {
    auto loaded = sluice::rag::load_lexical_snapshot(path);
    if (!loaded.ok()) std::abort();
    built = std::move(loaded->index);
    std::printf("  reused the snapshot in %s\n", path.c_str());
  } else {
    const long rss_before = rss_bytes();
    built = std::make_unique<sluice::rag::LexicalIndex>();
    double add_seconds = 0, add_cpu_ms = 0;
    const auto build_start = Clock::now();
    FieldTerms terms;
    for (std::size_t c = 0; c < o.chunks; ++c) {
      terms.title.clear();
      terms.heading.clear();
      terms.body.clear();
      for (int i = 0; i < 5; ++i) terms.title.push_back(vocabulary[zipf(rng)]);
      for (int i = 0; i < 3; ++i) terms.heading.push_back(vocabulary[zipf(rng)]);
      for (std::size_t i = 8; i < o.terms_per_chunk; ++i)
        terms.body.push_back(vocabulary[zipf(rng)]);
      const std::string document = "doc" + std::to_string(c / o.chunks_per_document);
      const auto add_start = Clock::now();
      const double add_cpu = thread_cpu_ms();
      built->add(static_cast<int64_t>(c), document, terms);
      add_cpu_ms += thread_cpu_ms() - add_cpu;
      add_seconds += seconds_since(add_start);
    }
    const double build_seconds = seconds_since(build_start);
    std::printf(
        "  build: %.1f s total, %.1f s in add() (%.1f s cpu): %.0f chunks/s wall, %.0f chunks/s "
        "cpu\n",
        build_seconds, add_seconds, add_cpu_ms / 1e3, o.chunks / add_seconds,
        o.chunks / (add_cpu_ms / 1e3));
    std::printf("  rss growth while building: %.0f MB\n", (rss_bytes() - rss_before) / 1e6);
  }
  sluice::rag::LexicalIndex& index = *built;
  std::printf("  memory: %.0f MB by memory_bytes(), %.0f MB per million chunks; %zu terms\n",
              index.memory_bytes() / 1e6, index.memory_bytes() / 1e6 * 1e6 / index.chunk_count(),
              index.term_count());

  // Queries of 2-5 terms from the same distribution without its stop words; and a harder set
  // of 2-5 frequent terms (ranks stop_words .. 10 * stop_words).
  for (const auto& [label, low, high] : {std::tuple{"zipf", o.stop_words, o.vocabulary},
                                         std::tuple{"frequent", o.stop_words, o.stop_words * 10}}) {
    std::mt19937_64 query_rng(
        43);  // apart from the corpus's, so a reused snapshot sees the same queries
    std::vector<std::vector<std::string>> queries(o.queries);
    for (auto& q : queries) {
      const std::size_t n = 2 + query_rng() % 4;
      while (q.size() < n) {
        const uint32_t rank = zipf(query_rng);
        if (rank >= low && rank < high) q.push_back(vocabulary[rank]);
      }
    }
    std::vector<double> latencies, cpu;
    std::size_t hits = 0;
    const auto start = Clock::now();
    for (const auto& q : queries) {
      const auto t = Clock::now();
      const double c = thread_cpu_ms();
      hits += index.search(q, 10).size();
      cpu.push_back(thread_cpu_ms() - c);
      latencies.push_back(seconds_since(t) * 1e3);
    }
    const double total = seconds_since(start);
    std::printf(
        "  bm25 top-10, %s queries: wall p50 %.3f ms, p99 %.3f ms, max %.3f ms; cpu p50 %.3f ms, "
        "p99 %.3f ms, max %.3f ms; %.0f QPS (1 thread), %.1f hits/query\n",
        label, percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0),
        percentile(cpu, 0.5), percentile(cpu, 0.99), percentile(cpu, 1.0), queries.size() / total,
        double(hits) / queries.size());
  }

  auto start = Clock::now();
  double cpu = thread_cpu_ms();
  if (!sluice::rag::save_lexical_snapshot(index, path, 1).ok()) std::abort();
  std::printf("  snapshot write: %.2f s (%.2f s cpu), %.0f MB\n", seconds_since(start),
              (thread_cpu_ms() - cpu) / 1e3, std::filesystem::file_size(path) / 1e6);
  start = Clock::now();
  cpu = thread_cpu_ms();
  auto loaded = sluice::rag::load_lexical_snapshot(path);
  const double load_seconds = seconds_since(start);
  if (!loaded.ok()) std::abort();
  std::printf("  snapshot load: %.2f s (%.2f s cpu; page cache warm), %zu chunks\n", load_seconds,
              (thread_cpu_ms() - cpu) / 1e3, loaded->index->chunk_count());
  const std::vector<std::string> probe{vocabulary[150], vocabulary[4000]};
  if (!(loaded->index->search(probe, 10) == index.search(probe, 10))) std::abort();
  if (!o.reuse) std::filesystem::remove(path);
}

// Search terms as SearchService makes them: tokenized, sorted, deduplicated.
std::vector<std::string> query_terms(const sluice::rag::Tokenizer& tokenizer,
                                     const std::string& text) {
  std::vector<std::string> terms = tokenizer.terms(text);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

void bench_snapshot(const Options& o) {
  const auto load_start = Clock::now();
  auto loaded = sluice::rag::load_lexical_snapshot(o.snapshot);
  if (!loaded.ok()) {
    std::fprintf(stderr, "cannot load %s: %s\n", o.snapshot.c_str(),
                 loaded.error().message.c_str());
    std::exit(1);
  }
  const sluice::rag::LexicalIndex& index = *loaded->index;
  std::printf("snapshot: %zu chunks, %zu terms, loaded in %.2f s, %.0f MB by memory_bytes()\n",
              index.chunk_count(), index.term_count(), seconds_since(load_start),
              index.memory_bytes() / 1e6);
  auto tokenizer = sluice::rag::Tokenizer::create(o.language);
  if (!tokenizer.ok()) std::abort();
  std::vector<std::string> questions;
  std::ifstream in(o.questions);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') questions.push_back(line.substr(0, line.find('\t')));
  std::vector<double> latencies;
  std::vector<std::vector<sluice::rag::LexicalHit>> last(questions.size());
  std::vector<double> last_seconds(questions.size());
  double total = 0;
  for (std::size_t round = 0; round < o.rounds; ++round) {
    for (std::size_t q = 0; q < questions.size(); ++q) {
      const auto t = Clock::now();
      last[q] = index.search(query_terms(*tokenizer, questions[q]), o.top_k);
      const double s = seconds_since(t);
      latencies.push_back(s * 1e6);
      last_seconds[q] = s;
      total += s;
    }
  }
  std::printf(
      "{\"engine\": \"sluice-bm25 (in-process, top %zu, no text)\", \"chunks\": %zu, "
      "\"p50_us\": %.0f, \"p99_us\": %.0f, \"qps\": %.0f}\n",
      o.top_k, index.chunk_count(), percentile(latencies, 0.5), percentile(latencies, 0.99),
      latencies.size() / total);
  if (o.out.empty()) return;
  std::ofstream out(o.out);
  for (std::size_t q = 0; q < questions.size(); ++q) {
    out << "{\"chunk_ids\": [";
    for (std::size_t i = 0; i < last[q].size(); ++i) out << (i ? ", " : "") << last[q][i].chunk_id;
    out << "], \"seconds\": " << last_seconds[q] << "}\n";
  }
}

void bench_vectors(const Options& o) {
  std::printf(
      "vectors: %zu x %zu dims (random, normalized), M %zu, ef_construction %zu, ef_search %zu\n",
      o.vectors, o.dimension, o.hnsw.m, o.hnsw.ef_construction, o.hnsw.ef_search);
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> data(o.vectors * o.dimension);
  for (float& x : data) x = normal(rng);
  sluice::rag::VectorIndex index(o.dimension, o.hnsw);
  auto start = Clock::now();
  for (std::size_t i = 0; i < o.vectors; ++i)
    index.add(static_cast<int64_t>(i), std::span<const float>(&data[i * o.dimension], o.dimension));
  std::printf("  build: %.1f s (%.0f vectors/s), %.0f MB\n", seconds_since(start),
              o.vectors / seconds_since(start), index.memory_bytes() / 1e6);
  const std::size_t queries = 200;
  std::vector<double> latencies;
  std::size_t found = 0;
  for (std::size_t q = 0; q < queries; ++q) {
    std::vector<float> query(o.dimension);
    for (float& x : query) x = normal(rng);
    auto t = Clock::now();
    const auto hits = index.search(query, 10);
    latencies.push_back(seconds_since(t) * 1e3);
    std::vector<std::pair<float, int64_t>> exact;
    for (std::size_t i = 0; i < o.vectors; ++i) {
      double dot = 0, norm = 0;
      for (std::size_t d = 0; d < o.dimension; ++d) {
        dot += data[i * o.dimension + d] * query[d];
        norm += data[i * o.dimension + d] * data[i * o.dimension + d];
      }
      exact.emplace_back(static_cast<float>(dot / std::sqrt(norm)), static_cast<int64_t>(i));
    }
    std::partial_sort(exact.begin(), exact.begin() + 10, exact.end(), std::greater<>());
    for (const auto& hit : hits)
      for (int k = 0; k < 10; ++k) found += exact[k].second == hit.chunk_id;
  }
  std::printf("  search top-10: p50 %.3f ms, p99 %.3f ms, recall@10 %.3f\n",
              percentile(latencies, 0.5), percentile(latencies, 0.99),
              double(found) / (queries * 10));
  std::filesystem::create_directories(o.dir);
  const std::string path = o.dir + "/vectors.snap";
  start = Clock::now();
  if (!sluice::rag::save_vector_snapshot(index, path, 1).ok()) std::abort();
  std::printf("  snapshot write: %.2f s\n", seconds_since(start));
  start = Clock::now();
  if (!sluice::rag::load_vector_snapshot(path).ok()) std::abort();
  std::printf("  snapshot load: %.2f s\n", seconds_since(start));
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".hnsw");
}

// "16,32,64" -> {16, 32, 64}
std::vector<std::size_t> numbers(const std::string& list) {
  std::vector<std::size_t> out;
  for (std::size_t at = 0; at < list.size();) {
    const std::size_t end = std::min(list.find(',', at), list.size());
    out.push_back(std::stoul(list.substr(at, end - at)));
    at = end + 1;
  }
  return out;
}

// A float32 matrix saved by numpy.save (format 1.x, little-endian, C order).
struct Matrix {
  std::size_t rows = 0, columns = 0;
  std::vector<float> values;
  std::span<const float> row(std::size_t i) const {
    return std::span<const float>(&values[i * columns], columns);
  }
};

Matrix read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  uint16_t header_size = 0;
  in.read(magic, sizeof magic);
  in.read(reinterpret_cast<char*>(&header_size), sizeof header_size);
  std::string header(header_size, '\0');
  in.read(header.data(), header_size);
  Matrix m;
  const auto shape = header.find("'shape': (");
  if (!in || std::memcmp(magic, "\x93NUMPY\x01", 7) != 0 ||
      header.find("'<f4'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos || shape == std::string::npos ||
      std::sscanf(header.c_str() + shape, "'shape': (%zu, %zu)", &m.rows, &m.columns) != 2) {
    std::fprintf(stderr, "%s: not a 2-d float32 .npy file\n", path.c_str());
    std::exit(2);
  }
  m.values.resize(m.rows * m.columns);
  in.read(reinterpret_cast<char*>(m.values.data()),
          static_cast<std::streamsize>(m.values.size() * sizeof(float)));
  if (!in) std::exit(2);
  return m;
}

std::set<int64_t> exact_top(const Matrix& data, std::span<const float> query, std::size_t k) {
  std::vector<std::pair<double, int64_t>> scored(data.rows);
  double query_norm = 0;
  for (float x : query) query_norm += static_cast<double>(x) * x;
  for (std::size_t i = 0; i < data.rows; ++i) {
    double dot = 0, norm = 0;
    for (std::size_t d = 0; d < data.columns; ++d) {
      dot += static_cast<double>(data.values[i * data.columns + d]) * query[d];
      norm += static_cast<double>(data.values[i * data.columns + d]) *
              data.values[i * data.columns + d];
    }
    scored[i] = {-dot / std::sqrt(norm * query_norm + 1e-30), static_cast<int64_t>(i)};
  }
  std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(k), scored.end());
  std::set<int64_t> top;
  for (std::size_t i = 0; i < k; ++i) top.insert(scored[i].second);
  return top;
}

// Same output shape as bench/rag/anchors.py's hnswlib lines, one per ef_search.
void bench_vector_files(const Options& o) {
  constexpr std::size_t kTop = 10, kRounds = 20;
  const Matrix data = read_npy(o.vectors_file), queries = read_npy(o.queries_file);
  if (data.columns != queries.columns || data.rows < kTop) std::exit(2);
  std::vector<std::set<int64_t>> exact;
  for (std::size_t q = 0; q < queries.rows; ++q)
    exact.push_back(exact_top(data, queries.row(q), kTop));
  sluice::rag::VectorIndex index(data.columns, o.hnsw);
  const auto start = Clock::now();
  const double build_cpu = thread_cpu_ms();
  for (std::size_t i = 0; i < data.rows; ++i) index.add(static_cast<int64_t>(i), data.row(i));
  const double build_s = seconds_since(start), build_cpu_s = (thread_cpu_ms() - build_cpu) / 1e3;
  for (std::size_t ef : o.ef_sweep) {
    index.set_ef_search(ef);
    std::vector<double> latencies;
    std::size_t found = 0;
    double cpu_ms = 0;  // this thread's: preemption on a shared machine does not count
    for (std::size_t round = 0; round < kRounds; ++round)
      for (std::size_t q = 0; q < queries.rows; ++q) {
        const auto t = Clock::now();
        const double cpu = thread_cpu_ms();
        const auto hits = index.search(queries.row(q), kTop);
        cpu_ms += thread_cpu_ms() - cpu;
        latencies.push_back(seconds_since(t));
        if (round == 0)
          for (const auto& hit : hits) found += exact[q].count(hit.chunk_id);
      }
    double total = 0;
    for (double l : latencies) total += l;
    std::printf(
        "{\"engine\": \"sluice-hnsw (in-process)\", \"vectors\": %zu, \"dim\": %zu, \"M\": %zu, "
        "\"ef_construction\": %zu, \"ef_search\": %zu, \"build_s\": %.2f, \"build_cpu_s\": %.2f, "
        "\"recall@10\": %.4f, "
        "\"p50_us\": %.0f, \"p99_us\": %.0f, \"qps\": %.0f, \"cpu_qps\": %.0f}\n",
        data.rows, data.columns, o.hnsw.m, o.hnsw.ef_construction, ef, build_s, build_cpu_s,
        double(found) / (queries.rows * kTop), percentile(latencies, 0.5) * 1e6,
        percentile(latencies, 0.99) * 1e6, latencies.size() / total,
        latencies.size() / (cpu_ms / 1e3));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--chunks")
      o.chunks = std::stoul(value);
    else if (flag == "--vocabulary")
      o.vocabulary = std::stoul(value);
    else if (flag == "--terms")
      o.terms_per_chunk = std::stoul(value);
    else if (flag == "--queries")
      o.queries = std::stoul(value);
    else if (flag == "--vectors")
      o.vectors = std::stoul(value);
    else if (flag == "--dimension")
      o.dimension = std::stoul(value);
    else if (flag == "--dir")
      o.dir = value;
    else if (flag == "--reuse")
      o.reuse = std::string(value) == "1";
    else if (flag == "--vectors-file")
      o.vectors_file = value;
    else if (flag == "--queries-file")
      o.queries_file = value;
    else if (flag == "--m")
      o.hnsw.m = std::stoul(value);
    else if (flag == "--ef-construction")
      o.hnsw.ef_construction = std::stoul(value);
    else if (flag == "--ef-search")
      o.ef_sweep = numbers(value);
    else if (flag == "--snapshot")
      o.snapshot = value;
    else if (flag == "--questions")
      o.questions = value;
    else if (flag == "--out")
      o.out = value;
    else if (flag == "--language")
      o.language = value;
    else if (flag == "--rounds")
      o.rounds = std::stoul(value);
    else if (flag == "--top-k")
      o.top_k = std::stoul(value);
    else {
      std::fprintf(stderr,
                   "usage: %s [--chunks N] [--vocabulary N] [--terms N] [--queries N] "
                   "[--vectors N] [--dimension N] [--dir PATH] [--reuse 0|1] [--vectors-file V.npy "
                   "--queries-file Q.npy [--m N] [--ef-construction N] [--ef-search N,N...]]\n"
                   "       %s --snapshot PATH --questions TSV [--out JSONL] [--language L] "
                   "[--rounds N] [--top-k K]\n",
                   argv[0], argv[0]);
      return 2;
    }
  }
  if (!o.snapshot.empty()) {
    bench_snapshot(o);
    return 0;
  }
  if (o.chunks > 0) bench_lexical(o);
  if (o.vectors > 0) bench_vectors(o);
  if (!o.vectors_file.empty() && !o.queries_file.empty()) bench_vector_files(o);
  return 0;
}
