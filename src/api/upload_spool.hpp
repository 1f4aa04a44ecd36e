#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sluice::api {

// The start of an upload kept so that it can be sent after it was read: the first
// kMemoryBytes in memory, the rest in a temporary file in `dir` that no path names (O_TMPFILE,
// else unlinked at once), so that it is gone when closed, however the process ends. File I/O
// runs on the blocking pool.
class UploadSpool {
 public:
  static constexpr std::size_t kMemoryBytes = 64 * 1024;

  // `dir_key`: the config key naming `dir`, for error messages.
  UploadSpool(std::string dir, std::string_view dir_key);
  ~UploadSpool();
  UploadSpool(const UploadSpool&) = delete;
  UploadSpool& operator=(const UploadSpool&) = delete;

  // Appends `bytes`; a 503 naming the directory's key when the file cannot be made or written.
  boost::asio::awaitable<Status> append(std::string_view bytes);
  // Copies up to into.size() bytes from `offset` (below size()) into `into`; how many.
  boost::asio::awaitable<Result<std::size_t>> read_at(std::uint64_t offset, std::span<char> into);

  // Whether `dir` (which must exist) can hold the spool's files: makes one as append() would and
  // closes it (nameless: nothing is left). 0, else the errno that append() would meet.
  static int probe(const std::string& dir);

  std::uint64_t size() const { return memory_.size() + file_size_; }
  bool on_disk() const { return fd_ >= 0; }

 private:
  // Opens the temporary file (on the blocking pool): 0 or the errno.
  int open_file();
  Error failed(std::string_view what, int error_number) const;

  std::string dir_;
  std::string_view dir_key_;
  std::string memory_;
  int fd_ = -1;
  std::uint64_t file_size_ = 0;
};

}  // namespace sluice::api
