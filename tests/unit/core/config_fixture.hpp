#pragma once
// Shared by the config tests: a temp directory per test, a loader for YAML text, and assertions
// that an error names a key path.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace sluice::core::testing {

namespace fs = std::filesystem;

// A fresh directory per test for config and secret files, removed afterwards.
class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("sluice-config-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  // Loads `yaml` (written to a file) with the given environment.
  Result<Config, std::vector<ConfigError>> load(const std::string& yaml,
                                                std::map<std::string, std::string> env = {},
                                                std::map<std::string, std::string> overrides = {}) {
    ConfigSource source;
    source.file = write("sluice.yaml", yaml);
    source.env = std::move(env);
    source.overrides = std::move(overrides);
    return load_config(source);
  }

  fs::path dir_;
};

inline std::string describe(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += "  " + to_string(e) + "\n";
  return out;
}

// The error recorded at exactly `path`, or null.
inline const ConfigError* error_at(const std::vector<ConfigError>& errors,
                                   const std::string& path) {
  for (const ConfigError& e : errors) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

#define ASSERT_LOADS(result) ASSERT_TRUE((result).ok()) << describe((result).error())

#define EXPECT_ERROR_AT(result, path, text)                                \
  do {                                                                     \
    ASSERT_FALSE((result).ok()) << "expected an error at " << (path);      \
    const ConfigError* found = error_at((result).error(), (path));         \
    ASSERT_NE(found, nullptr) << "no error at " << (path) << ", got:\n"    \
                              << describe((result).error());               \
    EXPECT_TRUE(contains(to_string(*found), (text))) << to_string(*found); \
  } while (0)

}  // namespace sluice::core::testing
