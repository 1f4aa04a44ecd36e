#include "auth/jwks_watcher.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/jwt_signer.hpp"

namespace sluice::auth {
namespace {

using sluice::testing::jwks_of;
using sluice::testing::JwtSigner;

class JwksWatcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    first_ = new JwtSigner(JwtSigner::ec("first"));
    second_ = new JwtSigner(JwtSigner::ec("second"));
  }
  static void TearDownTestSuite() {
    delete first_;
    delete second_;
  }
  static std::filesystem::path fresh_dir() {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sluice-jwks-watcher-" + std::to_string(::getpid()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
    return dir;
  }
  ~JwksWatcherTest() override { std::filesystem::remove_all(dir_); }

  // Replaces the file as a deployment would: a new file renamed over the old one.
  void write(const std::string& text) {
    const std::string next = path_ + ".next";
    std::ofstream(next) << text;
    std::filesystem::rename(next, path_);
  }
  bool accepts(const JwtSigner& key) {
    const std::string claims =
        R"({"sub":"a","exp":)" + std::to_string(core_now_ms_ / 1000 + 600) + "}";
    return static_cast<bool>(verifier_.verify(key.sign(claims)));
  }

  static JwtSigner* first_;
  static JwtSigner* second_;
  const std::filesystem::path dir_ = fresh_dir();
  const std::string path_ = (dir_ / "jwks.json").string();
  int64_t core_now_ms_ = 1'700'000'000'000;
  JwtVerifier verifier_{JwtRules{}, nullptr, [this] { return core_now_ms_; }};
  JwksWatcher watcher_{path_, verifier_};
};
JwtSigner* JwksWatcherTest::first_ = nullptr;
JwtSigner* JwksWatcherTest::second_ = nullptr;

TEST_F(JwksWatcherTest, LoadFailsOnAnInvalidFileNamingIt) {
  write("{\"keys\":[]}");
  Status loaded = watcher_.load();
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find(path_), std::string::npos) << loaded.error().message;
  EXPECT_FALSE(accepts(*first_));
}

TEST_F(JwksWatcherTest, ARotatedFileTakesEffectAndTheOldKeyIsRefused) {
  write(jwks_of({first_}));
  ASSERT_TRUE(watcher_.load());
  EXPECT_TRUE(accepts(*first_));
  watcher_.poll();  // unchanged: nothing to apply
  EXPECT_EQ(watcher_.applied(), 0u);

  write(jwks_of({first_, second_}));  // rotation begins: both keys
  watcher_.poll();
  EXPECT_EQ(watcher_.applied(), 1u);
  EXPECT_TRUE(accepts(*first_));
  EXPECT_TRUE(accepts(*second_));

  write(jwks_of({second_}));  // and ends: the old key is gone
  watcher_.poll();
  EXPECT_EQ(watcher_.applied(), 2u);
  EXPECT_FALSE(accepts(*first_));
  EXPECT_TRUE(accepts(*second_));
}

TEST_F(JwksWatcherTest, AnInvalidOrMissingFileKeepsTheLastGoodKeys) {
  write(jwks_of({first_}));
  ASSERT_TRUE(watcher_.load());
  write("{\"keys\": [");
  watcher_.poll();
  watcher_.poll();  // the same bad file is judged once
  EXPECT_EQ(watcher_.rejected(), 1u);
  EXPECT_TRUE(accepts(*first_));

  std::filesystem::remove(path_);
  watcher_.poll();
  watcher_.poll();
  EXPECT_EQ(watcher_.rejected(), 2u);
  EXPECT_TRUE(accepts(*first_));

  write(jwks_of({second_}));
  watcher_.poll();
  EXPECT_EQ(watcher_.applied(), 1u);
  EXPECT_TRUE(accepts(*second_));
  EXPECT_FALSE(accepts(*first_));
}

TEST_F(JwksWatcherTest, ATouchedFileWithTheSameContentIsNotReapplied) {
  write(jwks_of({first_}));
  ASSERT_TRUE(watcher_.load());
  write(jwks_of({first_}));  // new inode and time, same bytes
  watcher_.poll();
  EXPECT_EQ(watcher_.applied(), 0u);
  EXPECT_EQ(watcher_.rejected(), 0u);
}

}  // namespace
}  // namespace sluice::auth
