#include "rag/index_snapshot.hpp"

#include <cstdio>

#include "rag/lexical_data.hpp"
#include "rag/snapshot_file.hpp"

namespace sluice::rag {
namespace {

constexpr SnapshotMagic kLexicalMagic = {'S', 'L', 'C', 'E', 'B', 'M', '2', '5'};
constexpr SnapshotMagic kVectorMagic = {'S', 'L', 'C', 'E', 'H', 'N', 'S', 'W'};
constexpr uint32_t kLexicalVersion = 1;
constexpr uint32_t kVectorVersion = 1;

// Strings as one blob plus n + 1 offsets.
void write_strings(SnapshotWriter& out, const std::vector<const std::string*>& strings) {
  std::vector<uint64_t> offsets{0};
  for (const std::string* s : strings) offsets.push_back(offsets.back() + s->size());
  out.write_pod<uint64_t>(strings.size());
  out.write_array(offsets);
  for (const std::string* s : strings) out.write(s->data(), s->size());
}

// Reads n + 1 offsets, checking they rise from 0, and the blob they index.
bool read_offsets(SnapshotReader& in, uint64_t count, std::vector<uint64_t>& offsets) {
  if (!in.read_array(offsets, count + 1) || offsets[0] != 0) return false;
  for (uint64_t i = 0; i < count; ++i)
    if (offsets[i + 1] < offsets[i]) return false;
  return true;
}

bool read_strings(SnapshotReader& in, std::vector<std::string>& strings) {
  uint64_t count = 0;
  std::vector<uint64_t> offsets;
  std::vector<char> blob;
  if (!in.read_pod(count) || !read_offsets(in, count, offsets) ||
      !in.read_array(blob, offsets.back()))
    return false;
  strings.resize(count);
  for (uint64_t i = 0; i < count; ++i)
    strings[i].assign(blob.data() + offsets[i], offsets[i + 1] - offsets[i]);
  return true;
}

void write_lexical(SnapshotWriter& out, const LexicalData& data) {
  out.write_pod<uint64_t>(data.chunk_ids.size());
  out.write_array(data.chunk_ids);
  out.write_array(data.lengths);
  out.write_array(data.dead);

  std::vector<const std::string*> names;
  std::vector<uint64_t> doc_offsets{0};
  std::vector<uint32_t> docs;
  for (const auto& [name, ids] : data.documents) {
    names.push_back(&name);
    docs.insert(docs.end(), ids.begin(), ids.end());
    doc_offsets.push_back(docs.size());
  }
  write_strings(out, names);
  out.write_array(doc_offsets);
  out.write_array(docs);

  std::vector<const std::string*> terms;
  std::vector<const PostingList*> lists;
  std::vector<uint32_t> counts;
  std::vector<uint64_t> byte_offsets{0}, block_offsets{0};
  for (const auto& [term, list] : data.terms) {
    terms.push_back(&term);
    lists.push_back(&list);
    counts.push_back(list.size());
    byte_offsets.push_back(byte_offsets.back() + list.bytes().size());
    block_offsets.push_back(block_offsets.back() + list.blocks().size());
  }
  write_strings(out, terms);
  out.write_array(counts);
  out.write_array(byte_offsets);
  out.write_array(block_offsets);
  for (const PostingList* list : lists) out.write_array(list->bytes());
  for (const PostingList* list : lists) out.write_array(list->blocks());
}

bool read_docs(SnapshotReader& in, LexicalData& data) {
  uint64_t n = 0;
  if (!in.read_pod(n) || n >= PostingCursor::kEnd || !in.read_array(data.chunk_ids, n) ||
      !in.read_array(data.lengths, n) || !in.read_array(data.dead, (n + 63) / 64))
    return false;
  for (uint32_t doc = 0; doc < n; ++doc) {
    if (data.is_dead(doc)) continue;
    ++data.live_docs;
    data.live_length += data.lengths[doc];
  }
  return true;
}

bool read_documents(SnapshotReader& in, LexicalData& data) {
  std::vector<std::string> names;
  std::vector<uint64_t> offsets;
  std::vector<uint32_t> docs;
  if (!read_strings(in, names) || !read_offsets(in, names.size(), offsets) ||
      !in.read_array(docs, offsets.back()))
    return false;
  for (uint32_t doc : docs)
    if (doc >= data.chunk_ids.size()) return false;
  data.documents.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i)
    data.documents.emplace(
        std::move(names[i]),
        std::vector<uint32_t>(docs.begin() + offsets[i], docs.begin() + offsets[i + 1]));
  return true;
}

bool read_postings(SnapshotReader& in, LexicalData& data) {
  std::vector<std::string> terms;
  std::vector<uint32_t> counts;
  std::vector<uint64_t> byte_offsets, block_offsets;
  std::vector<PostingBlock> blocks;
  if (!read_strings(in, terms) || !in.read_array(counts, terms.size()) ||
      !read_offsets(in, terms.size(), byte_offsets) ||
      !read_offsets(in, terms.size(), block_offsets))
    return false;
  // Each list's bytes straight into its own vector: no copy of all of them in between.
  std::vector<std::vector<uint8_t>> bytes(terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i)
    if (!in.read_array(bytes[i], byte_offsets[i + 1] - byte_offsets[i])) return false;
  if (!in.read_array(blocks, block_offsets.back())) return false;
  data.terms.reserve(terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i) {
    std::vector<PostingBlock> list_blocks(blocks.begin() + block_offsets[i],
                                          blocks.begin() + block_offsets[i + 1]);
    if (!list_blocks.empty() && list_blocks.back().last_doc >= data.chunk_ids.size()) return false;
    PostingList list;
    if (!PostingList::assemble(std::move(bytes[i]), std::move(list_blocks), counts[i], list))
      return false;
    if (!data.terms.emplace(std::move(terms[i]), std::move(list)).second) return false;
  }
  return true;
}

std::string graph_path(const std::string& path) { return path + ".hnsw"; }

}  // namespace

