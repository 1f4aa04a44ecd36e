#include "core/protobuf_writer.hpp"

#include <bit>

namespace sluice::core {
namespace {

constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kFixed32 = 5;

std::size_t varint_size(uint64_t value) {
  std::size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

void append_little_endian(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

void ProtobufWriter::varint(uint64_t value) {
  while (value >= 0x80) {
    out_ += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out_ += static_cast<char>(value);
}

void ProtobufWriter::tag(uint32_t field, uint32_t wire_type) {
  varint((static_cast<uint64_t>(field) << 3) | wire_type);
}

void ProtobufWriter::varint_field(uint32_t field, uint64_t value) {
  tag(field, kVarint);
  varint(value);
}

void ProtobufWriter::fixed32_field(uint32_t field, uint32_t value) {
  tag(field, kFixed32);
  append_little_endian(out_, value, 4);
}

void ProtobufWriter::fixed64_field(uint32_t field, uint64_t value) {
  tag(field, kFixed64);
  append_little_endian(out_, value, 8);
}

void ProtobufWriter::double_field(uint32_t field, double value) {
  fixed64_field(field, std::bit_cast<uint64_t>(value));
}

void ProtobufWriter::bytes_field(uint32_t field, std::string_view value) {
  tag(field, kLengthDelimited);
  varint(value.size());
  out_.append(value);
}

void ProtobufWriter::begin_message(uint32_t field) {
  tag(field, kLengthDelimited);
  // One byte reserved for the length: most messages (attributes, ids) are shorter than 128
  // bytes; longer ones move their body once on close.
  out_ += '\0';
  open_.push_back(out_.size());
}

void ProtobufWriter::end_message() {
  const std::size_t body_start = open_.back();
  open_.pop_back();
  const std::size_t length = out_.size() - body_start;
  const std::size_t extra = varint_size(length) - 1;
  if (extra > 0) {
    out_.insert(body_start, extra, '\0');
  }
  char* prefix = out_.data() + body_start - 1;
  uint64_t value = length;
  while (value >= 0x80) {
    *prefix++ = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  *prefix = static_cast<char>(value);
}

}  // namespace sluice::core
