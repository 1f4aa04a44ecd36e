#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::core {

// Appends Protocol Buffers wire format (proto3) to a string: just what OTLP export needs, so that
// no protobuf runtime or generated code is required. Fields are written in the order called;
// a nested message is opened and closed around its fields, and its length prefix is fixed up on
// close. Proto3 default values are written as given: callers skip empty fields themselves.
class ProtobufWriter {
 public:
  explicit ProtobufWriter(std::string& out) : out_(out) {}

  void varint_field(uint32_t field, uint64_t value);
  void bool_field(uint32_t field, bool value) { varint_field(field, value ? 1 : 0); }
  // int64 as proto3 encodes it: two's complement, 10 bytes when negative.
  void int64_field(uint32_t field, int64_t value) {
    varint_field(field, static_cast<uint64_t>(value));
  }
  void fixed32_field(uint32_t field, uint32_t value);
  void fixed64_field(uint32_t field, uint64_t value);
  void double_field(uint32_t field, double value);
  // string and bytes share one encoding.
  void bytes_field(uint32_t field, std::string_view value);

  // Opens a nested message as `field`; every field written until the matching end_message()
  // belongs to it. Messages nest.
  void begin_message(uint32_t field);
  void end_message();

 private:
  void tag(uint32_t field, uint32_t wire_type);
  void varint(uint64_t value);

  std::string& out_;
  std::vector<std::size_t> open_;  // where each open message's body starts
};

}  // namespace sluice::core