Status save_lexical_snapshot(const LexicalIndex& index, const std::string& path,
                             int64_t change_seq) {
  Status status;
  index.read_data([&](const LexicalData& data) {
    SnapshotWriter out(path,
                       SnapshotHeader{kLexicalMagic, kLexicalVersion, change_seq, data.live_docs});
    write_lexical(out, data);
    status = out.commit();
  });
  return status;
}

Result<LoadedSnapshot<LexicalIndex>> load_lexical_snapshot(const std::string& path) {
  auto reader = SnapshotReader::open(path, kLexicalMagic, kLexicalVersion);
  if (!reader) return reader.error();
  auto data = std::make_unique<LexicalData>();
  if (!read_docs(*reader, *data) || !read_documents(*reader, *data) ||
      !read_postings(*reader, *data) || !reader->at_end() ||
      data->live_docs != reader->header().chunk_count)
    return make_error(Errc::internal, "snapshot " + path + " is not usable: inconsistent content");
  LoadedSnapshot<LexicalIndex> loaded{std::make_unique<LexicalIndex>(),
                                      reader->header().change_seq};
  loaded.index->replace_data(std::move(data));
  return loaded;
}

Status save_vector_snapshot(const VectorIndex& index, const std::string& path, int64_t change_seq) {
  const std::string graph = graph_path(path);
  const std::string temp_graph = graph + ".tmp";
  const auto count = index.save_graph(temp_graph);
  if (!count) return count.error();
  uint64_t graph_size = 0;
  const auto graph_checksum = file_checksum(temp_graph, graph_size);
  if (!graph_checksum || !sync_file(temp_graph) ||
      std::rename(temp_graph.c_str(), graph.c_str()) != 0) {
    std::remove(temp_graph.c_str());
    return make_error(Errc::internal, "cannot write the vector index to " + graph);
  }
  SnapshotWriter out(path, SnapshotHeader{kVectorMagic, kVectorVersion, change_seq, *count});
  const VectorIndexOptions& options = index.options();
  const uint64_t fields[] = {index.dimension(), options.m,  options.ef_construction,
                             options.ef_search, graph_size, *graph_checksum};
  out.write(fields, sizeof(fields));
  return out.commit();
}

Result<LoadedSnapshot<VectorIndex>> load_vector_snapshot(const std::string& path) {
  auto reader = SnapshotReader::open(path, kVectorMagic, kVectorVersion);
  if (!reader) return reader.error();
  uint64_t fields[6] = {};
  if (!reader->read(fields, sizeof(fields)) || !reader->at_end() || fields[0] == 0)
    return make_error(Errc::internal, "snapshot " + path + " is not usable: inconsistent content");
  const std::string graph = graph_path(path);
  uint64_t graph_size = 0;
  const auto graph_checksum = file_checksum(graph, graph_size);
  if (!graph_checksum || graph_size != fields[4] || *graph_checksum != fields[5])
    return make_error(Errc::internal, "snapshot " + graph + " does not match " + path);
  VectorIndexOptions options{.m = fields[1], .ef_construction = fields[2], .ef_search = fields[3]};
  LoadedSnapshot<VectorIndex> loaded{std::make_unique<VectorIndex>(fields[0], options),
                                     reader->header().change_seq};
  if (Status status = loaded.index->load_graph(graph); !status) return status.error();
  if (loaded.index->size() != reader->header().chunk_count)
    return make_error(Errc::internal, "snapshot " + graph + " holds another number of vectors");
  return loaded;
}

}  // namespace sluice::rag
