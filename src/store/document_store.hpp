#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

// An upload as received: the body is kept by the store until it is ingested (and after, so a
// document can be indexed again), so a crash between the 202 and the ingest loses nothing.
struct NewDocument {
  std::string external_id;  // optional; same id + different content = a new version
  std::string title;
  // false: `title` is a stand-in (the file name) that the title found in the content replaces
  // once the document is ingested.
  bool title_given = true;
  std::string source_name;
  std::string media_type;
  std::string metadata_json = "{}";  // a JSON object's text, validated by the caller
  std::vector<std::string> tags;
  std::string bytes;  // the raw body
};

struct PutOutcome {
  Document doc;
  std::string job_id;  // the ingest job of doc's current version
  // false = identical content was already stored (same external id, or none given and the same
  // content hash in the collection): nothing changed, doc and job_id are the existing ones.
  bool created = true;
};

// What changed in a collection after a change sequence, for indexes and caches that follow it.
struct DocumentChange {
  enum class Kind { upserted, removed };
  std::string document_id;
  Kind kind = Kind::upserted;  // upserted: read chunks_of(document_id) again
  int64_t change_seq = 0;
};

struct ChangeBatch {
  std::vector<DocumentChange> changes;  // ascending change_seq, at most one per document
  int64_t next_seq = 0;  // pass to the next changes_since; the last change's seq, or the input
  bool more = false;     // the limit cut the batch
};

// A document version as replace_chunks committed it: its row (status indexed, title as found)
// at `change_seq`, and its chunks with their ids, as chunks_of would read them.
struct IngestedVersion {
  Document doc;
  int64_t change_seq = 0;
  std::vector<Chunk> chunks;
};

// The stored body of a document's current version, with what parsing it needs.
struct DocumentBody {
  int64_t version = 0;
  std::string media_type;
  std::string source_name;
  std::string bytes;
};

// Documents, their stored bodies and their chunks.
class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  // Stores a document and enqueues its ingest job, in one transaction. A known external id with
  // different content replaces it: version+1, status pending, a new job (queued jobs of the old
  // version are cancelled); its old chunks stay searchable until replace_chunks commits the new
  // ones. not_found when the collection does not exist.
  virtual Result<PutOutcome> put_document(const std::string& collection_id,
                                          const NewDocument& document) = 0;
  virtual Result<Document> get(const std::string& document_id) = 0;
  // In `collection_id`, by document id or, failing that, by the client's external id.
  virtual Result<Document> find(const std::string& collection_id,
                                const std::string& id_or_external_id) = 0;
  // Oldest first.
  virtual Result<Page<Document>> list(const std::string& collection_id, const std::string& cursor,
                                      int limit) = 0;
  // Deletes the document, its body, its chunks and its queued or running jobs; bumps change_seq.
  virtual Status remove(const std::string& document_id) = 0;
  // The stored body of the document's current version (one read: an ingest's first step).
  virtual Result<DocumentBody> body(const std::string& document_id) = 0;
  // Atomically swaps the document's chunks for `chunks` (ids assigned here; document_id and
  // collection_id taken from the document) and marks it indexed, only while `version` is still
  // its current version: conflict otherwise, so a stale ingest never wins. Idempotent: running it
  // again for the same version replaces the chunks again, never duplicates them. `found_title`,
  // the title the content gives (or empty), becomes the document's title unless the upload named
  // one. Returns what it wrote, so that a caller in this process can index it without reading it
  // back (valid once the transaction it ran in has committed).
  virtual Result<IngestedVersion> replace_chunks(const std::string& document_id, int64_t version,
                                                 std::vector<Chunk> chunks,
                                                 const std::string& found_title = {}) = 0;
  // Ordered by ordinal.
  virtual Result<std::vector<Chunk>> chunks_of(const std::string& document_id) = 0;
  // The chunks with these ids, in the order asked; ids that no longer exist are left out. For
  // search results, whose chunk text the indexes do not keep.
  virtual Result<std::vector<Chunk>> get_chunks(const std::vector<int64_t>& ids) = 0;
  // Documents changed after `after_seq`. A full rebuild reads the collection's change_seq S,
  // then all_chunks, then replays changes_since(S): replays are idempotent, so it converges.
  virtual Result<ChangeBatch> changes_since(const std::string& collection_id, int64_t after_seq,
                                            int limit) = 0;
  // Every chunk of the collection, by ascending id.
  virtual Result<Page<Chunk>> all_chunks(const std::string& collection_id,
                                         const std::string& cursor, int limit) = 0;
  // Deletes up to `limit` tombstones of documents removed before `before_ms` (oldest first),
  // raising their collections' removals_pruned_seq; how many it deleted.
  virtual Result<int64_t> prune_tombstones(int64_t before_ms, int limit) = 0;
};

}  // namespace sluice::store
