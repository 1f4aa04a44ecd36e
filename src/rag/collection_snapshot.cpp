#include "rag/collection_snapshot.hpp"

#include <boost/json/parse.hpp>
#include <filesystem>

#include "rag/index_snapshot.hpp"
#include "rag/snapshot_file.hpp"

namespace sluice::rag {
namespace {

constexpr SnapshotMagic kCatalogMagic = {'S', 'L', 'C', 'E', 'C', 'A', 'T', 'L'};
constexpr uint32_t kCatalogVersion = 1;

struct Paths {
  std::string lexical, vectors, catalog;
};

Paths paths_of(const std::string& collection_id, const std::string& dir) {
  const std::string base = (std::filesystem::path(dir) / collection_id).string();
  return {base + ".lexical", base + ".vectors", base + ".catalog"};
}

void write_string(SnapshotWriter& out, const std::string& s) {
  out.write_pod<uint64_t>(s.size());
  out.write(s.data(), s.size());
}

// Straight into the string: a restart reads one per chunk (its heading path).
bool read_string(SnapshotReader& in, std::string& s) {
  uint64_t size = 0;
  if (!in.read_pod(size) || size > in.remaining()) return false;
  s.resize(size);
  return in.read(s.data(), size);
}

Status save_catalog(const CollectionIndex& index, const std::string& path) {
  const CollectionCatalog& catalog = index.catalog();
  SnapshotWriter out(path, {kCatalogMagic, kCatalogVersion, index.version(), 0});
  out.write_pod<uint8_t>(index.vectors() ? 1 : 0);
  out.write_pod<uint64_t>(catalog.documents.size());
  std::unordered_map<const DocumentInfo*, uint32_t> ordinals;
  for (const auto& [id, doc] : catalog.documents) {
    ordinals.emplace(doc.get(), static_cast<uint32_t>(ordinals.size()));
    write_string(out, doc->id);
    write_string(out, doc->external_id);
    write_string(out, doc->title);
    write_string(out, doc->metadata_json);
    out.write_pod<uint64_t>(doc->tags.size());
    for (const std::string& tag : doc->tags) write_string(out, tag);
  }
  out.write_pod<uint64_t>(catalog.chunks.size());
  for (const auto& [chunk_id, chunk] : catalog.chunks) {
    out.write_pod<int64_t>(chunk_id);
    out.write_pod<uint32_t>(ordinals.at(chunk.document));
    out.write_pod<int32_t>(chunk.ordinal);
    out.write_pod<int32_t>(chunk.page);
    write_string(out, chunk.heading_path);
  }
  out.set_chunk_count(catalog.chunks.size());
  return out.commit();
}

struct LoadedCatalog {
  CollectionCatalog catalog;
  bool has_vectors = false;
  int64_t change_seq = 0;
};

Result<LoadedCatalog> load_catalog(const std::string& path) {
  auto in = SnapshotReader::open(path, kCatalogMagic, kCatalogVersion);
  if (!in) return in.error();
  const auto corrupt = [&] {
    return make_error(Errc::internal, "index snapshot " + path + " is malformed");
  };
  LoadedCatalog loaded;
  loaded.change_seq = in->header().change_seq;
  uint8_t has_vectors = 0;
  uint64_t document_count = 0;
  if (!in->read_pod(has_vectors) || !in->read_pod(document_count)) return corrupt();
  loaded.has_vectors = has_vectors != 0;
  std::vector<DocumentInfo*> by_ordinal;
  for (uint64_t i = 0; i < document_count; ++i) {
    auto doc = std::make_unique<DocumentInfo>();
    uint64_t tag_count = 0;
    if (!read_string(*in, doc->id) || !read_string(*in, doc->external_id) ||
        !read_string(*in, doc->title) || !read_string(*in, doc->metadata_json) ||
        !in->read_pod(tag_count))
      return corrupt();
    doc->tags.resize(tag_count < 4096 ? tag_count : 0);
    if (doc->tags.size() != tag_count) return corrupt();
    for (std::string& tag : doc->tags)
      if (!read_string(*in, tag)) return corrupt();
    boost::system::error_code error;
    if (auto value = boost::json::parse(doc->metadata_json, error); !error && value.is_object())
      doc->metadata = std::move(value.as_object());
    by_ordinal.push_back(doc.get());
    const std::string id = doc->id;
    loaded.catalog.documents.emplace(id, std::move(doc));
  }
  uint64_t chunk_count = 0;
  if (!in->read_pod(chunk_count) || chunk_count != in->header().chunk_count) return corrupt();
  loaded.catalog.chunks.reserve(chunk_count);
  for (uint64_t i = 0; i < chunk_count; ++i) {
    int64_t chunk_id = 0;
    uint32_t ordinal = 0;
    ChunkInfo chunk;
    if (!in->read_pod(chunk_id) || !in->read_pod(ordinal) || ordinal >= by_ordinal.size() ||
        !in->read_pod(chunk.ordinal) || !in->read_pod(chunk.page) ||
        !read_string(*in, chunk.heading_path))
      return corrupt();
    chunk.document = by_ordinal[ordinal];
    by_ordinal[ordinal]->chunk_ids.push_back(chunk_id);
    loaded.catalog.chunks.emplace(chunk_id, std::move(chunk));
  }
  if (!in->at_end()) return corrupt();
  return loaded;
}

Error stale(const std::string& path, int64_t snapshot_seq, int64_t store_seq) {
  return make_error(Errc::conflict, "index snapshot " + path + " was taken at change " +
                                        std::to_string(snapshot_seq) + ", the store is at " +
                                        std::to_string(store_seq));
}

}  // namespace

Status save_collection_snapshot(const CollectionIndex& index, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return make_error(Errc::internal, "cannot create " + dir + ": " + error.message());
  const Paths paths = paths_of(index.collection().id, dir);
  auto lock = index.read_lock();
  if (index.vectors()) {
    if (Status saved = save_vector_snapshot(*index.vectors(), paths.vectors, index.version());
        !saved)
      return saved;
  }
  if (Status saved = save_lexical_snapshot(index.lexical(), paths.lexical, index.version()); !saved)
    return saved;
  // The catalog last: it says whether a vector file belongs to the snapshot.
  return save_catalog(index, paths.catalog);
}

Result<std::unique_ptr<CollectionIndex>> load_collection_snapshot(
    const store::Collection& collection, const std::string& dir) {
  const Paths paths = paths_of(collection.id, dir);
  auto catalog = load_catalog(paths.catalog);
  if (!catalog) return catalog.error();
  if (catalog->change_seq != collection.change_seq)
    return stale(paths.catalog, catalog->change_seq, collection.change_seq);
  auto lexical = load_lexical_snapshot(paths.lexical);
  if (!lexical) return lexical.error();
  if (lexical->change_seq != collection.change_seq)
    return stale(paths.lexical, lexical->change_seq, collection.change_seq);
  if (lexical->index->chunk_count() != catalog->catalog.chunks.size())
    return make_error(Errc::internal,
                      "index snapshot " + paths.lexical + " does not agree with its catalog");
  std::unique_ptr<VectorIndex> vectors;
  if (catalog->has_vectors) {
    auto loaded = load_vector_snapshot(paths.vectors);
    if (!loaded) return loaded.error();
    if (loaded->change_seq != collection.change_seq)
      return stale(paths.vectors, loaded->change_seq, collection.change_seq);
    vectors = std::move(loaded->index);
  }
  auto tokenizer = Tokenizer::create(collection.language);
  if (!tokenizer) return tokenizer.error();
  auto index = std::make_unique<CollectionIndex>(collection, *std::move(tokenizer),
                                                 std::move(lexical->index), std::move(vectors),
                                                 std::move(catalog->catalog));
  index->set_version(collection.change_seq);
  return index;
}

void remove_collection_snapshot(const std::string& collection_id, const std::string& dir) {
  const Paths paths = paths_of(collection_id, dir);
  std::error_code ignored;
  for (const std::string& path :
       {paths.lexical, paths.vectors, paths.vectors + ".hnsw", paths.catalog})
    std::filesystem::remove(path, ignored);
}

}  // namespace sluice::rag
