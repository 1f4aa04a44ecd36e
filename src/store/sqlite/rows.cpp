#include "store/sqlite/rows.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <boost/json.hpp>
#include <charconv>
#include <cstring>

#include "core/ids.hpp"
#include "core/json_text.hpp"

namespace sluice::store::sqlite {

static_assert(std::endian::native == std::endian::little,
              "embeddings are stored as little-endian float32 and copied as they are in memory");

Collection read_collection(const Statement& row) {
  // The name column holds the collection's key: its tenant's prefix is not part of its name.
  Collection collection{row.text(0),  row.text(1),  row.text(2),  row.text(3),  row.int64(4),
                        row.int64(5), row.int64(6), row.int64(7), row.int64(8), row.text(9)};
  if (!collection.tenant.empty())
    collection.name.erase(0, std::min(collection.name.size(), collection.tenant.size() + 1));
  return collection;
}

Document read_document(const Statement& row) {
  Document doc;
  doc.id = row.text(0);
  doc.collection_id = row.text(1);
  doc.external_id = row.text(2);
  doc.title = row.text(3);
  doc.source_name = row.text(4);
  doc.media_type = row.text(5);
  doc.content_hash = row.text(6);
  doc.bytes = row.int64(7);
  doc.version = row.int64(8);
  doc.created_at_ms = row.int64(9);
  doc.updated_at_ms = row.int64(10);
  doc.status = row.text(11);
  doc.metadata_json = row.text(12);
  doc.tags = decode_strings(row.blob(13));
  doc.last_job_id = row.text(14);
  doc.chunk_count = row.int64(15);
  return doc;
}

Chunk read_chunk(const Statement& row) {
  Chunk chunk;
  chunk.id = row.int64(0);
  chunk.document_id = row.text(1);
  chunk.collection_id = row.text(2);
  chunk.ordinal = row.int32(3);
  chunk.text = row.text(4);
  chunk.heading_path = row.text(5);
  chunk.page = row.int32(6);
  chunk.token_count = row.int32(7);
  chunk.embedding = decode_embedding(row.blob(8));
  return chunk;
}

Job read_job(const Statement& row) {
  Job job;
  job.id = row.text(0);
  job.kind = row.text(1);
  job.collection_id = row.text(2);
  job.document_id = row.text(3);
  job.document_version = row.int64(4);
  job.state = row.text(5);
  job.last_error = row.text(6);
  job.lease_owner = row.text(7);
  job.attempts = row.int32(8);
  job.max_attempts = row.int32(9);
  job.run_after_ms = row.int64(10);
  job.lease_expires_ms = row.int64(11);
  job.created_at_ms = row.int64(12);
  job.updated_at_ms = row.int64(13);
  return job;
}

Session read_session(const Statement& row) {
  return Session{row.text(0), row.text(1), row.int64(2), row.int64(3)};
}

Message read_message(const Statement& row) {
  return Message{row.int64(0), row.text(1), row.text(2), row.text(3), row.text(4), row.int64(5)};
}

std::string_view embedding_bytes(const std::vector<float>& embedding) {
  return {reinterpret_cast<const char*>(embedding.data()), embedding.size() * sizeof(float)};
}

std::vector<float> decode_embedding(std::string_view blob) {
  std::vector<float> embedding(blob.size() / sizeof(float));
  if (!embedding.empty())
    std::memcpy(embedding.data(), blob.data(), embedding.size() * sizeof(float));
  return embedding;
}

std::string encode_strings(const std::vector<std::string>& tags) {
  std::string json = "[";
  for (const std::string& tag : tags) {
    if (json.size() > 1) json += ',';
    core::append_json_string(json, tag);
  }
  json += ']';
  return json;
}

std::vector<std::string> decode_strings(std::string_view json) {
  std::vector<std::string> tags;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) return tags;  // written by encode_strings: never happens
  for (const auto& tag : value.get_array())
    if (tag.is_string()) tags.emplace_back(tag.get_string());
  return tags;
}

Result<int64_t> parse_cursor(const std::string& cursor) {
  if (cursor.empty()) return int64_t{0};
  int64_t seq = 0;
  const auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), seq);
  if (ec != std::errc() || end != cursor.data() + cursor.size() || seq < 0)
    return make_error(Errc::invalid_request, "invalid cursor", "cursor");
  return seq;
}

std::string new_id(std::string_view prefix, int64_t now_ms) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  // 48 bits of milliseconds, most significant first, then 96 random bits.
  for (int shift = 44; shift >= 0; shift -= 4)
    id += kHex[(static_cast<uint64_t>(now_ms) >> shift) & 0xf];
  core::append_random_hex(id, 12);
  return id;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 is unavailable");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace sluice::store::sqlite
