#pragma once
// Shared by the fuzz targets: the libFuzzer entry point's signature and invariant checks that
// abort (a crash to libFuzzer, a failed test to the corpus replay), whatever NDEBUG says.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace sluice::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
  std::abort();
}

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Whether `json_text` is one JSON value (what every translator must produce).
bool is_json(std::string_view json_text);

}  // namespace sluice::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : ::sluice::fuzz::fail(#condition, __FILE__, __LINE__))
