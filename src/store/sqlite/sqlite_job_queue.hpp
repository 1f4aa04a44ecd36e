#pragma once

#include "store/job_queue.hpp"
#include "store/sqlite/context.hpp"

namespace sluice::store::sqlite {

class SqliteJobQueue final : public JobQueue {
 public:
  explicit SqliteJobQueue(Context& context) : context_(context) {}

  Result<std::optional<Job>> lease(const std::string& owner, int64_t lease_ms,
                                   int64_t now_ms) override;
  Status renew(const std::string& job_id, const std::string& owner, int64_t lease_ms,
               int64_t now_ms) override;
  Status complete(const std::string& job_id, const std::string& owner) override;
  Status fail(const std::string& job_id, const std::string& owner, const std::string& error,
              int64_t retry_at_ms) override;
  Status fail_permanently(const std::string& job_id, const std::string& owner,
                          const std::string& error) override;
  Result<Job> get(const std::string& job_id) override;
  Result<Page<Job>> list(const std::string& state, const std::string& cursor, int limit) override;
  Status retry_dead(const std::string& job_id) override;
  Result<JobCounts> counts() override;
  Result<int64_t> prune_finished(int64_t before_ms, int limit) override;

 private:
  Context& context_;
};

}  // namespace sluice::store::sqlite
