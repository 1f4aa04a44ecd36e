#include "store/sqlite/database.hpp"

#include <algorithm>
#include <vector>

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

Status Database::batch(const std::function<void()>& calls) {
  return write([&](Connection&) {
    calls();
    return Status::success();
  });
}

std::size_t Database::queued_writes() {
  std::lock_guard lock(group_mutex_);
  return queued_.size();
}

void Database::commit_in_group(PendingWrite& pending) {
  std::unique_lock lock(group_mutex_);
  queued_.push_back(&pending);
  for (;;) {
    group_done_.wait(lock, [&] { return pending.done || !leading_; });
    if (pending.done) return;
    const std::size_t n = std::min(queued_.size(), kMaxGroup);
    std::vector<PendingWrite*> group;
    try {
      group.assign(queued_.begin(), queued_.begin() + n);
    } catch (...) {  // out of memory: this write leaves the queue and fails alone
      std::erase(queued_, &pending);
      throw;
    }
    queued_.erase(queued_.begin(), queued_.begin() + n);
    leading_ = true;
    lock.unlock();
    try {
      commit_group(group);
    } catch (...) {  // out of memory before a member ran: every member hears of it
      for (PendingWrite* member : group) member->exception = std::current_exception();
    }
    lock.lock();
    for (PendingWrite* member : group) member->done = true;
    leading_ = false;
    group_done_.notify_all();
  }
}

void Database::commit_group(const std::vector<PendingWrite*>& group) {
  std::lock_guard lock(writer_mutex_);
  Connection& connection = *writer_;
  struct Writing {  // writes nested in the members' f join this transaction
    explicit Writing(std::atomic<std::thread::id>& mark) : mark(mark) {
      mark.store(std::this_thread::get_id());
    }
    ~Writing() { mark.store(std::thread::id()); }
    std::atomic<std::thread::id>& mark;
  };
  // A write alone needs no savepoint: the transaction is its own.
  const bool alone = group.size() == 1;
  std::vector<char> succeeded(group.size(), 0);
  std::size_t ran = 0;
  try {
    Transaction transaction(connection, "BEGIN IMMEDIATE");
    {
      Writing writing(writing_thread_);
      for (; ran < group.size(); ++ran) {
        PendingWrite& member = *group[ran];
        try {
          if (alone) {
            succeeded[ran] = member.run(connection);
          } else {
            Savepoint savepoint(connection);
            succeeded[ran] = member.run(connection);
            if (succeeded[ran]) savepoint.release();
          }
        } catch (const SqliteError& e) {
          member.status = e.error();
        } catch (...) {
          member.exception = std::current_exception();
        }
        // SQLite rolled the whole transaction back (SQLITE_FULL, an I/O error): the members
        // before lost their changes too, for this member's reason.
        if (!alone && !connection.in_transaction()) {
          throw SqliteError(member.status ? Errc::unavailable : member.status.error().code,
                            member.status ? "sqlite: the transaction was rolled back"
                                          : member.status.error().message);
        }
      }
    }
    if (std::find(succeeded.begin(), succeeded.end(), 1) != succeeded.end()) transaction.commit();
  } catch (const SqliteError& e) {
    // The transaction is gone (its commit failed, or SQLite rolled it back): nothing of the
    // group took effect.
    for (std::size_t i = 0; i < group.size(); ++i)
      if (succeeded[i] || i >= ran) group[i]->status = e.error();
  }
}

}  // namespace sluice::store::sqlite
