#pragma once

#include "store/document_store.hpp"
#include "store/sqlite/context.hpp"

namespace sluice::store::sqlite {

class SqliteDocumentStore final : public DocumentStore {
 public:
  explicit SqliteDocumentStore(Context& context) : context_(context) {}

  Result<PutOutcome> put_document(const std::string& collection_id,
                                  const NewDocument& document) override;
  Result<Document> get(const std::string& document_id) override;
  Result<Document> find(const std::string& collection_id,
                        const std::string& id_or_external_id) override;
  Result<Page<Document>> list(const std::string& collection_id, const std::string& cursor,
                              int limit) override;
  Status remove(const std::string& document_id) override;
  Result<DocumentBody> body(const std::string& document_id) override;
  Result<IngestedVersion> replace_chunks(const std::string& document_id, int64_t version,
                                         std::vector<Chunk> chunks,
                                         const std::string& found_title = {}) override;
  Result<std::vector<Chunk>> chunks_of(const std::string& document_id) override;
  Result<std::vector<Chunk>> get_chunks(const std::vector<int64_t>& ids) override;
  Result<ChangeBatch> changes_since(const std::string& collection_id, int64_t after_seq,
                                    int limit) override;
  Result<Page<Chunk>> all_chunks(const std::string& collection_id, const std::string& cursor,
                                 int limit) override;
  Result<int64_t> prune_tombstones(int64_t before_ms, int limit) override;

 private:
  Context& context_;
};

}  // namespace sluice::store::sqlite
