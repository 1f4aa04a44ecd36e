// A sluice.yaml as an operator might write it (or mistype it), loaded by the same pipeline as
// `sluice serve` with an empty environment and no overrides: problems come back as errors that
// name a key, never as a crash, and an accepted configuration renders.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/config.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace sluice;

// The loader reads a path: one scratch file per process, rewritten for every input.
const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::atexit([] { std::remove(scratch_path().c_str()); });
    return std::string(dir && *dir ? dir : "/tmp") + "/sluice-config-fuzz-" +
           std::to_string(::getpid()) + ".yaml";
  }();
  return path;
}

bool write_scratch(std::string_view yaml) {
  std::FILE* f = std::fopen(scratch_path().c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(yaml.data(), 1, yaml.size(), f) == yaml.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FUZZ_CHECK(write_scratch(fuzz::text(data, size)));
  core::ConfigSource source;
  source.file = scratch_path();
  const auto loaded = core::load_config(source);
  if (loaded) {
    FUZZ_CHECK(!core::render_effective_config(*loaded).empty());
  } else {
    FUZZ_CHECK(!loaded.error().empty());
    for (const core::ConfigError& error : loaded.error()) core::to_string(error);
  }
  return 0;
}
