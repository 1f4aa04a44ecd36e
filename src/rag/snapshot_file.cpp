#include "rag/snapshot_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <utility>

namespace sluice::rag {
namespace {

constexpr std::size_t kHeaderSize = 64;
constexpr std::size_t kBufferSize = 1 << 20;

struct RawHeader {
  SnapshotMagic magic;
  uint32_t version;
  uint32_t header_size;
  int64_t change_seq;
  uint64_t chunk_count;
  uint64_t payload_size;
  uint64_t checksum;
  char reserved[kHeaderSize - 48];
};
static_assert(sizeof(RawHeader) == kHeaderSize);

uint64_t seal(uint64_t payload_checksum, const RawHeader& raw) {
  Checksum64 sum;
  const uint64_t fields[] = {payload_checksum, raw.version, static_cast<uint64_t>(raw.change_seq),
                             raw.chunk_count, raw.payload_size};
  sum.update(raw.magic.data(), raw.magic.size());
  sum.update(fields, sizeof(fields));
  return sum.finish();
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

Error io_error(const std::string& what, const std::string& path, int error) {
  return make_error(Errc::internal, what + " " + path + ": " + std::strerror(error));
}

Error invalid(const std::string& path, const std::string& why) {
  return make_error(Errc::internal, "snapshot " + path + " is not usable: " + why);
}

}  // namespace

SnapshotWriter::SnapshotWriter(std::string path, SnapshotHeader header)
    : path_(std::move(path)), temp_path_(path_ + ".tmp"), header_(header) {
  buffer_.reserve(kBufferSize);
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    failed_ = true;
    error_ = errno;
    return;
  }
  const char placeholder[kHeaderSize] = {};
  if (!write_all(fd_, placeholder, kHeaderSize)) {
    failed_ = true;
    error_ = errno;
  }
}

SnapshotWriter::~SnapshotWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

bool SnapshotWriter::flush() {
  if (!failed_ && !write_all(fd_, buffer_.data(), buffer_.size())) {
    failed_ = true;
    error_ = errno;
  }
  buffer_.clear();
  return !failed_;
}

void SnapshotWriter::write(const void* data, std::size_t size) {
  if (failed_ || size == 0) return;
  checksum_.update(data, size);
  payload_size_ += size;
  auto* bytes = static_cast<const char*>(data);
  if (buffer_.size() + size > kBufferSize) {
    if (!flush()) return;
    if (size >= kBufferSize) {
      if (!write_all(fd_, bytes, size)) {
        failed_ = true;
        error_ = errno;
      }
      return;
    }
  }
  buffer_.insert(buffer_.end(), bytes, bytes + size);
}

Status SnapshotWriter::commit() {
  if (!failed_) flush();
  if (failed_) return io_error("cannot write", temp_path_, error_);
  RawHeader raw{};
  raw.magic = header_.magic;
  raw.version = header_.version;
  raw.header_size = kHeaderSize;
  raw.change_seq = header_.change_seq;
  raw.chunk_count = header_.chunk_count;
  raw.payload_size = payload_size_;
  raw.checksum = seal(checksum_.finish(), raw);
  if (::pwrite(fd_, &raw, sizeof(raw), 0) != static_cast<ssize_t>(sizeof(raw)) || ::fsync(fd_) != 0)
    return io_error("cannot write", temp_path_, errno);
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_path_.c_str());
    return io_error("cannot rename to", path_, error);
  }
  // The rename is durable once the directory is synced.
  const std::string directory = std::filesystem::path(path_).parent_path().string();
  const int dir = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

SnapshotReader::SnapshotReader(SnapshotReader&& other) noexcept { *this = std::move(other); }

SnapshotReader& SnapshotReader::operator=(SnapshotReader&& other) noexcept {
  if (this == &other) return *this;
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
  header_ = other.header_;
  mapping_ = std::exchange(other.mapping_, nullptr);
  mapping_size_ = std::exchange(other.mapping_size_, 0);
  data_ = std::exchange(other.data_, nullptr);
  size_ = std::exchange(other.size_, 0);
  position_ = std::exchange(other.position_, 0);
  return *this;
}

SnapshotReader::~SnapshotReader() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

Result<SnapshotReader> SnapshotReader::open(const std::string& path, const SnapshotMagic& magic,
                                            uint32_t version) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_error(Errc::not_found, "no snapshot at " + path);
    return io_error("cannot open", path, errno);
  }
  struct stat st {};
  SnapshotReader reader;
  bool read_ok = ::fstat(fd, &st) == 0 && static_cast<std::size_t>(st.st_size) >= kHeaderSize;
  if (read_ok) {
    void* mapping = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ,
                           MAP_PRIVATE | MAP_POPULATE, fd, 0);
    read_ok = mapping != MAP_FAILED;
    if (read_ok) {
      reader.mapping_ = mapping;
      reader.mapping_size_ = static_cast<std::size_t>(st.st_size);
    }
  }
  ::close(fd);
  if (!read_ok) return invalid(path, "truncated or unreadable");
  RawHeader raw{};
  std::memcpy(&raw, reader.mapping_, kHeaderSize);
  if (raw.magic != magic) return invalid(path, "not this kind of snapshot");
  if (raw.version != version)
    return invalid(path, "format version " + std::to_string(raw.version) + ", expected " +
                             std::to_string(version));
  if (raw.header_size != kHeaderSize ||
      raw.payload_size != static_cast<uint64_t>(st.st_size) - kHeaderSize)
    return invalid(path, "truncated");
  reader.data_ = static_cast<const char*>(reader.mapping_) + kHeaderSize;
  reader.size_ = raw.payload_size;
  Checksum64 checksum;
  checksum.update(reader.data_, reader.size_);
  if (seal(checksum.finish(), raw) != raw.checksum) return invalid(path, "checksum mismatch");
  reader.header_ = SnapshotHeader{raw.magic, raw.version, raw.change_seq, raw.chunk_count};
  return reader;
}

bool SnapshotReader::read(void* out, std::size_t size) {
  if (size > size_ - position_) return false;
  if (size == 0) return true;  // out may be null then (an empty vector's)
  std::memcpy(out, data_ + position_, size);
  position_ += size;
  return true;
}

std::optional<uint64_t> file_checksum(const std::string& path, uint64_t& size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<char> buffer(kBufferSize);
  Checksum64 checksum;
  size = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    checksum.update(buffer.data(), static_cast<std::size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return checksum.finish();
}

bool sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

}  // namespace sluice::rag
