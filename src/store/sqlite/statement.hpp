#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace sluice::store::sqlite {

using StatementObserver = std::function<void(std::string_view sql, int64_t vm_steps)>;

// A borrowed prepared statement from a Connection's cache: binds, steps and reads columns, and
// resets itself (bindings cleared) when it goes out of scope, ready for its next use. Parameter
// and column indexes are as in SQL: parameters from 1, columns from 0.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt, const StatementObserver* observer = nullptr)
      : stmt_(stmt), observer_(observer) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  template <std::integral I>
  Statement& bind(int index, I value) {
    return bind_int64(index, static_cast<int64_t>(value));
  }
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  // Not copied: the bytes must stay valid until the statement is stepped (in practice, bind and
  // run in one expression). Bodies and embeddings are large; a copy each would cost.
  Statement& bind_blob(int index, std::string_view bytes);
  // Binds each argument to parameters 1, 2, ...
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Advances: true with a row to read, false when done.
  bool step();
  // Runs a statement that returns no rows (or ignores them).
  void run();

  int64_t int64(int column) const;
  int column_count() const;
  int int32(int column) const { return static_cast<int>(int64(column)); }
  std::string text(int column) const;
  // The column's bytes; valid until the next step or the statement's end.
  std::string_view blob(int column) const;
  bool is_null(int column) const;

 private:
  Statement& bind_int64(int index, int64_t value);

  sqlite3_stmt* stmt_;
  const StatementObserver* observer_;  // null or empty: not observed
};

}  // namespace sluice::store::sqlite
