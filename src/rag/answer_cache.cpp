#include "rag/answer_cache.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "rag/case_fold.hpp"
#include "rag/utf8.hpp"

namespace sluice::rag {
namespace {

constexpr char kSeparator = '\x1f';  // cannot occur in a normalized question or an id

void append_field(std::string& out, std::string_view value) {
  out.append(value);
  out.push_back(kSeparator);
}

void append_sorted(std::string& out, std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  for (const auto& v : values) {
    out.append(std::to_string(v.size())).push_back(':');
    out.append(v);
  }
  out.push_back(kSeparator);
}

// Bytes an entry holds: its strings plus a fixed overhead for the nodes and the index slot.
std::size_t entry_bytes(const std::string& key, const Answer& answer) {
  constexpr std::size_t kOverhead = 160;
  std::size_t bytes = kOverhead + 2 * key.size() + answer.text.size() + answer.model.size() +
                      answer.template_version.size() + answer.collection_id.size();
  for (const auto& mode : answer.modes) bytes += mode.size() + sizeof(std::string);
  for (const Citation& c : answer.citations)
    bytes += sizeof(Citation) + c.document_id.size() + c.id.size() + c.title.size() +
             c.heading_path.size() + c.snippet.size();
  return bytes;
}

}  // namespace

std::string normalize_question(std::string_view question) {
  std::string out;
  out.reserve(question.size());
  bool pending_space = false;
  for (std::size_t pos = 0; pos < question.size();) {
    const DecodedCodePoint cp = decode_utf8(question, pos);
    pos += cp.length;
    if (cp.code_point < 0x80 && core::is_ascii_space(static_cast<char>(cp.code_point))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    append_utf8(out, fold_case(cp.code_point));
  }
  return out;
}

std::string render_cache_key(const AnswerCacheKey& key) {
  std::string out;
  append_field(out, key.collection_id);
  append_field(out, std::to_string(key.index_version));
  append_field(out, key.template_version);
  append_field(out, key.model);
  append_field(out, std::to_string(key.top_k));
  append_sorted(out, key.filters.document_ids);
  append_sorted(out, key.filters.tags);
  std::vector<std::string> conditions;
  for (const MetadataCondition& c : key.filters.metadata)
    conditions.push_back(c.key + '\x1e' + std::to_string(static_cast<int>(c.op)) + '\x1e' +
                         c.value_json);
  append_sorted(out, std::move(conditions));
  out.append(normalize_question(key.question));
  return out;
}

AnswerCache::AnswerCache(std::size_t max_bytes, std::chrono::milliseconds ttl, Now now)
    : max_bytes_(max_bytes), ttl_(ttl), now_(std::move(now)) {}

std::shared_ptr<const Answer> AnswerCache::get(const std::string& key) {
  if (!enabled()) return nullptr;
  const auto now = now_();
  std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  const Lru::iterator it = found->second;
  if (it->expires <= now) {
    erase_locked(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it);
  return it->answer;
}

void AnswerCache::put(const std::string& key, const Answer& answer) {
  if (!enabled()) return;
  const std::size_t bytes = entry_bytes(key, answer);
  if (bytes > max_bytes_) return;
  const auto expires = now_() + ttl_;
  auto shared = std::make_shared<const Answer>(answer);  // copied before the lock is taken
  std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) erase_locked(found->second);
  while (!lru_.empty() && bytes_ + bytes > max_bytes_) erase_locked(std::prev(lru_.end()));
  lru_.push_front(Entry{key, std::move(shared), expires, bytes});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += bytes;
}

void AnswerCache::erase_locked(Lru::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

std::size_t AnswerCache::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

std::size_t AnswerCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace sluice::rag
