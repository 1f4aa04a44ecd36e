#include "core/json_bounded_parse.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/system/errc.hpp>
#include <cmath>
#include <vector>

namespace sluice::core {
namespace json = boost::json;
namespace {

using ec_t = json::error_code;
using sv = json::string_view;

// Builds the value as boost::json::parser does (a value_stack), counting values as they come:
// past the bound it stops the parse, before the DOM grows further. Stops at a number beyond a
// double's range too.
class CountingBuilder {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  CountingBuilder(std::size_t max_values, unsigned char* temp, std::size_t temp_size)
      : stack_(json::storage_ptr(), temp, temp_size), max_values_(max_values) {}

  json::value_stack& stack() { return stack_; }
  bool over_limit() const { return over_limit_; }
  bool out_of_range() const { return out_of_range_; }

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t n, ec_t& ec) {
    if (!counted(ec)) return false;
    stack_.push_array(n);
    return true;
  }
  bool on_object_begin(ec_t&) { return true; }
  bool on_object_end(std::size_t n, ec_t& ec) {
    if (!counted(ec)) return false;
    stack_.push_object(n);
    return true;
  }
  bool on_string_part(sv s, std::size_t, ec_t&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(sv s, std::size_t, ec_t& ec) {
    if (!counted(ec)) return false;
    stack_.push_string(s);
    return true;
  }
  bool on_key_part(sv s, std::size_t, ec_t&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_key(sv s, std::size_t, ec_t&) {
    stack_.push_key(s);
    return true;
  }
  bool on_number_part(sv, ec_t&) { return true; }
  bool on_int64(std::int64_t i, sv, ec_t& ec) {
    if (!counted(ec)) return false;
    stack_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, sv, ec_t& ec) {
    if (!counted(ec)) return false;
    stack_.push_uint64(u);
    return true;
  }
  bool on_double(double d, sv, ec_t& ec) {
    if (!counted(ec)) return false;
    if (!std::isfinite(d)) return out_of_range(ec);
    stack_.push_double(d);
    return true;
  }
  bool on_bool(bool b, ec_t& ec) {
    if (!counted(ec)) return false;
    stack_.push_bool(b);
    return true;
  }
  bool on_null(ec_t& ec) {
    if (!counted(ec)) return false;
    stack_.push_null();
    return true;
  }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }

 private:
  // Boost.JSON reads a number beyond a double's range (1e999) as infinity, which JSON cannot
  // write back: serialized for an upstream it would come out as `Infinity`, invalid JSON.
  bool out_of_range(ec_t& ec) {
    out_of_range_ = true;
    ec = boost::system::errc::make_error_code(boost::system::errc::result_out_of_range);
    return false;
  }
  bool counted(ec_t& ec) {
    if (max_values_ == 0 || ++values_ <= max_values_) return true;
    over_limit_ = true;
    ec = boost::system::errc::make_error_code(boost::system::errc::value_too_large);
    return false;
  }

  json::value_stack stack_;
  std::size_t max_values_;
  std::size_t values_ = 0;
  bool over_limit_ = false;
  bool out_of_range_ = false;
};

// Builds nothing; follows where the parser is ("messages[0].temperature"), for the rare refusal
// that names a place: run again over the same text, it stops where the first parse did.
class PathTracker {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  std::string path() const {
    std::string out;
    for (const Frame& frame : frames_) {
      if (frame.array) {
        out += '[' + std::to_string(frame.index) + ']';
      } else if (frame.has_key) {
        if (!out.empty()) out += '.';
        out += frame.key;
      }
    }
    return out;
  }

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) {
    frames_.push_back({.array = true});
    return true;
  }
  bool on_array_end(std::size_t, ec_t&) { return closed(); }
  bool on_object_begin(ec_t&) {
    frames_.push_back({.array = false});
    return true;
  }
  bool on_object_end(std::size_t, ec_t&) { return closed(); }
  bool on_string_part(sv, std::size_t, ec_t&) { return true; }
  bool on_string(sv, std::size_t, ec_t&) { return done(); }
  bool on_key_part(sv s, std::size_t, ec_t&) {
    key_part_.append(s.data(), s.size());
    return true;
  }
  bool on_key(sv s, std::size_t, ec_t&) {
    Frame& frame = frames_.back();
    frame.key = std::move(key_part_);
    frame.key.append(s.data(), s.size());
    frame.has_key = true;
    key_part_.clear();
    return true;
  }
  bool on_number_part(sv, ec_t&) { return true; }
  bool on_int64(std::int64_t, sv, ec_t&) { return done(); }
  bool on_uint64(std::uint64_t, sv, ec_t&) { return done(); }
  bool on_double(double d, sv, ec_t& ec) {
    if (std::isfinite(d)) return done();
    ec = boost::system::errc::make_error_code(boost::system::errc::result_out_of_range);
    return false;  // here: the path names this number's place
  }
  bool on_bool(bool, ec_t&) { return done(); }
  bool on_null(ec_t&) { return done(); }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }

 private:
  struct Frame {
    bool array = false;
    bool has_key = false;
    std::size_t index = 0;  // of the element being read
    std::string key;        // of the member being read
  };
  bool done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return true;
  }
  bool closed() {
    frames_.pop_back();
    return done();
  }

  std::vector<Frame> frames_;
  std::string key_part_;
};

std::string path_of_failure(std::string_view text, const json::parse_options& options) {
  json::basic_parser<PathTracker> tracker(options);
  ec_t ec;
  tracker.write_some(false, text.data(), text.size(), ec);
  return tracker.handler().path();
}

}  // namespace

std::optional<JsonRefusal> parse_json_bounded(std::string_view text, const JsonBounds& bounds,
                                              json::value& out) {
  json::parse_options options;
  options.max_depth = bounds.max_depth;
  unsigned char temp[4096];  // the value stack's first buffer: small documents allocate none
  json::basic_parser<CountingBuilder> parser(options, bounds.max_values, temp, sizeof temp);
  parser.handler().stack().reset(out.storage());
  ec_t ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used != text.size()) ec = json::error::extra_data;
  if (!ec) {
    out = parser.handler().stack().release();  // the same storage: moved, not copied
    return std::nullopt;
  }
  JsonRefusal refusal;
  if (parser.handler().over_limit())
    refusal.reason = JsonRefusal::Reason::too_many_values;
  else if (ec == json::error::too_deep)
    refusal.reason = JsonRefusal::Reason::too_deep;
  else if (parser.handler().out_of_range() || ec == json::error::exponent_overflow) {
    refusal.reason = JsonRefusal::Reason::number_out_of_range;
    refusal.path = path_of_failure(text, options);
  } else
    refusal.detail = ec.message();
  return refusal;
}

}  // namespace sluice::core
