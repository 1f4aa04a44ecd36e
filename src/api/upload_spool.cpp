#include "api/upload_spool.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ops/blocking_pool.hpp"

namespace sluice::api {

UploadSpool::UploadSpool(std::string dir, std::string_view dir_key)
    : dir_(std::move(dir)), dir_key_(dir_key) {}

UploadSpool::~UploadSpool() {
  if (fd_ >= 0) ::close(fd_);
}

Error UploadSpool::failed(std::string_view what, int error_number) const {
  return make_error(Errc::unavailable,
                    "cannot keep the upload until its model is known: " + std::string(what) +
                        " in " + dir_ + ": " + std::strerror(error_number) + " (check " +
                        std::string(dir_key_) + ")",
                    {}, "upload_spool_failed");
}

int UploadSpool::open_file() {
  fd_ = ::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ >= 0) return 0;
  // Filesystems without O_TMPFILE: a named file, unlinked before anything is written to it.
  std::string path = dir_ + "/sluice-upload-XXXXXX";
  fd_ = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd_ < 0) return errno;
  ::unlink(path.c_str());
  return 0;
}

int UploadSpool::probe(const std::string& dir) {
  UploadSpool spool(dir, {});
  return spool.open_file();  // closed with the spool
}

boost::asio::awaitable<Status> UploadSpool::append(std::string_view bytes) {
  const std::size_t in_memory = std::min(bytes.size(), kMemoryBytes - memory_.size());
  memory_.append(bytes.substr(0, in_memory));
  bytes.remove_prefix(in_memory);
  if (bytes.empty()) co_return Status::success();
  co_return co_await ops::run_blocking([this, bytes]() -> Status {
    if (fd_ < 0)
      if (const int error = open_file(); error != 0)
        return failed("creating a temporary file", error);
    std::string_view rest = bytes;
    while (!rest.empty()) {
      const ssize_t n = ::pwrite(fd_, rest.data(), rest.size(), static_cast<off_t>(file_size_));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return failed("writing a temporary file", n < 0 ? errno : ENOSPC);
      file_size_ += static_cast<std::uint64_t>(n);
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    return Status::success();
  });
}

boost::asio::awaitable<Result<std::size_t>> UploadSpool::read_at(std::uint64_t offset,
                                                                 std::span<char> into) {
  if (offset >= size() || into.empty()) co_return std::size_t{0};
  if (offset < memory_.size()) {
    const std::size_t n = std::min<std::size_t>(into.size(), memory_.size() - offset);
    std::memcpy(into.data(), memory_.data() + offset, n);
    co_return n;
  }
  const std::uint64_t at = offset - memory_.size();
  const std::size_t wanted =
      static_cast<std::size_t>(std::min<std::uint64_t>(into.size(), file_size_ - at));
  co_return co_await ops::run_blocking([this, at, wanted, into]() -> Result<std::size_t> {
    for (;;) {
      const ssize_t n = ::pread(fd_, into.data(), wanted, static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return failed("reading a temporary file", n < 0 ? errno : EIO);
      return static_cast<std::size_t>(n);
    }
  });
}

}  // namespace sluice::api
