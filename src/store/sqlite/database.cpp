#include "store/sqlite/database.hpp"

#include <algorithm>

namespace sluice::store::sqlite {

Database::Database(const std::string& path, int readers, const ConnectionOptions& options) {
  ConnectionOptions writer_options = options;
  writer_options.create = true;
  writer_ = std::make_unique<Connection>(path, writer_options);
  checkpointer_ = std::make_unique<Checkpointer>(path, options, *writer_);
  // Readers open read-write (not SQLITE_OPEN_READONLY) so that they can map the WAL index; they
  // only ever run queries.
  ConnectionOptions reader_options = options;
  reader_options.create = false;
  for (int i = 0; i < std::max(readers, 1); ++i)
    idle_readers_.push_back(std::make_unique<Connection>(path, reader_options));
}

Database::ReaderLease::ReaderLease(Database& db) : db_(db) {
  std::unique_lock lock(db_.readers_mutex_);
  db_.reader_returned_.wait(lock, [&] { return !db_.idle_readers_.empty(); });
  connection_ = std::move(db_.idle_readers_.back());
  db_.idle_readers_.pop_back();
}

Database::ReaderLease::~ReaderLease() {
  {
    std::lock_guard lock(db_.readers_mutex_);
    db_.idle_readers_.push_back(std::move(connection_));
  }
  db_.reader_returned_.notify_one();
}

}  // namespace sluice::store::sqlite
