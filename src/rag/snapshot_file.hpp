#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "rag/checksum.hpp"

namespace sluice::rag {

// Snapshot files: a fixed 64-byte header {magic, format version, change sequence, chunk count,
// payload size, checksum} then the payload. The checksum covers the payload and the header's
// other fields. Payloads are bulk arrays so that loading is a few large copies.
using SnapshotMagic = std::array<char, 8>;

struct SnapshotHeader {
  SnapshotMagic magic{};
  uint32_t version = 0;
  int64_t change_seq = 0;
  uint64_t chunk_count = 0;
};

// Writes `path` through a temporary file in the same directory, fsynced, then renamed over it,
// so a crash leaves the old snapshot or the new one, never a torn file.
class SnapshotWriter {
 public:
  SnapshotWriter(std::string path, SnapshotHeader header);
  ~SnapshotWriter();  // an uncommitted snapshot leaves nothing behind
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  void write(const void* data, std::size_t size);
  template <class T>
  void write_pod(const T& value) {
    write(&value, sizeof(T));
  }
  template <class T>
  void write_array(const std::vector<T>& values) {
    write(values.data(), values.size() * sizeof(T));
  }
  // The chunk count may only be known once the payload is written.
  void set_chunk_count(uint64_t count) { header_.chunk_count = count; }
  [[nodiscard]] Status commit();

 private:
  bool flush();

  std::string path_;
  std::string temp_path_;
  SnapshotHeader header_;
  int fd_ = -1;
  bool failed_ = false;
  int error_ = 0;
  std::vector<char> buffer_;
  Checksum64 checksum_;
  uint64_t payload_size_ = 0;
};

// A whole snapshot mapped and verified, with bounds-checked reads over its payload. The file is
// mapped read-only rather than copied: a restart reads hundreds of megabytes, and a copy costs
// as much again in fresh pages. Snapshots are replaced by rename, so a mapped file never changes.
class SnapshotReader {
 public:
  SnapshotReader() = default;
  SnapshotReader(SnapshotReader&& other) noexcept;
  SnapshotReader& operator=(SnapshotReader&& other) noexcept;
  ~SnapshotReader();

  // Errc::not_found when there is no file; Errc::internal when it is not a valid snapshot with
  // this magic and version (wrong kind, other version, truncated, corrupted).
  static Result<SnapshotReader> open(const std::string& path, const SnapshotMagic& magic,
                                     uint32_t version);

  const SnapshotHeader& header() const { return header_; }
  bool read(void* out, std::size_t size);
  template <class T>
  bool read_pod(T& value) {
    return read(&value, sizeof(T));
  }
  template <class T>
  bool read_array(std::vector<T>& out, uint64_t count) {
    if (count > remaining() / sizeof(T)) return false;
    out.resize(count);
    return read(out.data(), count * sizeof(T));
  }
  bool at_end() const { return position_ == size_; }
  std::size_t remaining() const { return size_ - position_; }

 private:
  SnapshotHeader header_;
  void* mapping_ = nullptr;  // the whole file
  std::size_t mapping_size_ = 0;
  const char* data_ = nullptr;  // the payload, inside the mapping
  std::size_t size_ = 0;
  std::size_t position_ = 0;
};

// The checksum of a whole file, streamed; nullopt if it cannot be read.
std::optional<uint64_t> file_checksum(const std::string& path, uint64_t& size);

// fsyncs a file written by someone else (hnswlib); false on failure.
bool sync_file(const std::string& path);

}  // namespace sluice::rag
