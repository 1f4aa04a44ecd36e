#pragma once
// Reads Protocol Buffers wire format back into fields, for tests of what the writer and the OTLP
// encoder produce: an independent decoder, written from the wire-format specification.

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::testing {

struct ProtoField {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t number_value = 0;  // varint, fixed32, fixed64 (raw bits)
  std::string bytes;          // length-delimited

  double as_double() const {
    double d;
    std::memcpy(&d, &number_value, sizeof d);
    return d;
  }
};

// Every field of one message, in order; throws std::runtime_error on malformed input.
inline std::vector<ProtoField> read_message(std::string_view data) {
  std::vector<ProtoField> fields;
  std::size_t at = 0;
  const auto varint = [&]() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= data.size()) throw std::runtime_error("truncated varint");
      const auto byte = static_cast<uint8_t>(data[at++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw std::runtime_error("varint too long");
  };
  const auto fixed = [&](int bytes) {
    if (at + bytes > data.size()) throw std::runtime_error("truncated fixed");
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i)
      value |= static_cast<uint64_t>(static_cast<uint8_t>(data[at + i])) << (8 * i);
    at += bytes;
    return value;
  };
  while (at < data.size()) {
    const uint64_t key = varint();
    ProtoField field;
    field.number = static_cast<uint32_t>(key >> 3);
    field.wire_type = static_cast<uint32_t>(key & 7);
    switch (field.wire_type) {
      case 0:
        field.number_value = varint();
        break;
      case 1:
        field.number_value = fixed(8);
        break;
      case 5:
        field.number_value = fixed(4);
        break;
      case 2: {
        const uint64_t length = varint();
        if (at + length > data.size()) throw std::runtime_error("truncated bytes");
        field.bytes = std::string(data.substr(at, length));
        at += length;
        break;
      }
      default:
        throw std::runtime_error("unsupported wire type");
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

// The fields numbered `number`.
inline std::vector<ProtoField> fields_numbered(const std::vector<ProtoField>& fields,
                                               uint32_t number) {
  std::vector<ProtoField> out;
  for (const ProtoField& f : fields)
    if (f.number == number) out.push_back(f);
  return out;
}

// The only field numbered `number`; throws when there is not exactly one.
inline ProtoField field_numbered(const std::vector<ProtoField>& fields, uint32_t number) {
  auto found = fields_numbered(fields, number);
  if (found.size() != 1)
    throw std::runtime_error("field " + std::to_string(number) + " occurs " +
                             std::to_string(found.size()) + " times");
  return found[0];
}

}  // namespace sluice::testing
